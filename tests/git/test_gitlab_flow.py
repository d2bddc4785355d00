"""The Git tab's API end to end: a Jupyter server with our extension and its platform, real git
pushing over smart HTTP to the GitLab stand-in, python-gitlab talking to its v4 API.

The person's GitLab token must never show up in a response, a file under the home (``.git/config``
included) or a log line; every test ends by searching for it.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.standins.gitlab.server import FakeGitLab, git_env

OUTPUT = {"output_type": "stream", "name": "stdout", "text": "0.93\n"}


def _notebook(source: str, outputs: list[Any]) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "id": "c1",
                    "source": source,
                    "metadata": {},
                    "outputs": outputs,
                    "execution_count": 3 if outputs else None,
                }
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab() as fake:
        fake.add_user("alice", name="Alice Analyst")
        yield fake
        assert fake.invalid_requests == []


@pytest.fixture
def token(gitlab: FakeGitLab) -> str:
    return gitlab.add_token("alice")


@pytest.fixture
def jp_server_config(tmp_path: Path, gitlab: FakeGitLab) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_mlplat_server": True},
            "allow_unauthenticated_access": False,
        },
        "MLPlatformServerApp": {"standalone_data_dir": str(tmp_path / "mlplat")},
        # the in-process platform reads the server's config: this workbench's GitLab
        "PlatformApp": {"gitlab_url": gitlab.url},
    }


class Sidebar:
    """The calls the Git tab makes, keeping every response body to search for the token."""

    def __init__(self, jp_fetch: Any) -> None:
        self._fetch = jp_fetch
        self.bodies: list[str] = []

    async def call(
        self, method: str, route: str, body: Any = None, **query: str
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "params": query}
        if body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT"):
            kwargs["body"] = "{}"
        try:
            response = await self._fetch("jupyterlab-mlplat", "git", route, **kwargs)
            text = response.body.decode() if response.body else ""
            status = response.code
        except HTTPClientError as err:
            if err.response is None:  # no HTTP answer at all: not what these tests expect
                raise
            text, status = err.response.body.decode(), err.code
        self.bodies.append(text)
        return status, json.loads(text) if text else None


@pytest.fixture
def sidebar(jp_fetch: Any) -> Sidebar:
    return Sidebar(jp_fetch)


def _git(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True, env=env
    ).stdout


def _assert_token_nowhere(token: str, root: Path, sidebar: Sidebar, caplog: Any) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    for body in sidebar.bodies:
        assert token not in body
    assert token not in caplog.text


async def _published(sidebar: Sidebar, root: Path, token: str) -> None:
    """alice's folder "churn" with one notebook, committed without outputs and published."""
    (root / "churn").mkdir()
    (root / "churn" / "train.ipynb").write_text(_notebook("fit()", [OUTPUT]))
    assert (await sidebar.call("PUT", "account", {"token": token}))[0] == 200
    assert (await sidebar.call("POST", "init", {"path": "churn"}))[0] == 201
    status, body = await sidebar.call(
        "POST",
        "commit",
        {
            "path": "churn",
            "files": ["train.ipynb"],
            "message": "First model",
            "clear_outputs": True,
        },
    )
    assert status == 201, body
    status, body = await sidebar.call("POST", "publish", {"path": "churn", "name": "churn"})
    assert status == 201, body
    assert set(body) == {"project", "status"}
    assert body["project"]["path_with_namespace"] == "alice/churn"
    assert (body["status"]["branch"], body["status"]["upstream"]) == ("main", "origin/main")


async def test_the_token_is_checked_kept_and_never_returned(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    status, account = await sidebar.call("GET", "account")
    assert status == 200
    assert account == {"configured": True, "url": gitlab.url, "token": None}

    status, refused = await sidebar.call("PUT", "account", {"token": "glpat-not-a-real-token"})
    assert status == 403
    assert "GitLab refused your token" in refused["message"]

    status, saved = await sidebar.call("PUT", "account", {"token": token})
    assert status == 200
    assert saved["gitlab_username"] == "alice"
    assert saved["hint"] == token[-4:]
    status, account = await sidebar.call("GET", "account")
    assert account["token"]["gitlab_username"] == "alice"

    assert (await sidebar.call("DELETE", "account"))[0] == 204
    assert (await sidebar.call("GET", "account"))[1]["token"] is None
    _assert_token_nowhere(token, jp_root_dir, sidebar, caplog)


async def test_commit_publish_branch_push_and_merge_request(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    await _published(sidebar, jp_root_dir, token)

    # GitLab got the commit, with the notebook's outputs cleared; the disk keeps them
    assert gitlab.project("alice/churn")["default_branch"] == "main"
    committed = json.loads(_git(gitlab.repo_path("alice/churn"), "show", "main:train.ipynb"))
    assert committed["cells"][0]["outputs"] == []
    on_disk = json.loads((jp_root_dir / "churn" / "train.ipynb").read_text())
    assert on_disk["cells"][0]["outputs"] == [OUTPUT]

    status, state = await sidebar.call("GET", "status", path="churn")
    assert (state["branch"], state["upstream"], state["ahead"]) == ("main", "origin/main", 0)
    assert state["remote_url"] == gitlab.clone_url("alice/churn")

    # a branch, an edit summarised by cell, a push, a merge request with its pipeline
    assert (await sidebar.call("POST", "branches", {"path": "churn", "name": "tune"}))[0] == 201
    (jp_root_dir / "churn" / "train.ipynb").write_text(_notebook("fit(depth=4)", [OUTPUT]))
    status, state = await sidebar.call("GET", "status", path="churn")
    (changed,) = state["files"]
    assert changed["notebook"]["edited"] == 1
    status, body = await sidebar.call(
        "POST",
        "commit",
        {
            "path": "churn",
            "files": ["train.ipynb"],
            "message": "Deeper trees",
            "clear_outputs": True,
        },
    )
    assert status == 201, body
    # one request: the commit answers with the status it left (the notebook keeps its outputs)
    assert body["commit"] == _git(jp_root_dir / "churn", "rev-parse", "HEAD").strip()
    assert body["linked_runs"] == []
    assert (body["status"]["branch"], body["status"]["upstream"]) == ("tune", None)
    assert [f["path"] for f in body["status"]["files"]] == ["train.ipynb"]
    assert body["status"]["files"][0]["notebook"]["outputs_only"] is True

    status, refused = await sidebar.call(
        "POST", "merge-requests", {"path": "churn", "title": "Deeper trees"}
    )
    assert status == 409 and "Push tune first" in refused["message"]
    assert (refused["reason"], refused["params"]) == ("git_branch_not_pushed", {"branch": "tune"})
    status, pushed = await sidebar.call("POST", "push", {"path": "churn"})
    assert status == 200
    # one request: the push answers with the new status
    assert (pushed["branch"], pushed["upstream"], pushed["ahead"]) == ("tune", "origin/tune", 0)
    assert pushed["remote_url"] == gitlab.clone_url("alice/churn")
    assert "tune" in gitlab.branches("alice/churn")

    status, merge_request = await sidebar.call(
        "POST",
        "merge-requests",
        {"path": "churn", "title": "Deeper trees", "description": "depth 4 beats 3"},
    )
    assert status == 201, merge_request
    assert merge_request["web_url"].startswith(f"{gitlab.url}/alice/churn/-/merge_requests/")
    assert merge_request["source_branch"] == "tune"
    status, listed = await sidebar.call("GET", "merge-requests", path="churn")
    assert [m["iid"] for m in listed["merge_requests"]] == [merge_request["iid"]]

    gitlab.set_pipeline_status("alice/churn", "tune", "success")
    status, latest = await sidebar.call("GET", "pipeline", path="churn")
    assert latest["pipeline"]["status"] == "success"
    assert latest["pipeline"]["ref"] == "tune"

    config = (jp_root_dir / "churn" / ".git" / "config").read_text()
    assert "helper" not in config
    _assert_token_nowhere(token, jp_root_dir, sidebar, caplog)


async def test_a_rejected_push_offers_pull_and_a_conflict_is_left_as_git_left_it(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path, tmp_path: Path
) -> None:
    await _published(sidebar, jp_root_dir, token)
    (jp_root_dir / "churn" / "notes.txt").write_text("ours\n")
    await sidebar.call(
        "POST",
        "commit",
        {"path": "churn", "files": ["notes.txt"], "message": "ours", "clear_outputs": False},
    )
    # a colleague pushed to main meanwhile
    env = git_env(tmp_path / "colleague", gitlab.add_token("alice"))
    _git(tmp_path, "clone", gitlab.clone_url("alice/churn"), "other", env=env)
    (tmp_path / "other" / "notes.txt").write_text("theirs\n")
    _git(tmp_path / "other", "add", "notes.txt", env=env)
    _git(tmp_path / "other", "commit", "-m", "theirs", env=env)
    _git(tmp_path / "other", "push", "origin", "main", env=env)

    status, refused = await sidebar.call("POST", "push", {"path": "churn"})
    assert status == 409
    assert "Pull first" in refused["message"]
    assert refused["reason"] == "git_push_rejected"

    status, pulled = await sidebar.call("POST", "pull", {"path": "churn"})
    assert status == 200
    assert pulled["conflicts"] == ["notes.txt"]
    assert [f["path"] for f in pulled["status"]["files"] if f["index"] == "U"] == ["notes.txt"]
    status, refused = await sidebar.call("POST", "checkout", {"path": "churn", "name": "main"})
    assert status == 409
    assert (refused["reason"], refused["params"]["files"]) == ("git_merge_conflicts", "notes.txt")
    text = (jp_root_dir / "churn" / "notes.txt").read_text()
    assert "<<<<<<<" in text and "ours" in text and "theirs" in text
    status, state = await sidebar.call("GET", "status", path="churn")
    assert [f["path"] for f in state["files"] if f["index"] == "U"] == ["notes.txt"]


async def test_a_revoked_token_and_an_unreachable_gitlab_get_clear_messages(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path
) -> None:
    await _published(sidebar, jp_root_dir, token)
    await sidebar.call("POST", "branches", {"path": "churn", "name": "next"})
    (jp_root_dir / "churn" / "a.py").write_text("a = 1\n")
    await sidebar.call(
        "POST",
        "commit",
        {"path": "churn", "files": ["a.py"], "message": "a", "clear_outputs": False},
    )
    with gitlab.unreachable():
        status, body = await sidebar.call("POST", "push", {"path": "churn"})
        assert status == 503
        assert "not reachable" in body["message"]
        assert body["reason"] == "git_remote_unreachable"
        status, body = await sidebar.call("GET", "pipeline", path="churn")
        assert status == 503
    gitlab.revoke_token(token)
    status, body = await sidebar.call("POST", "push", {"path": "churn"})
    assert status == 403
    assert "GitLab refused your token" in body["message"]
    assert body["reason"] == "git_token_refused"
    status, body = await sidebar.call("GET", "pipeline", path="churn")
    assert status == 403


async def test_paths_outside_the_home_and_missing_remotes_are_refused(
    sidebar: Sidebar, token: str, jp_root_dir: Path
) -> None:
    status, body = await sidebar.call("GET", "status", path="../..")
    assert status == 403 and "outside your home" in body["message"]
    assert body["reason"] == "git_outside_home"
    (jp_root_dir / "solo").mkdir()
    await sidebar.call("POST", "init", {"path": "solo"})
    status, body = await sidebar.call(
        "POST", "commit", {"path": "solo", "files": ["../../etc/passwd"], "message": "x"}
    )
    assert status == 403
    assert body["reason"] == "git_outside_repository"
    (jp_root_dir / "solo" / "a.py").write_text("a = 1\n")
    status, _ = await sidebar.call(
        "POST", "commit", {"path": "solo", "files": ["a.py"], "message": "m"}
    )
    assert status == 201
    for route, body in (
        ("push", {"path": "solo"}),
        ("pull", {"path": "solo"}),
        ("merge-requests", {"path": "solo", "title": "t"}),
    ):
        status, answer = await sidebar.call("POST", route, body)
        assert (status, answer["reason"]) == (409, "git_no_remote"), route
        assert "no remote" in answer["message"]
    status, answer = await sidebar.call("POST", "checkout", {"path": "solo", "name": "nope"})
    assert (status, answer["reason"], answer["params"]) == (
        404,
        "git_no_such_branch",
        {"name": "nope"},
    )
    status, body = await sidebar.call("POST", "branches", {"path": "solo", "name": "a..b"})
    assert (status, body["reason"], body["params"]) == (
        400,
        "git_bad_branch_name",
        {"name": "a..b"},
    )
    status, body = await sidebar.call("GET", "branches", path="")
    assert (status, body["reason"]) == (404, "git_not_a_repository")
    status, body = await sidebar.call("POST", "commit", {"path": "solo", "files": []})
    assert status == 400


async def test_an_expired_token_is_refused_when_saved(sidebar: Sidebar, gitlab: FakeGitLab) -> None:
    expired = gitlab.add_token("alice", expires_at=date(2026, 1, 1))
    status, body = await sidebar.call("PUT", "account", {"token": expired})
    assert status == 403
    assert "expired" in body["message"]
    assert (await sidebar.call("GET", "account"))[1]["token"] is None


async def test_force_push_only_when_asked_and_never_over_unseen_work(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path, tmp_path: Path
) -> None:
    await _published(sidebar, jp_root_dir, token)
    await sidebar.call("POST", "branches", {"path": "churn", "name": "experiment"})
    (jp_root_dir / "churn" / "a.py").write_text("a = 1\n")
    await sidebar.call(
        "POST",
        "commit",
        {"path": "churn", "files": ["a.py"], "message": "a", "clear_outputs": False},
    )
    assert (await sidebar.call("POST", "push", {"path": "churn"}))[0] == 200
    # rewrite our own history (amend), as people do before a merge request
    _git(jp_root_dir / "churn", "commit", "--amend", "-m", "a, better", env=git_env(tmp_path / "h"))
    status, body = await sidebar.call("POST", "push", {"path": "churn"})
    assert status == 409  # a plain push never overwrites
    assert body["reason"] == "git_push_rejected"
    status, body = await sidebar.call("POST", "push", {"path": "churn", "force": True})
    assert status == 200, body
    remote_head = gitlab.branches("alice/churn")["experiment"]
    assert remote_head == _git(jp_root_dir / "churn", "rev-parse", "HEAD").strip()


async def test_publishing_an_empty_repository_creates_nothing(
    sidebar: Sidebar, token: str, gitlab: FakeGitLab, jp_root_dir: Path
) -> None:
    (jp_root_dir / "empty").mkdir()
    await sidebar.call("PUT", "account", {"token": token})
    await sidebar.call("POST", "init", {"path": "empty"})
    status, body = await sidebar.call("POST", "publish", {"path": "empty", "name": "empty"})
    assert status == 409 and "Commit something first" in body["message"]
    assert body["reason"] == "git_no_commits"
    assert gitlab.projects == {}
    assert (await sidebar.call("GET", "status", path="empty"))[1]["remote_url"] is None
    # without a remote there is nothing to list, the same way for both GitLab views
    assert await sidebar.call("GET", "merge-requests", path="empty") == (
        200,
        {"merge_requests": []},
    )
    assert await sidebar.call("GET", "pipeline", path="empty") == (200, {"pipeline": None})


async def test_a_push_without_a_saved_token_says_so(
    sidebar: Sidebar, token: str, jp_root_dir: Path
) -> None:
    await _published(sidebar, jp_root_dir, token)
    assert (await sidebar.call("DELETE", "account"))[0] == 204
    status, body = await sidebar.call("POST", "push", {"path": "churn"})
    assert (status, body["reason"]) == (403, "git_no_token_saved")


async def test_every_git_route_is_in_the_sidebar_document(sidebar: Sidebar, jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-mlplat", "openapi.json")
    document = json.loads(response.body)
    paths = {p: item for p, item in document["paths"].items() if p.startswith("/git/")}
    assert set(paths) == {
        "/git/status",
        "/git/init",
        "/git/commit",
        "/git/pull",
        "/git/push",
        "/git/branches",
        "/git/checkout",
        "/git/account",
        "/git/namespaces",
        "/git/publish",
        "/git/merge-requests",
        "/git/pipeline",
    }
    commit = paths["/git/commit"]["post"]
    assert commit["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CommitBody"
    }
    schemas = document["components"]["schemas"]
    assert {"commit", "linked_runs", "status"} <= set(schemas["CommitResultBody"]["properties"])
    assert set(schemas["RepoStatusBody"]["required"]) == {
        "folder",
        "repository",
        "branch",
        "upstream",
        "ahead",
        "behind",
        "remote_url",
        "files",
    }
    reasons = schemas["ErrorBody"]["properties"]["reason"]["enum"]
    assert {"git_push_rejected", "git_merge_conflicts", "git_no_token_saved"} <= set(reasons)
