"""The Git service's verbs on real git: each returns what the tab shows next, runs git a bounded
number of times, reaches GitLab and the tracker only through its ports, and tells failures apart
by reason code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from jupyterlab_mlplat.api.errors import all_reasons
from jupyterlab_mlplat.core.git import rules
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.gitlab.records import Pipeline
from jupyterlab_mlplat.core.kernel.errors import PlatformError, Unavailable
from tests.git.fakes import CountingGit, DiskGitLab, Lineage

AUTHOR = ("Alice", "alice@example.org")


def _notebook(source: str) -> bytes:
    cell = {
        "cell_type": "code",
        "id": "c1",
        "source": source,
        "metadata": {},
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
        "execution_count": 1,
    }
    document = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1).encode()


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=C", "-c", "user.email=c@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home" / "project").mkdir(parents=True)
    (tmp_path / "gitlab").mkdir()
    return tmp_path / "home"


@pytest.fixture
def gitlab(tmp_path: Path) -> DiskGitLab:
    return DiskGitLab(tmp_path / "gitlab")


@pytest.fixture
def runner() -> CountingGit:
    return CountingGit()


@pytest.fixture
def lineage() -> Lineage:
    return Lineage()


@pytest.fixture
def git(home: Path, runner: CountingGit, gitlab: DiskGitLab, lineage: Lineage) -> GitWorkspace:
    return GitWorkspace(runner, home, host=gitlab, author=AUTHOR, lineage=lineage)


async def _committed(git: GitWorkspace, home: Path) -> None:
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)


async def _published(git: GitWorkspace, home: Path) -> None:
    await _committed(git, home)
    await git.publish("project", "project")


# ---- what git costs
@pytest.mark.asyncio
@pytest.mark.parametrize("notebooks", [0, 1, 5])
async def test_status_runs_git_a_bounded_number_of_times(
    git: GitWorkspace, home: Path, runner: CountingGit, notebooks: int
) -> None:
    await git.init("project")
    (home / "project" / "seed.py").write_text("s = 1\n")
    for n in range(notebooks):
        (home / "project" / f"nb{n}.ipynb").write_bytes(_notebook(f"x = {n}"))
    names = [f"nb{n}.ipynb" for n in range(notebooks)]
    await git.commit("project", ["seed.py", *names], "start", clear_outputs=True)
    for n in range(notebooks):
        (home / "project" / f"nb{n}.ipynb").write_bytes(_notebook(f"x = {n + 1}"))
    (home / "project" / "plain.py").write_text("p = 1\n")

    runner.calls.clear()
    status = await git.status("project")

    assert len(status.files) == notebooks + 1
    assert all(f.notebook and f.notebook.edited == 1 for f in status.files if f.notebook)
    # top folder, status, config; one read of the committed notebooks, whatever their number
    assert len(runner.calls) <= 3 + min(notebooks, 1), runner.calls
    assert len(runner.calls) <= 3 + notebooks
    assert runner.count("rev-parse", "--show-toplevel") == 1


@pytest.mark.asyncio
async def test_outside_a_repository_status_runs_git_once(
    git: GitWorkspace, runner: CountingGit
) -> None:
    assert (await git.status("project")).repository is None
    assert len(runner.calls) == 1


@pytest.mark.asyncio
async def test_a_commit_returns_the_new_status_computed_once(
    git: GitWorkspace, home: Path, runner: CountingGit, lineage: Lineage
) -> None:
    await git.init("project")
    (home / "project" / "nb.ipynb").write_bytes(_notebook("fit()"))
    (home / "project" / "a.py").write_text("a = 1\n")
    (home / "project" / "left.py").write_text("not yet\n")

    runner.calls.clear()
    result = await git.commit("project", ["nb.ipynb", "a.py"], "First", clear_outputs=True)

    assert result.commit == _git(home / "project", "rev-parse", "HEAD").strip()
    assert result.linked_runs == ("run-1",)
    assert lineage.linked == [(result.commit, None)]
    # the notebook on disk keeps the outputs the commit left out
    (notebook, left) = result.status.files
    assert (notebook.path, notebook.worktree, left.path) == ("nb.ipynb", "M", "left.py")
    assert notebook.notebook is not None and notebook.notebook.outputs_only
    assert result.status.branch == "main"
    assert runner.count("status") == 1
    assert runner.count("rev-parse", "--show-toplevel") == 1
    assert runner.count("config") == 1


@pytest.mark.asyncio
async def test_a_push_returns_the_new_status_computed_once(
    git: GitWorkspace, home: Path, runner: CountingGit, gitlab: DiskGitLab
) -> None:
    await _published(git, home)
    (home / "project" / "b.py").write_text("b = 1\n")
    await git.commit("project", ["b.py"], "more", clear_outputs=False)

    runner.calls.clear()
    status = await git.push("project")

    assert (status.branch, status.upstream, status.ahead, status.behind) == (
        "main",
        "origin/main",
        0,
        0,
    )
    assert status.remote_url == str(gitlab.folder / "project.git")
    assert runner.count("status") == 1
    assert runner.count("rev-parse", "--show-toplevel") == 1
    assert runner.count("push") == 1
    assert len(runner.calls) <= 5, runner.calls


# ---- orchestration moved out of the handlers
@pytest.mark.asyncio
async def test_publish_creates_the_project_adds_it_and_pushes(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab
) -> None:
    await _committed(git, home)
    published = await git.publish("project", "churn", namespace_id=7, visibility="internal")
    assert gitlab.created == [("churn", 7, "internal")]
    assert published.project.path_with_namespace == "alice/churn"
    assert published.status.remote_url == published.project.http_url_to_repo
    assert published.status.upstream == "origin/main"
    head = _git(home / "project", "rev-parse", "HEAD")
    assert _git(gitlab.folder / "churn.git", "rev-parse", "main") == head


@pytest.mark.asyncio
async def test_publish_refuses_without_commits_or_with_a_remote(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab
) -> None:
    await git.init("project")
    with pytest.raises(rules.NoCommits):
        await git.publish("project", "empty")
    assert gitlab.created == []  # nothing was created for a push that could not happen
    (home / "project" / "a.py").write_text("a = 1\n")
    await git.commit("project", ["a.py"], "start", clear_outputs=False)
    await git.publish("project", "project")
    with pytest.raises(rules.RemoteExists) as refused:
        await git.publish("project", "again")
    assert refused.value.params == {"remote": str(gitlab.folder / "project.git")}


@pytest.mark.asyncio
async def test_gitlab_views_are_empty_without_a_remote_and_ask_with_it(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab
) -> None:
    assert await git.merge_requests("project") == []  # not even a repository
    assert await git.latest_pipeline("project") is None
    await _committed(git, home)
    assert await git.merge_requests("project") == []
    assert await git.latest_pipeline("project") is None
    assert gitlab.asked == []

    await git.publish("project", "project")
    gitlab.pipeline = Pipeline(1, "success", "main", "abc", "https://gitlab.example/p/1")
    remote = str(gitlab.folder / "project.git")
    assert await git.merge_requests("project") == []
    assert await git.latest_pipeline("project") == gitlab.pipeline
    assert gitlab.asked == [("merge_requests", remote, "main"), ("pipeline", remote, "main")]


@pytest.mark.asyncio
async def test_a_merge_request_waits_for_the_push(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab
) -> None:
    await _published(git, home)
    await git.create_branch("project", "tune")
    (home / "project" / "a.py").write_text("a = 2\n")
    await git.commit("project", ["a.py"], "tune", clear_outputs=False)
    with pytest.raises(rules.BranchNotPushed) as refused:
        await git.open_merge_request("project", title="Tune", description="", target_branch="main")
    assert refused.value.params == {"branch": "tune"}
    await git.push("project")
    opened = await git.open_merge_request(
        "project", title="Tune", description="d", target_branch="main"
    )
    assert opened.source_branch == "tune"
    assert gitlab.asked == [("open", str(gitlab.folder / "project.git"), "tune", "main", "Tune")]

    _git(home / "project", "switch", "--detach", "HEAD")
    with pytest.raises(rules.DetachedHead):
        await git.open_merge_request("project", title="T", description="", target_branch="main")


@pytest.mark.asyncio
async def test_a_tracker_outage_does_not_fail_the_commit(
    git: GitWorkspace, home: Path, lineage: Lineage, caplog: pytest.LogCaptureFixture
) -> None:
    await _published(git, home)
    lineage.failure = Unavailable("MLflow is not reachable right now.")
    (home / "project" / "b.py").write_text("b = 1\n")
    result = await git.commit("project", ["b.py"], "b", clear_outputs=False)
    assert result.linked_runs == ()
    assert result.commit == _git(home / "project", "rev-parse", "HEAD").strip()
    assert "could not tag running experiment runs" in caplog.text

    lineage.failure = None
    (home / "project" / "c.py").write_text("c = 1\n")
    result = await git.commit("project", ["c.py"], "c", clear_outputs=False)
    assert lineage.linked[-1] == (result.commit, str(home.parent / "gitlab" / "project.git"))


@pytest.mark.asyncio
async def test_without_lineage_a_commit_links_nothing(
    home: Path, runner: CountingGit, gitlab: DiskGitLab
) -> None:
    git = GitWorkspace(runner, home, host=gitlab, author=AUTHOR)
    await git.init("project")
    (home / "project" / "a.py").write_text("a = 1\n")
    assert (await git.commit("project", ["a.py"], "a", clear_outputs=False)).linked_runs == ()


# ---- reasons a person is told apart
@pytest.mark.asyncio
async def test_failures_carry_reasons_and_params(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab
) -> None:
    with pytest.raises(rules.NotARepository) as not_repo:
        await git.branches("project")
    assert not_repo.value.params == {"folder": "project"}
    with pytest.raises(rules.OutsideHome):
        await git.status("../..")
    with pytest.raises(rules.NoSuchFolder):
        await git.status("nope")
    await _committed(git, home)
    with pytest.raises(rules.AlreadyARepository):
        await git.init("project")
    with pytest.raises(rules.BadBranchName) as bad_name:
        await git.create_branch("project", "a..b")
    assert (bad_name.value.reason, bad_name.value.params) == (
        "git_bad_branch_name",
        {"name": "a..b"},
    )
    await git.create_branch("project", "other")
    with pytest.raises(rules.BranchExists) as exists:
        await git.create_branch("project", "other")
    assert exists.value.params == {"name": "other"}
    with pytest.raises(rules.NothingToCommit):
        await git.commit("project", ["a.py"], "again", clear_outputs=False)
    with pytest.raises(rules.OutsideRepository):
        await git.commit("project", ["../x"], "x", clear_outputs=False)
    (home / "project" / "bad.ipynb").write_text("not json")
    with pytest.raises(rules.UnreadableNotebook) as unreadable:
        await git.commit("project", ["bad.ipynb"], "x", clear_outputs=True)
    assert unreadable.value.params == {"path": "bad.ipynb"}
    with pytest.raises(rules.NoRemote):
        await git.push("project")

    (home / "project" / "a.py").write_text("a = 2\n")
    await git.commit("project", ["a.py"], "two", clear_outputs=False)
    await git.switch("project", "main")
    (home / "project" / "a.py").write_text("a = 3\n")
    with pytest.raises(rules.ChangesWouldBeOverwritten) as overwritten:
        await git.switch("project", "other")
    assert overwritten.value.params == {"command": "switch", "files": "a.py"}

    await git.publish("project", "project")
    gitlab.saved_token = None
    with pytest.raises(rules.NoTokenSaved):
        await git.push("project")


@pytest.mark.asyncio
async def test_unresolved_conflicts_are_named(
    git: GitWorkspace, home: Path, gitlab: DiskGitLab, tmp_path: Path
) -> None:
    await _published(git, home)
    (home / "project" / "notes.txt").write_text("ours\n")
    await git.commit("project", ["notes.txt"], "ours", clear_outputs=False)
    _git(tmp_path, "clone", "-q", str(gitlab.folder / "project.git"), "other")
    (tmp_path / "other" / "notes.txt").write_text("theirs\n")
    _git(tmp_path / "other", "add", "notes.txt")
    _git(tmp_path / "other", "commit", "-qm", "theirs")
    _git(tmp_path / "other", "push", "-q", "origin", "main")

    with pytest.raises(rules.PushRejected):
        await git.push("project")
    pulled = await git.pull("project")
    assert pulled.conflicts == ("notes.txt",)
    assert [f.path for f in pulled.status.files if f.conflicted] == ["notes.txt"]

    with pytest.raises(rules.MergeConflicts) as error:
        await git.switch("project", "main")
    assert error.value.params == {"command": "switch", "files": "notes.txt"}
    with pytest.raises(rules.MergeConflicts) as error:
        await git.pull("project")
    assert error.value.params == {"command": "pull", "files": "notes.txt"}


def test_the_reasons_are_declared_once_and_listed() -> None:
    listed = all_reasons()  # a duplicate reason would have raised TypeError on import
    errors = [
        value
        for value in vars(rules).values()
        if isinstance(value, type)
        and issubclass(value, PlatformError)
        and value.__module__ == rules.__name__
    ]
    declared = {error.reason for error in errors}
    assert len(declared) == len(errors)
    assert declared <= set(listed)
    assert all(reason.startswith("git_") for reason in declared)


def test_git_failures_are_classified() -> None:
    from jupyterlab_mlplat.core.git.records import GitResult

    def failure(stderr: str) -> str:
        return rules.git_failure(GitResult(1, b"", stderr), "push").reason

    assert failure("fatal: Authentication failed for 'https://x'") == "git_token_refused"
    assert failure(" ! [rejected]        main -> main (fetch first)") == "git_push_rejected"
    assert failure("fatal: unable to access 'https://x': Could not resolve host: x") == (
        "git_remote_unreachable"
    )
    assert failure("fatal: something new") == "git_failed"
    unreachable = rules.git_failure(
        GitResult(1, b"", "fatal: unable to access 'https://oauth2:tok@x/': Failed to connect"),
        "push",
    )
    assert "tok" not in str(unreachable.params)
