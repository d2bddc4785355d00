"""The GitLab stand-in behaves like GitLab for python-gitlab and for real ``git`` over HTTP.

These tests pin what the workbench's git features will rely on: python-gitlab unchanged (and
without warnings) against the API, git authenticating through an askpass helper with a token
that never appears in a URL, GitLab's answers to wrong, expired, under-scoped and foreign tokens,
pipelines appearing on push, merge request rules, and outages a client must survive.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import gitlab
import pytest
import requests

from tests.standins.gitlab.server import DEVELOPER, REPORTER, FakeGitLab, git_env

Git = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def server() -> Iterator[FakeGitLab]:
    """A fresh GitLab with alice; every test must leave no invalid request and no failure."""
    with FakeGitLab() as fake:
        fake.add_user("alice", name="Alice Example", email="alice@example.com")
        yield fake
    assert fake.failures == [], "the stand-in itself failed (see the log)"
    assert fake.invalid_requests == []
    assert fake.unimplemented == []


@pytest.fixture
def token(server: FakeGitLab) -> str:
    return server.add_token("alice")


@pytest.fixture
def gl(server: FakeGitLab, token: str) -> Iterator[gitlab.Gitlab]:
    with gitlab.Gitlab(server.url, private_token=token) as client:
        yield client


def make_git(home: Path, token: str | None) -> Git:
    """``git(*args, cwd=..., check=...)`` with an isolated HOME and the token in askpass only."""
    env = git_env(home, token)

    def git(
        *args: str, cwd: Path | None = None, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            pytest.fail(f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    return git


@pytest.fixture
def git(tmp_path: Path, token: str) -> Git:
    return make_git(tmp_path / "home", token)


def commit(git: Git, work: Path, name: str, content: str, message: str) -> str:
    (work / name).write_text(content)
    git("add", name, cwd=work)
    git("commit", "-q", "-m", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


# ------------------------------------------------------------------------------ REST API


def test_python_gitlab_authenticates_and_reads_the_user(
    server: FakeGitLab, gl: gitlab.Gitlab, token: str
) -> None:
    gl.auth()
    assert gl.user is not None
    assert (gl.user.username, gl.user.name, gl.user.email) == (
        "alice",
        "Alice Example",
        "alice@example.com",
    )
    assert gl.version()[0] == "19.0.0"
    assert server.requests[0].auth == "PRIVATE-TOKEN"
    assert server.requests[0].token == token
    assert server.tokens_seen == {token}
    # the token's own view, for a platform that checks scopes and expiry before storing a token
    me = gl.http_get("/personal_access_tokens/self")
    assert me["scopes"] == ["api", "write_repository"]
    assert me["active"] is True


def test_bearer_and_query_tokens_are_told_apart(server: FakeGitLab, token: str) -> None:
    """Tests can prove a token went in a header, not in a URL that proxies log."""
    bearer = requests.get(
        f"{server.url}/api/v4/user", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    leaked = requests.get(f"{server.url}/api/v4/user", params={"private_token": token}, timeout=5)
    assert bearer.status_code == leaked.status_code == 200
    assert [r.auth for r in server.requests] == ["Bearer", "query"]
    assert token in server.requests[1].url


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("unknown", {"message": "401 Unauthorized"}),
        ("expired", {"error": "invalid_token", "error_description": "Token has expired."}),
        ("revoked", {"error": "invalid_token", "error_description": "Token has been revoked."}),
    ],
)
def test_bad_tokens_are_401_like_gitlab(server: FakeGitLab, kind: str, body: object) -> None:
    if kind == "unknown":
        bad = "glpat-not-a-real-token"
    elif kind == "expired":
        bad = server.add_token("alice", expires_at=date.today() - timedelta(days=1))
    else:
        bad = server.add_token("alice", revoked=True)
    with (
        gitlab.Gitlab(server.url, private_token=bad) as client,
        pytest.raises(gitlab.GitlabAuthenticationError) as raised,
    ):
        client.auth()
    assert raised.value.response_code == 401
    answer = requests.get(f"{server.url}/api/v4/user", headers={"PRIVATE-TOKEN": bad}, timeout=5)
    assert answer.json() == body
    assert bad in server.tokens_seen


def test_a_token_without_api_scope_is_403(server: FakeGitLab) -> None:
    git_only = server.add_token("alice", scopes=("write_repository",))
    with (
        gitlab.Gitlab(server.url, private_token=git_only) as client,
        pytest.raises(gitlab.GitlabListError) as raised,
    ):
        client.projects.list(get_all=True)
    assert raised.value.response_code == 403
    assert "insufficient_scope" in raised.value.response_body.decode()


def test_create_and_get_a_project(server: FakeGitLab, gl: gitlab.Gitlab) -> None:
    created = gl.projects.create({"name": "Demo Project", "description": "a folder"})
    assert created.path == "demo-project"
    assert created.path_with_namespace == "alice/demo-project"
    assert created.visibility == "private"
    assert created.default_branch == "main"
    assert created.empty_repo is True
    assert created.namespace["kind"] == "user"
    assert created.web_url == f"{server.url}/alice/demo-project"
    assert created.http_url_to_repo == f"{server.url}/alice/demo-project.git"
    assert created.ssh_url_to_repo.endswith(":alice/demo-project.git")

    by_path = gl.projects.get("alice/demo-project")  # sent as alice%2Fdemo-project
    assert by_path.id == created.id
    assert gl.projects.get(created.id).name == "Demo Project"
    assert "/api/v4/projects/alice%2Fdemo-project" in [r.url for r in server.requests]

    repo = server.repo_path("alice/demo-project")
    config = subprocess.run(
        ["git", "--git-dir", str(repo), "config", "--get", "http.receivepack"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert config.stdout.strip() == "true"
    with pytest.raises(gitlab.GitlabGetError) as raised:
        gl.projects.get("alice/nothing-here")
    assert raised.value.response_code == 404
    assert raised.value.error_message == "404 Project Not Found"


def test_a_taken_path_is_400_with_gitlab_errors(gl: gitlab.Gitlab) -> None:
    gl.projects.create({"name": "demo"})
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        gl.projects.create({"name": "demo", "path": "demo"})
    assert raised.value.response_code == 400
    assert raised.value.error_message["path"] == ["has already been taken"]
    assert raised.value.error_message["name"] == ["has already been taken"]
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        gl.projects.create({"name": "other", "path": "-bad"})
    assert raised.value.response_code == 400
    assert "Cannot start with '-'" in raised.value.error_message["path"][0]


def test_bodies_gitlab_would_refuse_are_recorded(server: FakeGitLab, gl: gitlab.Gitlab) -> None:
    """A wrong type or a missing field is a bug in the client: answered 400 and recorded."""
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        gl.projects.create({"name": "x", "visibility": "secret"})
    assert raised.value.response_code == 400
    assert raised.value.error_message == "visibility does not have a valid value"
    project = gl.projects.create({"name": "ok"})
    with pytest.raises(gitlab.GitlabHttpError) as raised:
        gl.http_post(
            f"/projects/{project.id}/merge_requests",
            post_data={"source_branch": 5, "target_branch": "main"},
        )
    assert raised.value.response_code == 400
    assert "title is missing" in raised.value.error_message
    assert "source_branch is invalid" in raised.value.error_message
    assert [i.url for i in server.invalid_requests] == [
        "/api/v4/projects",
        f"/api/v4/projects/{project.id}/merge_requests",
    ]
    server.invalid_requests.clear()


def test_groups_namespaces_and_creating_in_a_group(server: FakeGitLab, gl: gitlab.Gitlab) -> None:
    server.add_user("bob")
    server.add_group("team", members={"alice": DEVELOPER, "bob": REPORTER}, name="Team")
    server.add_group("other")
    gl.auth()

    writable = gl.groups.list(min_access_level=DEVELOPER, get_all=True)
    assert [g.full_path for g in writable] == ["team"]
    namespaces = gl.namespaces.list(search="te", get_all=True)
    assert [(n.full_path, n.kind) for n in namespaces] == [("team", "group")]
    assert {n.kind for n in gl.namespaces.list(get_all=True)} == {"user", "group"}

    team = writable[0]
    project = gl.projects.create({"path": "shared", "namespace_id": team.id})
    assert project.path_with_namespace == "team/shared"
    assert project.name == "shared"

    with gitlab.Gitlab(server.url, private_token=server.add_token("bob")) as bob:
        assert bob.groups.list(min_access_level=DEVELOPER, get_all=True) == []
        with pytest.raises(gitlab.GitlabCreateError) as raised:
            bob.projects.create({"path": "mine", "namespace_id": team.id})
        assert raised.value.error_message == {"namespace": ["is not valid"]}


def test_project_lists_paginate_like_gitlab(server: FakeGitLab, gl: gitlab.Gitlab) -> None:
    for number in range(23):
        server.create_project("alice", f"p{number:02d}")
    assert len(gl.projects.list(owned=True, get_all=True)) == 23
    assert len(list(gl.projects.list(owned=True, iterator=True, per_page=5))) == 23
    # a list() without get_all sees from the headers that there is more, as against GitLab
    with pytest.warns(UserWarning, match="20 of 23 items"):
        assert len(gl.projects.list(owned=True)) == 20
    assert [p.path for p in gl.projects.list(search="p2", get_all=True)] == ["p22", "p21", "p20"]

    page = requests.get(
        f"{server.url}/api/v4/projects",
        params={"owned": "true", "per_page": 10, "page": 2},
        headers={"PRIVATE-TOKEN": gl.private_token or ""},
        timeout=5,
    )
    assert len(page.json()) == 10
    assert (page.headers["X-Total"], page.headers["X-Total-Pages"]) == ("23", "3")
    assert (page.headers["X-Prev-Page"], page.headers["X-Next-Page"]) == ("1", "3")
    assert page.links["next"]["url"].startswith(f"{server.url}/api/v4/projects?")
    assert "page=3" in page.links["next"]["url"]


def test_other_users_private_projects_are_404(server: FakeGitLab) -> None:
    server.create_project("alice", "secret")
    server.create_project("alice", "open", visibility="public")
    server.add_user("mallory")
    with gitlab.Gitlab(server.url, private_token=server.add_token("mallory")) as mallory:
        with pytest.raises(gitlab.GitlabGetError) as raised:
            mallory.projects.get("alice/secret")
        assert raised.value.response_code == 404
        assert mallory.projects.get("alice/open").visibility == "public"
        assert [p.path for p in mallory.projects.list(get_all=True)] == ["open"]
        assert mallory.projects.list(membership=True, get_all=True) == []


# ------------------------------------------------------------------------------ git over HTTP


def test_clone_commit_push_fetch_and_pipelines(
    server: FakeGitLab, gl: gitlab.Gitlab, git: Git, token: str, tmp_path: Path
) -> None:
    project = gl.projects.create({"name": "demo"})
    work = tmp_path / "work"
    cloned = git("clone", project.http_url_to_repo, str(work))
    assert "cloned an empty repository" in cloned.stderr

    main_sha = commit(git, work, "README.md", "# demo\n", "first")
    git("push", "-u", "origin", "main", cwd=work)
    git("switch", "-q", "-c", "feature/x", cwd=work)
    feature_sha = commit(git, work, "model.py", "print(1)\n", "feature")
    git("push", "-u", "origin", "feature/x", cwd=work)

    assert server.branches("alice/demo") == {"main": main_sha, "feature/x": feature_sha}
    branches = {b.name: b for b in project.branches.list(get_all=True)}
    assert branches["main"].commit["id"] == main_sha
    assert branches["main"].default and branches["main"].protected
    assert branches["feature/x"].commit["title"] == "feature"
    assert branches["feature/x"].commit["author_email"] == "test@example.com"
    assert project.branches.get("feature/x").commit["parent_ids"] == [main_sha]
    assert gl.projects.get(project.id).empty_repo is False

    # every push made a pipeline, pending until a test moves it on
    latest = project.pipelines.list(
        ref="feature/x", per_page=1, order_by="id", sort="desc", get_all=False
    )
    assert [(p.ref, p.sha, p.status) for p in latest] == [("feature/x", feature_sha, "pending")]
    server.set_pipeline_status("alice/demo", "feature/x", "success")
    assert project.pipelines.get(latest[0].id).status == "success"
    assert project.pipelines.get(latest[0].id).web_url.endswith(f"/-/pipelines/{latest[0].id}")
    assert {p.ref for p in project.pipelines.list(get_all=True)} == {"main", "feature/x"}
    latest_main = gl.http_get(
        f"/projects/{project.id}/pipelines/latest", query_data={"ref": "main"}
    )
    assert latest_main["sha"] == main_sha
    head = project.commits.get("feature/x")  # the other way to a branch's status
    assert (head.id, head.last_pipeline["status"]) == (feature_sha, "success")
    assert head.stats == {"additions": 1, "deletions": 0, "total": 1}

    # a second clone fetches what was pushed
    other = tmp_path / "other"
    git("clone", "-q", project.http_url_to_repo, str(other))
    git("fetch", "-q", "origin", cwd=other)
    assert git("rev-parse", "origin/feature/x", cwd=other).stdout.strip() == feature_sha

    # git asked its askpass helper after a 401, and the token never travelled in a URL
    assert server.git_requests[0].status == 401
    assert {r.user for r in server.git_requests if r.status == 200} == {"alice"}
    assert not [r for r in server.git_requests if token in r.url]
    assert {r.service for r in server.git_requests} == {"upload-pack", "receive-pack"}


def test_wrong_token_fails_authentication(
    server: FakeGitLab, git: Git, tmp_path: Path, token: str
) -> None:
    server.create_project("alice", "demo")
    url = server.clone_url("alice/demo")
    wrong = make_git(tmp_path / "wrong", "glpat-wrong-wrong-wrong")
    result = wrong("clone", url, str(tmp_path / "nope"), check=False)
    assert result.returncode != 0
    assert "Authentication failed" in result.stderr
    assert "HTTP Basic: Access denied" in result.stderr

    # a valid clone, then a push with a revoked token
    git("clone", "-q", url, str(tmp_path / "work"))
    commit(git, tmp_path / "work", "a.txt", "a", "a")
    server.revoke_token(token)
    pushed = git("push", "origin", "main", cwd=tmp_path / "work", check=False)
    assert pushed.returncode != 0
    assert "Authentication failed" in pushed.stderr

    # no token at all: the askpass helper answers an empty password, GitLab refuses it
    anonymous = make_git(tmp_path / "anon", None)
    result = anonymous("clone", url, str(tmp_path / "anon-clone"), check=False)
    assert result.returncode != 0
    assert "Authentication failed" in result.stderr


def test_non_fast_forward_push_is_rejected(server: FakeGitLab, git: Git, tmp_path: Path) -> None:
    server.create_project("alice", "demo")
    url = server.clone_url("alice/demo")
    first, second = tmp_path / "first", tmp_path / "second"
    git("clone", "-q", url, str(first))
    commit(git, first, "a.txt", "a", "a")
    git("push", "-q", "origin", "main", cwd=first)
    git("clone", "-q", url, str(second))
    commit(git, first, "b.txt", "b", "b from first")
    git("push", "-q", "origin", "main", cwd=first)
    commit(git, second, "c.txt", "c", "c from second")
    rejected = git("push", "origin", "main", cwd=second, check=False)
    assert rejected.returncode != 0
    assert "[rejected]" in rejected.stderr
    # pull (merge) and push again, as the workbench would
    git("pull", "-q", "--no-rebase", "origin", "main", cwd=second)
    git("push", "-q", "origin", "main", cwd=second)
    assert len(server.pipelines("alice/demo")) == 3


def test_read_only_token_clones_but_cannot_push(server: FakeGitLab, tmp_path: Path) -> None:
    server.create_project("alice", "demo")
    reader = make_git(tmp_path / "reader", server.add_token("alice", scopes=("read_repository",)))
    work = tmp_path / "work"
    reader("clone", "-q", server.clone_url("alice/demo"), str(work))
    commit(reader, work, "a.txt", "a", "a")
    result = reader("push", "origin", "main", cwd=work, check=False)
    assert result.returncode != 0
    assert "You are not allowed to push code to this project." in result.stderr
    assert "403" in result.stderr
    assert server.pipelines("alice/demo") == []


def test_a_foreign_private_project_is_not_found_for_git(server: FakeGitLab, tmp_path: Path) -> None:
    server.create_project("alice", "secret")
    server.add_user("mallory")
    mallory = make_git(tmp_path / "mallory", server.add_token("mallory"))
    result = mallory("clone", server.clone_url("alice/secret"), str(tmp_path / "x"), check=False)
    assert result.returncode != 0
    assert "not found" in result.stderr


def test_protected_default_branch(server: FakeGitLab, git: Git, tmp_path: Path) -> None:
    """GitLab protects the default branch: developers push to branches, nobody force-pushes."""
    server.add_user("dev")
    server.add_group("team", members={"alice": DEVELOPER + 10, "dev": DEVELOPER})
    server.create_project("alice", "shared", namespace="team")
    url = server.clone_url("team/shared")
    work = tmp_path / "work"
    git("clone", "-q", url, str(work))
    commit(git, work, "a.txt", "a", "a")
    git("push", "-q", "origin", "main", cwd=work)

    dev = make_git(tmp_path / "dev", server.add_token("dev"))
    dev_work = tmp_path / "dev-work"
    dev("clone", "-q", url, str(dev_work))
    commit(dev, dev_work, "b.txt", "b", "b")
    refused = dev("push", "origin", "main", cwd=dev_work, check=False)
    assert refused.returncode != 0
    assert "pre-receive hook declined" in refused.stderr
    assert "You are not allowed to push code to protected branches" in refused.stderr
    dev("push", "-q", "origin", "HEAD:refs/heads/dev-branch", cwd=dev_work)

    git("commit", "-q", "--amend", "-m", "rewritten", cwd=work)
    forced = git("push", "--force", "origin", "main", cwd=work, check=False)
    assert "not allowed to force push code to a protected branch" in forced.stderr
    assert set(server.branches("team/shared")) == {"main", "dev-branch"}


def test_gzip_negotiation_and_chunked_push(server: FakeGitLab, git: Git, tmp_path: Path) -> None:
    """git gzips long fetch negotiations and streams big pushes chunked: both must arrive."""
    server.create_project("alice", "big")
    work = tmp_path / "work"
    git("clone", "-q", server.clone_url("alice/big"), str(work))
    # incompressible and above http.postBuffer (1 MiB): the push goes chunked
    (work / "data.bin").write_bytes(os.urandom(3 * 512 * 1024))
    git("add", "data.bin", cwd=work)
    git("commit", "-q", "-m", "data", cwd=work)
    # enough refs that the clone's negotiation (one "want" per ref) exceeds 1 KiB: gzipped
    git(
        "update-ref",
        "--stdin",
        cwd=work,
        stdin="".join(f"create refs/heads/topic/long-name-{n:03d} HEAD\n" for n in range(40)),
    )
    git("push", "-q", "origin", "--all", cwd=work)
    assert any(r.chunked for r in server.git_requests if r.service == "receive-pack")

    other = tmp_path / "other"
    git("clone", "-q", server.clone_url("alice/big"), str(other))
    assert (other / "data.bin").read_bytes() == (work / "data.bin").read_bytes()
    assert any(r.content_encoding == "gzip" for r in server.git_requests)
    assert len(server.branches("alice/big")) == 41


def test_branches_through_the_api_and_a_readme(server: FakeGitLab, gl: gitlab.Gitlab) -> None:
    project = gl.projects.create({"name": "api", "initialize_with_readme": True})
    assert project.empty_repo is False
    main = project.branches.get("main")
    assert main.commit["title"] == "Initial commit"
    created = project.branches.create({"branch": "feature/api", "ref": "main"})
    assert created.commit["id"] == main.commit["id"]
    assert [p.ref for p in project.pipelines.list(get_all=True)] == ["feature/api", "main"]
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        project.branches.create({"branch": "feature/api", "ref": "main"})
    assert raised.value.error_message == "Branch already exists"
    with pytest.raises(gitlab.GitlabCreateError) as raised:
        project.branches.create({"branch": "other", "ref": "no-such-ref"})
    assert raised.value.error_message == "Invalid reference name: no-such-ref"
    with pytest.raises(gitlab.GitlabGetError) as raised:
        project.branches.get("missing")
    assert raised.value.error_message == "404 Branch Not Found"


def test_first_pushed_branch_becomes_the_default(
    server: FakeGitLab, git: Git, tmp_path: Path
) -> None:
    server.create_project("alice", "legacy")
    work = tmp_path / "work"
    git("init", "-q", "--initial-branch=master", str(work))
    commit(git, work, "a.txt", "a", "a")
    git("push", "-q", server.clone_url("alice/legacy"), "master", cwd=work)
    assert server.project("alice/legacy")["default_branch"] == "master"
    git("clone", "-q", server.clone_url("alice/legacy"), str(tmp_path / "clone"))
    assert git("branch", "--show-current", cwd=tmp_path / "clone").stdout.strip() == "master"


def test_pipelines_can_require_a_ci_file(tmp_path: Path) -> None:
    """Real GitLab runs no pipeline without ``.gitlab-ci.yml``: code must cope with none."""
    with FakeGitLab(ci_file_required=True) as server:
        server.add_user("alice")
        token = server.add_token("alice")
        server.create_project("alice", "demo")
        git = make_git(tmp_path / "home", token)
        work = tmp_path / "work"
        git("clone", "-q", server.clone_url("alice/demo"), str(work))
        commit(git, work, "a.txt", "a", "a")
        git("push", "-q", "origin", "main", cwd=work)
        assert server.pipelines("alice/demo") == []
        with gitlab.Gitlab(server.url, private_token=token) as gl:
            latest = gl.http_get("/projects/alice%2Fdemo/repository/commits/main")
            assert latest["last_pipeline"] is None
        with_ci = commit(git, work, ".gitlab-ci.yml", "test:\n  script: [pytest]\n", "ci")
        git("push", "-q", "origin", "main", cwd=work)
        assert [p["sha"] for p in server.pipelines("alice/demo")] == [with_ci]
        assert server.invalid_requests == server.failures == []


# ------------------------------------------------------------------------------ merge requests


def test_merge_request_lifecycle(
    server: FakeGitLab, gl: gitlab.Gitlab, git: Git, tmp_path: Path
) -> None:
    project = gl.projects.create({"name": "demo"})
    work = tmp_path / "work"
    git("clone", "-q", project.http_url_to_repo, str(work))
    commit(git, work, "a.txt", "a", "a")
    git("push", "-q", "origin", "main", cwd=work)

    with pytest.raises(gitlab.GitlabCreateError) as raised:
        project.mergerequests.create(
            {"source_branch": "not-pushed", "target_branch": "main", "title": "x"}
        )
    assert raised.value.response_code == 400
    assert raised.value.error_message == {"source_branch": ["does not exist"]}

    git("switch", "-q", "-c", "feature", cwd=work)
    first = commit(git, work, "b.txt", "b", "b")
    git("push", "-q", "origin", "feature", cwd=work)
    mr = project.mergerequests.create(
        {
            "source_branch": "feature",
            "target_branch": "main",
            "title": "Add b",
            "description": "from the workbench",
        }
    )
    assert (mr.iid, mr.state, mr.sha) == (1, "opened", first)
    assert mr.web_url == f"{server.url}/alice/demo/-/merge_requests/1"
    assert mr.author["username"] == "alice"
    assert mr.head_pipeline["status"] == "pending"
    assert requests.get(mr.web_url, timeout=5).status_code == 200

    with pytest.raises(gitlab.GitlabCreateError) as raised:
        project.mergerequests.create(
            {"source_branch": "feature", "target_branch": "main", "title": "again"}
        )
    assert raised.value.response_code == 409
    assert raised.value.error_message == [
        "Another open merge request already exists for this source branch: !1"
    ]

    listed = project.mergerequests.list(state="opened", source_branch="feature", get_all=True)
    assert [m.iid for m in listed] == [1]
    assert "head_pipeline" not in listed[0].attributes  # only the single-object entity has it
    assert project.mergerequests.list(state="merged", get_all=True) == []

    server.set_pipeline_status("alice/demo", "feature", "running")
    assert project.mergerequests.get(1).head_pipeline["status"] == "running"
    second = commit(git, work, "c.txt", "c", "c")
    git("push", "-q", "origin", "feature", cwd=work)
    fresh = project.mergerequests.get(1)
    assert fresh.sha == second
    assert (fresh.head_pipeline["sha"], fresh.head_pipeline["status"]) == (second, "pending")

    merged = server.merge("alice/demo", 1)
    assert merged["state"] == "merged"
    git("switch", "-q", "main", cwd=work)
    git("pull", "-q", "origin", "main", cwd=work)
    assert (work / "c.txt").read_text() == "c"
    assert git("rev-parse", "HEAD", cwd=work).stdout.strip() == merged["merge_commit_sha"]

    # closing and the API's own merge
    git("switch", "-q", "-c", "next", cwd=work)
    commit(git, work, "d.txt", "d", "d")
    git("push", "-q", "origin", "next", cwd=work)
    other = project.mergerequests.create(
        {"source_branch": "next", "target_branch": "main", "title": "Draft: next"}
    )
    other.state_event = "close"
    other.save()
    assert project.mergerequests.get(other.iid).state == "closed"
    other.state_event = "reopen"
    other.save()
    other.merge()
    assert project.mergerequests.get(other.iid).state == "merged"


# ------------------------------------------------------------------------------ outages


def test_outages(server: FakeGitLab, gl: gitlab.Gitlab, token: str) -> None:
    gl.auth()
    with server.unreachable("refuse"), pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v4/user", timeout=2)
    gl.auth()  # back on the same port

    with server.unreachable("reset"), pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v4/user", timeout=2)

    with server.unreachable("502"), pytest.raises(gitlab.GitlabGetError) as raised:
        gl.auth()
    assert raised.value.response_code == 502

    with server.unreachable("hang"), pytest.raises(requests.Timeout):
        requests.get(f"{server.url}/api/v4/user", headers={"PRIVATE-TOKEN": token}, timeout=0.3)
    gl.auth()
