"""A data scientist versions a notebook folder from the Git tab: git init, her GitLab token,
a commit without outputs, publishing to GitLab, a branch, a push and a merge request with its
pipeline, all against the GitLab stand-in over real git and HTTP."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.standins.gitlab.server import FakeGitLab, git_env
from tests.workbench import give_to_home_owner

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
FOLDER = "demand"
NOTEBOOK = "forecast.ipynb"
OUTPUT = {"output_type": "stream", "name": "stdout", "text": "MAPE 0.071\n"}


def _notebook(path: Path) -> None:
    """Two cells, the second with an output, as Jupyter would have saved them after a run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [
        {
            "cell_type": "markdown",
            "id": "title",
            "metadata": {},
            "source": "# Demand forecast",
        },
        {
            "cell_type": "code",
            "execution_count": 1,
            "id": "fit",
            "metadata": {},
            "outputs": [OUTPUT],
            "source": "print('MAPE', 0.071)",
        },
    ]
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def _committed(gitlab: FakeGitLab, project: str, ref: str, path: str) -> dict[str, Any]:
    """A file as GitLab's repository has it on a branch (read with git, not through the API)."""
    shown = subprocess.run(
        ["git", "show", f"{ref}:{path}"],
        cwd=gitlab.repo_path(project),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def _section(panel: Locator, name: str) -> Locator:
    return panel.get_by_role("region", name=name, exact=True)


def _colleague_pushes(gitlab: FakeGitLab, project: str, branch: str, home: Path) -> None:
    """Someone else pushes a commit to the branch meanwhile, with a git client of their own."""
    env = git_env(home, gitlab.add_token("alice"))

    def git(*args: str, cwd: Path = home) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    git("clone", "--branch", branch, gitlab.clone_url(project), "clone")
    (home / "clone" / "NOTES.md").write_text("Holidays move the demand peaks.\n")
    git("add", "NOTES.md", cwd=home / "clone")
    git("commit", "-m", "Notes on holidays", cwd=home / "clone")
    git("push", "origin", branch, cwd=home / "clone")


def _edit_and_save(page: Page, text: str) -> None:
    """Type at the end of the notebook's code cell and save, as a person would."""
    page.locator(".jp-Notebook .jp-CodeCell .cm-content").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)
    page.keyboard.press("Control+s")


def test_alice_commits_publishes_and_opens_a_merge_request(
    page: Page,
    workbench: Any,
    gitlab: FakeGitLab,
    open_panel: Callable[[str], Locator],
    panel_of: Callable[[Page], Locator],
    screenshot: Shot,
    tmp_path: Path,
) -> None:
    gitlab.add_user("alice", name="Alice Analyst")
    token = gitlab.add_token("alice")
    home = workbench.data_dir / "home" / "alice"
    on_disk = home / FOLDER / NOTEBOOK
    _notebook(on_disk)
    give_to_home_owner(on_disk, home)

    # alice opens her notebook; the Git tab follows its folder, which is no repository yet
    open_panel("alice")
    page.goto(f"{workbench.url}/user/alice/lab/tree/{FOLDER}/{NOTEBOOK}?reset")
    expect(page.locator(".jp-OutputArea-output").filter(has_text="MAPE 0.071")).to_be_visible(
        timeout=60_000
    )
    panel = panel_of(page)
    panel.get_by_role("tab", name="Git").click()
    expect(panel.get_by_label("Folder", exact=True)).to_have_value(FOLDER)
    expect(panel.get_by_text(f"“{FOLDER}” is not in a git repository.")).to_be_visible(
        timeout=30_000
    )
    panel.get_by_role("button", name="Initialise a repository here").click()
    expect(panel.get_by_text("Repository created.")).to_be_visible(timeout=30_000)

    # a mistyped token is refused by GitLab and not kept in the page; the right one is saved
    account = _section(panel, "GitLab account")
    token_input = account.get_by_label("Personal access token")
    expect(token_input).to_have_attribute("type", "password")
    token_input.fill("glpat-not-my-token")
    account.get_by_role("button", name="Save token").click()
    expect(account.get_by_role("alert")).to_contain_text("GitLab refused your token")
    expect(token_input).to_have_value("")
    token_input.fill(token)
    account.get_by_role("button", name="Save token").click()
    expect(account).to_contain_text("Token saved: GitLab knows you as alice.")
    expect(account).to_contain_text(f"ending in …{token[-4:]}")
    expect(account.get_by_label("Replace with a new token")).to_have_value("")
    assert token not in page.content()

    # the notebook is listed with what changed in cells, not as JSON
    changes = _section(panel, "Changes")
    # the row of the notebook itself: while JupyterLab saves, its temporary `.~forecast.ipynb`
    # may be listed too, and a plain substring matches both rows
    row = changes.get_by_role("listitem").filter(has_text=re.compile("^" + re.escape(NOTEBOOK)))
    expect(row).to_contain_text("Cells: 2 added")
    expect(row).to_contain_text("new")
    changes.scroll_into_view_if_needed()
    screenshot("alice-git-status")

    # committed with "clear notebook outputs" (on by default)
    changes.get_by_role("checkbox", name=NOTEBOOK, exact=True).check()
    expect(
        changes.get_by_role("checkbox", name="Clear notebook outputs in the commit")
    ).to_be_checked()
    changes.get_by_label("Commit message").fill("First demand forecast")
    changes.get_by_role("button", name="Commit", exact=True).click()
    expect(changes.get_by_role("status")).to_contain_text("Committed", timeout=30_000)
    expect(changes.get_by_label("Commit message")).to_have_value("")
    changes.scroll_into_view_if_needed()
    screenshot("alice-git-committed")

    # published to GitLab in her own namespace: the project exists, without the outputs
    publish = _section(panel, "Publish to GitLab")
    expect(publish.get_by_label("Project name")).to_have_value(FOLDER)
    expect(publish.get_by_label("Namespace")).to_contain_text("alice (your own)")
    publish.get_by_role("button", name="Publish", exact=True).click()
    gitlab_section = _section(panel, "GitLab")
    published = gitlab_section.get_by_role("link", name=f"alice/{FOLDER}")
    expect(published).to_be_visible(timeout=60_000)
    project = gitlab.project(f"alice/{FOLDER}")
    expect(published).to_have_attribute("href", project["web_url"])
    expect(published).to_have_attribute("target", "_blank")
    assert project["visibility"] == "private"
    committed = _committed(gitlab, f"alice/{FOLDER}", "main", NOTEBOOK)
    assert committed["cells"][1]["outputs"] == []
    assert json.loads(on_disk.read_text())["cells"][1]["outputs"] == [OUTPUT]
    branch = _section(panel, "Branch")
    expect(branch).to_contain_text("Up to date with GitLab.")

    # a branch for the experiment; the notebook is edited in JupyterLab and saved
    branch.get_by_label("New branch").fill("tune")
    branch.get_by_role("button", name="Create branch").click()
    expect(branch).to_contain_text("Created the branch “tune” and switched to it.")
    expect(branch.get_by_label("Current branch")).to_have_value("tune")
    _edit_and_save(page, "  # seasonal model")
    # saving the file refreshes the tab by itself
    expect(row).to_contain_text("Cells: 1 edited", timeout=30_000)

    # committed and pushed: the branch reaches GitLab
    changes.get_by_role("checkbox", name=NOTEBOOK, exact=True).check()
    changes.get_by_label("Commit message").fill("Seasonal model")
    changes.get_by_role("button", name="Commit", exact=True).click()
    expect(changes.get_by_role("status")).to_contain_text("Committed", timeout=30_000)
    expect(branch).to_contain_text("“tune” is not on GitLab yet: push it.")
    branch.get_by_role("button", name="Push", exact=True).click()
    expect(branch).to_contain_text("Pushed to GitLab.", timeout=60_000)
    assert "tune" in gitlab.branches(f"alice/{FOLDER}")
    edited = _committed(gitlab, f"alice/{FOLDER}", "tune", NOTEBOOK)
    assert "seasonal model" in "".join(edited["cells"][1]["source"])
    assert edited["cells"][1]["outputs"] == []

    # a merge request from the branch, with its link and the branch's pipeline
    form = panel.get_by_role("form", name="New merge request")
    form.get_by_label("Title").fill("Seasonal model")
    form.get_by_label("Description").fill("MAPE drops from 0.071 to 0.064.")
    expect(form.get_by_label("Into branch")).to_have_value("main")
    form.get_by_role("button", name="Open merge request").click()
    expect(gitlab_section).to_contain_text("Merge request opened:", timeout=30_000)
    (created,) = gitlab.merge_requests(f"alice/{FOLDER}")
    assert (created["source_branch"], created["target_branch"]) == ("tune", "main")
    assert created["description"] == "MAPE drops from 0.071 to 0.064."
    link = gitlab_section.get_by_role("link", name=f"!{created['iid']} Seasonal model").first
    expect(link).to_have_attribute("href", created["web_url"])
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile("noopener"))
    expect(gitlab_section).to_contain_text("Latest pipeline of “tune”: pending")
    expect(gitlab_section).to_contain_text("A merge request from “tune” is open")

    # a colleague pushed to the branch meanwhile: GitLab refuses alice's push, the tab offers
    # a pull (force only behind a confirmation), and after the pull her push goes through
    _colleague_pushes(gitlab, f"alice/{FOLDER}", "tune", tmp_path / "colleague")
    _edit_and_save(page, ", 'weekly'")
    expect(row).to_contain_text("Cells: 1 edited", timeout=30_000)
    changes.get_by_role("checkbox", name=NOTEBOOK, exact=True).check()
    changes.get_by_label("Commit message").fill("Weekly seasonality")
    changes.get_by_role("button", name="Commit", exact=True).click()
    expect(changes.get_by_role("status")).to_contain_text("Committed", timeout=30_000)
    branch.get_by_role("button", name="Push", exact=True).click()
    rejected = branch.get_by_role("alert")
    expect(rejected).to_contain_text("GitLab has commits your branch does not have", timeout=60_000)
    rejected.get_by_role("button", name="Push with force…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Overwrite “tune” on GitLab?")
    rejected.scroll_into_view_if_needed()
    screenshot("alice-git-push-rejected")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    rejected.get_by_role("button", name="Pull now").click()
    expect(branch).to_contain_text(
        "Pulled GitLab\N{RIGHT SINGLE QUOTATION MARK}s new commits.", timeout=60_000
    )
    assert (on_disk.parent / "NOTES.md").is_file()
    branch.get_by_role("button", name="Push", exact=True).click()
    expect(branch).to_contain_text("Pushed to GitLab.", timeout=60_000)
    assert "weekly" in "".join(
        _committed(gitlab, f"alice/{FOLDER}", "tune", NOTEBOOK)["cells"][1]["source"]
    )
    assert (
        "NOTES.md"
        in subprocess.run(
            ["git", "ls-tree", "--name-only", "tune"],
            cwd=gitlab.repo_path(f"alice/{FOLDER}"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )

    expect(gitlab_section).to_contain_text("Latest pipeline of “tune”: pending", timeout=30_000)
    gitlab.set_pipeline_status(f"alice/{FOLDER}", "tune", "success")
    panel.get_by_role("button", name="Refresh", exact=True).click()
    expect(gitlab_section).to_contain_text("Latest pipeline of “tune”: passed", timeout=30_000)
    gitlab_section.scroll_into_view_if_needed()
    screenshot("alice-git-merge-request")
    assert gitlab.invalid_requests == []
    assert token not in page.content()
