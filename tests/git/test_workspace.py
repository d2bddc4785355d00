"""The Git tab's core on real git: status with readable notebook changes, commits that clear
outputs only in the commit, branches, and paths that try to leave the home."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.git import CliGit
from jupyterlab_mlplat.core.git.rules import redact
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.git.fakes import DiskGitLab


def _notebook(*cells: tuple[str, str, list[object]]) -> bytes:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "id": cell_id,
                    "source": source,
                    "metadata": {},
                    "outputs": outputs,
                    "execution_count": 1 if outputs else None,
                }
                for cell_id, source, outputs in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ).encode()


OUTPUT = {"output_type": "stream", "name": "stdout", "text": "42\n"}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home" / "project").mkdir(parents=True)
    return tmp_path / "home"


@pytest.fixture
def git(home: Path) -> GitWorkspace:
    gitlab = DiskGitLab(home.parent / "gitlab", saved_token=None)
    return GitWorkspace(CliGit(), home, host=gitlab, author=("Alice", "alice@example.org"))


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.asyncio
async def test_a_folder_outside_a_repository_can_be_initialised(
    git: GitWorkspace, home: Path
) -> None:
    status = await git.status("project")
    assert status.repository is None
    status = await git.init("project")
    assert status.repository == "project"
    assert status.branch == "main"
    with pytest.raises(Conflict, match="already inside"):
        await git.init("project")


#: what a JupyterLab server and its tools leave in a home folder, credentials among them
_HOME_STATE = (
    ".ipython/profile_default/history.sqlite",
    ".jupyter/lab/workspaces/default.jupyterlab-workspace",
    ".local/share/jupyter/runtime/kernel-1.json",
    ".cache/pip/selfcheck.json",
    ".git-credentials",
    ".python_history",
)


@pytest.mark.asyncio
async def test_a_repository_at_the_home_root_leaves_the_home_s_own_state_out(
    git: GitWorkspace, home: Path
) -> None:
    """A kernel's connection file holds the key that runs code in it; a workspace, a history
    or a credential file is nobody's work either. The Git tab would have offered them all to
    commit and push; git in a terminal (``add -A``) would have taken them."""
    for name in _HOME_STATE:
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text("{}\n")
    (home / "train.ipynb").write_bytes(_notebook(("a", "print(42)", [])))
    (home / ".gitlab-ci.yml").write_text("test:\n  script: pytest\n")
    status = await git.init("")
    assert status.repository == ""
    assert sorted(f.path for f in status.files) == [".gitlab-ci.yml", "train.ipynb"]
    _git(home, "add", "-A")
    assert sorted(_git(home, "diff", "--cached", "--name-only").split()) == [
        ".gitlab-ci.yml",
        "train.ipynb",
    ]


@pytest.mark.asyncio
async def test_a_repository_in_a_folder_offers_every_file_in_it(
    git: GitWorkspace, home: Path
) -> None:
    (home / "project" / ".config").mkdir()
    (home / "project" / ".config" / "settings.toml").write_text("a = 1\n")
    status = await git.init("project")
    assert [f.path for f in status.files] == [".config/"]


@pytest.mark.asyncio
async def test_a_commit_clears_outputs_in_git_and_keeps_them_on_disk(
    git: GitWorkspace, home: Path
) -> None:
    await git.init("project")
    notebook = home / "project" / "train.ipynb"
    notebook.write_bytes(_notebook(("a", "print(42)", [OUTPUT])))
    status = await git.status("project")
    (changed,) = status.files
    assert (changed.path, changed.worktree) == ("train.ipynb", "?")
    assert changed.notebook is not None and changed.notebook.added == 1

    commit = (
        await git.commit("project", ["train.ipynb"], "Train a model", clear_outputs=True)
    ).commit
    committed = json.loads(_git(home / "project", "show", f"{commit}:train.ipynb"))
    assert committed["cells"][0]["outputs"] == []
    assert committed["cells"][0]["execution_count"] is None
    assert committed["cells"][0]["source"] == "print(42)"
    on_disk = json.loads(notebook.read_bytes())
    assert on_disk["cells"][0]["outputs"] == [OUTPUT]
    assert _git(home / "project", "log", "--format=%an <%ae>|%s") == (
        "Alice <alice@example.org>|Train a model\n"
    )


@pytest.mark.asyncio
async def test_notebook_changes_are_counted_by_cell(git: GitWorkspace, home: Path) -> None:
    await git.init("project")
    notebook = home / "project" / "nb.ipynb"
    notebook.write_bytes(_notebook(("a", "x = 1", []), ("b", "y = 2", []), ("c", "z = 3", [])))
    await git.commit("project", ["nb.ipynb"], "first", clear_outputs=False)
    notebook.write_bytes(_notebook(("a", "x = 10", []), ("c", "z = 3", [OUTPUT]), ("d", "w", [])))
    (changed,) = (await git.status("project")).files
    assert changed.notebook is not None
    assert (changed.notebook.added, changed.notebook.removed, changed.notebook.edited) == (1, 1, 1)
    notebook.write_bytes(
        _notebook(("a", "x = 1", [OUTPUT]), ("b", "y = 2", []), ("c", "z = 3", []))
    )
    (outputs_only,) = (await git.status("project")).files
    assert outputs_only.notebook is not None and outputs_only.notebook.outputs_only


@pytest.mark.asyncio
async def test_branches_are_created_and_switched(git: GitWorkspace, home: Path) -> None:
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    await git.create_branch("project", "feature/better-model")
    assert (await git.status("project")).branch == "feature/better-model"
    await git.switch("project", "main")
    names = {(b.name, b.current) for b in await git.branches("project")}
    assert names == {("main", True), ("feature/better-model", False)}
    for bad in ("-f", "a..b", "with space", "x.lock", ""):
        with pytest.raises(InvalidInput):
            await git.create_branch("project", bad)


@pytest.mark.asyncio
async def test_uncommitted_changes_block_a_switch_with_a_message(
    git: GitWorkspace, home: Path
) -> None:
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    await git.create_branch("project", "other")
    (home / "project" / "a.py").write_text("a = 2\n")
    await git.commit("project", ["a.py"], "two", clear_outputs=False)
    await git.switch("project", "main")
    (home / "project" / "a.py").write_text("a = 3\n")
    with pytest.raises(Conflict, match="would be overwritten"):
        await git.switch("project", "other")
    assert (home / "project" / "a.py").read_text() == "a = 3\n"


@pytest.mark.asyncio
async def test_paths_outside_the_home_are_refused(
    git: GitWorkspace, home: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("no")
    await git.init("project")
    with pytest.raises(Forbidden):
        await git.status("../")
    with pytest.raises(Forbidden):
        await git.commit("project", ["../../secret.txt"], "steal", clear_outputs=False)
    (home / "project" / "escape").symlink_to(tmp_path)
    with pytest.raises(Forbidden):
        await git.status("project/escape")
    with pytest.raises(NotFound):
        await git.status("nope")


@pytest.mark.asyncio
async def test_a_commit_needs_a_message_and_files(git: GitWorkspace, home: Path) -> None:
    await git.init("project")
    with pytest.raises(InvalidInput, match="message"):
        await git.commit("project", ["a"], "  ", clear_outputs=False)
    with pytest.raises(InvalidInput, match="at least one"):
        await git.commit("project", [], "m", clear_outputs=False)


@pytest.mark.asyncio
async def test_remote_operations_without_a_remote_are_a_conflict(
    git: GitWorkspace, home: Path
) -> None:
    """No remote is the repository's state (publish it first), not a wrong request: 409."""
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    for attempt in (
        git.push("project"),
        git.pull("project"),
        git.open_merge_request("project", title="t", description="", target_branch="main"),
    ):
        with pytest.raises(Conflict, match="no remote") as refused:
            await attempt
        assert refused.value.reason == "git_no_remote"


@pytest.mark.asyncio
async def test_switching_to_a_branch_that_is_not_there_is_not_found(
    git: GitWorkspace, home: Path
) -> None:
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    _git(home / "project", "tag", "v1")
    commit = _git(home / "project", "rev-parse", "--short", "HEAD").strip()
    # no such name at all; a tag and a commit are no branches either
    for name in ("nope", "v1", commit):
        with pytest.raises(NotFound) as missing:
            await git.switch("project", name)
        assert (missing.value.reason, missing.value.params) == (
            "git_no_such_branch",
            {"name": name},
        )
    assert (await git.status("project")).branch == "main"


def test_credentials_in_urls_are_redacted() -> None:
    assert redact("fatal: unable to access 'https://oauth2:glpat-x@gitlab/x.git'") == (
        "fatal: unable to access 'https://***@gitlab/x.git'"
    )


@pytest.mark.asyncio
async def test_jupyter_checkpoints_are_never_changes(git: GitWorkspace, home: Path) -> None:
    await git.init("project")
    (home / "project" / ".ipynb_checkpoints").mkdir()
    (home / "project" / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text("{}")
    (home / "project" / "nb.ipynb").write_bytes(_notebook(("a", "x", [])))
    assert [f.path for f in (await git.status("project")).files] == ["nb.ipynb"]


@pytest.mark.asyncio
async def test_committing_a_file_that_is_not_there_is_not_found(
    git: GitWorkspace, home: Path
) -> None:
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    with pytest.raises(NotFound) as missing:
        await git.commit("project", ["a.py", "gone.py"], "start", clear_outputs=False)
    assert (missing.value.reason, missing.value.params) == ("git_no_such_file", {"path": "gone.py"})
    # a deleted file git knows is a change to commit, not a missing one
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    (home / "project" / "a.py").unlink()
    await git.commit("project", ["a.py"], "remove a", clear_outputs=False)
    assert _git(home / "project", "ls-files") == ""


@pytest.mark.asyncio
async def test_a_home_inside_someone_elses_checkout_is_no_repository_of_its_own(
    git: GitWorkspace, home: Path
) -> None:
    """A home that sits in a checkout (the workbench's own, once): the Git tab shows the home as
    outside any repository, never the checkout's branch and changes, and offers git init."""
    checkout = home.parent
    _git(checkout, "init", "-q", "-b", "main")
    (checkout / "README").write_text("the workbench's code\n")
    _git(checkout, "add", "README")
    _git(checkout, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "code")
    for folder in ("", "project"):
        status = await git.status(folder)
        assert status.repository is None, folder
    assert (await git.init("project")).repository == "project"
