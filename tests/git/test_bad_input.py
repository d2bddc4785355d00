"""The Git tab's API refuses what git or the system cannot take with a 400 naming the field,
never a 500 or a misleading 503, and the repository is left as it was (real git, a Jupyter
server with our extension)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlplat.core.git.service import MAX_COMMIT_MESSAGE


async def _call(jp_fetch: Any, method: str, route: str, body: bytes | None, **query: str) -> Any:
    try:
        response = await jp_fetch(
            "jupyterlab-mlplat", "git", route, method=method, body=body, params=query
        )
    except HTTPClientError as err:
        if err.response is None:  # no HTTP answer at all: not what these tests expect
            raise
        return err.code, json.loads(err.response.body)
    return response.code, json.loads(response.body)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(jp_root_dir: Path) -> Path:
    folder = jp_root_dir / "churn"
    folder.mkdir()
    _git(folder, "init", "-q", "--initial-branch=main")
    (folder / "train.py").write_text("fit()\n")
    _git(folder, "add", "train.py")
    _git(folder, "commit", "-q", "-m", "first")
    (folder / "train.py").write_text("fit(depth=4)\n")
    return folder


def _state(repo: Path) -> tuple[str, str, str]:
    """What a refused request must not change: the commits, the index and the work tree."""
    return (
        _git(repo, "log", "--format=%H %s", "--all"),
        _git(repo, "ls-files", "--stage"),
        _git(repo, "status", "--porcelain"),
    )


COMMIT = {"path": "churn", "files": ["train.py"], "message": "Deeper trees"}
LONG = "a" * 9000


@pytest.mark.parametrize(
    ("route", "body", "field", "rule"),
    [
        ("commit", {**COMMIT, "message": "Deeper\x00trees"}, "message", "nul"),
        ("commit", {**COMMIT, "files": ["train\x00.py"]}, "files.0", "nul"),
        ("commit", {**COMMIT, "path": "churn\x00"}, "path", "nul"),
        ("commit", {**COMMIT, "path": f"churn/{LONG}"}, "path", "path_too_long"),
        ("commit", {**COMMIT, "files": ["train.py", LONG]}, "files.1", "path_too_long"),
        ("commit", {**COMMIT, "files": ["x" * 300]}, "files.0", "name_too_long"),
        ("commit", {**COMMIT, "message": "m" * 200_000}, "message", "too_long"),
        ("commit", {**COMMIT, "message": "m" * (MAX_COMMIT_MESSAGE + 1)}, "message", "too_long"),
        ("commit", {**COMMIT, "message": "red \x1b[31m"}, "message", "control"),
        ("init", {"path": LONG}, "path", "path_too_long"),
        ("pull", {"path": "churn\x00"}, "path", "nul"),
        ("branches", {"path": "churn", "name": "tune\x00"}, "name", "nul"),
        ("merge-requests", {"path": "churn", "title": "t\x00"}, "title", "nul"),
        ("merge-requests", {"path": "churn", "title": "a\nb"}, "title", "control"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    jp_fetch: Any, repo: Path, route: str, body: dict[str, Any], field: str, rule: str
) -> None:
    before = _state(repo)
    status, answer = await _call(jp_fetch, "POST", route, json.dumps(body).encode())
    assert status == 400, answer
    assert answer["reason"] == "text_invalid"
    assert answer["params"]["field"] == field
    assert answer["params"]["rule"] == rule
    assert field in answer["message"]
    if rule.endswith("too_long"):
        assert str(answer["params"]["limit"]) in answer["message"]
    assert _state(repo) == before


async def test_a_long_commit_message_up_to_the_limit_is_committed(
    jp_fetch: Any, repo: Path
) -> None:
    message = "Deeper trees\n\n" + "Why: " * ((MAX_COMMIT_MESSAGE - 20) // 5)
    assert len(message) <= MAX_COMMIT_MESSAGE
    status, answer = await _call(
        jp_fetch, "POST", "commit", json.dumps({**COMMIT, "message": message}).encode()
    )
    assert status == 201, answer
    assert _git(repo, "log", "-1", "--format=%B").strip() == message.strip()


@pytest.mark.parametrize("picked", ["", ".", "./", "sub/.."])
async def test_a_path_naming_the_whole_repository_commits_nothing(
    jp_fetch: Any, repo: Path, picked: str
) -> None:
    """A commit stages exactly the files picked: a path that names the repository itself would
    have staged every change and every untracked file in it."""
    (repo / "sub").mkdir()
    (repo / "notes.txt").write_text("not for this commit\n")
    before = _state(repo)
    body = {**COMMIT, "files": ["train.py", picked]}
    status, answer = await _call(jp_fetch, "POST", "commit", json.dumps(body).encode())
    assert status == 400, answer
    assert answer["reason"] == "git_no_files_selected"
    assert "whole repository" in answer["message"]
    assert _state(repo) == before


@pytest.mark.parametrize("path", [LONG, "churn\x00", "churn/" + "x" * 300])
async def test_a_bad_folder_in_a_query_is_a_400_naming_path(
    jp_fetch: Any, repo: Path, path: str
) -> None:
    for route in ("status", "branches", "merge-requests", "pipeline"):
        status, answer = await _call(jp_fetch, "GET", route, None, path=path)
        if "\x00" in path:  # tornado drops control characters from query arguments
            assert status == 200, answer
            continue
        assert status == 400, (route, answer)
        assert answer["params"]["field"] == "path"


async def test_a_symlink_loop_is_no_folder_not_a_500(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    status, answer = await _call(jp_fetch, "GET", "status", None, path="loop/x")
    assert status == 404, answer
    assert answer["reason"] == "git_no_such_folder"


async def test_a_deeply_nested_commit_is_a_400_naming_the_body(jp_fetch: Any, repo: Path) -> None:
    before = _state(repo)
    body = b'{"path": "churn", "files": ["train.py"], "message": ' + b"[" * 100_000
    body += b"]" * 100_000 + b"}"
    status, answer = await _call(jp_fetch, "POST", "commit", body)
    assert status == 400, answer
    assert answer["reason"] == "body_too_deep"
    assert answer["params"] == {"limit": 32}
    assert _state(repo) == before


def _documented(schema: str, field: str) -> dict[str, Any]:
    document = Path(__file__).resolve().parents[2] / "src" / "api" / "openapi" / "sidebar.json"
    schemas = json.loads(document.read_text())["components"]["schemas"]
    return dict(schemas[schema]["properties"][field])


async def test_the_document_says_which_branch_names_and_messages_are_taken(
    jp_fetch: Any, repo: Path
) -> None:
    """What the committed document calls a valid branch name or commit message is taken, and
    what it does not is refused with a 400 naming the field, so a client (or schemathesis)
    reading the document is never surprised."""
    name = _documented("BranchBody", "name")
    assert name["minLength"] == 1
    for candidate, taken in [
        ("feature/tuning", True),
        ("v1.0_rc-2", True),
        ("", False),
        ("-x", False),
        (".hidden", False),
        ("a/.b", False),
        ("a..b", False),
        ("a.lock", False),
        ("a.lock/b", False),
        ("a//b", False),
        ("a/", False),
        ("a.", False),
        ("HEAD", False),
        ("with space", False),
    ]:
        assert (re.search(name["pattern"], candidate) is not None) is taken, candidate
        status, body = await _call(
            jp_fetch, "POST", "branches", json.dumps({"path": "churn", "name": candidate}).encode()
        )
        if taken:
            assert status == 201, (candidate, body)
            _git(repo, "switch", "-q", "main")
        else:
            assert (status, body["reason"]) == (400, "git_bad_branch_name"), candidate

    message = _documented("CommitBody", "message")
    assert (message["minLength"], message["maxLength"]) == (1, MAX_COMMIT_MESSAGE)
    blank = ["", " ", "\t\n\r", "\u00a0\u2003\u3000", "\u2028\u2029"]
    for candidate in blank:
        assert re.search(message["pattern"], candidate) is None, repr(candidate)
        status, body = await _call(
            jp_fetch,
            "POST",
            "commit",
            json.dumps({"path": "churn", "files": ["train.py"], "message": candidate}).encode(),
        )
        assert (status, body["reason"]) == (400, "git_commit_message_missing"), repr(candidate)
    for candidate in ("fix", " \ufeff ", "\u05e9\u05dc\u05d5\u05dd\n\nbody"):
        assert re.search(message["pattern"], candidate) is not None, repr(candidate)
    # every character str.strip() drops is a space to the document too, and no other
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    controls = set(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
    for char in spaces:
        assert re.search(message["pattern"], f"{char}{char}") is None, hex(ord(char))
    assert re.search(message["pattern"], "x\x1b") is None  # controls are refused anyway
    assert all(re.search(message["pattern"], c) is None for c in controls)


async def test_the_document_says_which_merge_request_titles_are_taken(
    jp_fetch: Any, repo: Path
) -> None:
    """A title with a control character is refused as the document says; a description may
    span lines; a blank title is not a title."""
    title = _documented("NewMergeRequestBody", "title")
    description = _documented("NewMergeRequestBody", "description")
    assert (title["minLength"], title["maxLength"]) == (1, 255)
    for candidate in ("S\x16", "two\nlines", "tab\there", "\x85"):
        assert re.search(title["pattern"], candidate) is None, repr(candidate)
        status, body = await _call(
            jp_fetch,
            "POST",
            "merge-requests",
            json.dumps({"path": "churn", "title": candidate}).encode(),
        )
        assert (status, body["reason"], body["params"]["rule"]) == (400, "text_invalid", "control")
    for candidate in ("", " ", "   "):
        assert re.search(title["pattern"], candidate) is None, repr(candidate)
    for candidate in ("Deeper trees", "\u00a0x", "\u05e9\u05dc\u05d5\u05dd"):
        assert re.search(title["pattern"], candidate) is not None, repr(candidate)
    assert re.search(description["pattern"], "why:\n\tbecause\r\n") is not None
    assert re.search(description["pattern"], "bell\x07") is None
