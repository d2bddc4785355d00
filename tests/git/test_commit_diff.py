"""The diff a reviewer reads, from the champion's commit to the candidate's, on real git:
notebooks as their cells' sources with the cells counted (outputs are results, not code), other
files as git's unified diff."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.git import CliGit
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound
from tests.git.fakes import DiskGitLab


def _notebook(*sources: str, output: str = "") -> str:
    cells = [
        {
            "cell_type": "code",
            "id": f"c{i}",
            "source": source,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": output}]
            if output
            else [],
            "execution_count": 1 if output else None,
        }
        for i, source in enumerate(sources)
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[GitWorkspace, str, str]:
    project = tmp_path / "home" / "project"
    project.mkdir(parents=True)
    _git(project, "init", "-q", "-b", "main")
    (project / "train.ipynb").write_text(_notebook("x = 1\n", "print(x)", output="OUTPUT-ONE"))
    (project / "train.py").write_text("C = 1.0\n")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "champion")
    champion = _git(project, "rev-parse", "HEAD")
    (project / "train.ipynb").write_text(
        _notebook("x = 2\n", "print(x)", "print(x * 2)", output="OUTPUT-TWO")
    )
    (project / "train.py").write_text("C = 0.5\n")
    _git(project, "commit", "-q", "-am", "candidate")
    candidate = _git(project, "rev-parse", "HEAD")
    gitlab = DiskGitLab(tmp_path / "gitlab", saved_token=None)
    workspace = GitWorkspace(CliGit(), tmp_path / "home", host=gitlab, author=("A", "a@x.org"))
    return workspace, champion, candidate


def test_notebooks_by_their_cells_and_files_by_git(repo: tuple[GitWorkspace, str, str]) -> None:
    git, champion, candidate = repo
    text = asyncio.run(git.diff_between("project", champion, candidate))
    assert "notebook train.ipynb: 1 cell(s) added, 0 removed, 1 edited" in text
    assert "-x = 1\n+x = 2\n" in text
    assert "+print(x * 2)\n" in text
    assert "OUTPUT" not in text  # outputs are not code
    assert "-C = 1.0\n+C = 0.5\n" in text  # the script, as git diffs it
    assert '"cell_type"' not in text  # never the notebook's JSON


def test_without_a_champion_everything_is_new(repo: tuple[GitWorkspace, str, str]) -> None:
    git, _, candidate = repo
    text = asyncio.run(git.diff_between("project", None, candidate))
    assert "notebook train.ipynb: 3 cell(s) added, 0 removed, 0 edited" in text
    assert "+C = 0.5\n" in text


def test_a_commit_the_repository_lacks_or_an_option_is_refused(
    repo: tuple[GitWorkspace, str, str],
) -> None:
    git, champion, _ = repo
    with pytest.raises(InvalidInput):
        asyncio.run(git.diff_between("project", champion, "f" * 40))
    with pytest.raises(InvalidInput):
        asyncio.run(git.diff_between("project", "--output=/tmp/pwned", champion))
    with pytest.raises(NotFound):
        asyncio.run(git.diff_between("nowhere", None, champion))
