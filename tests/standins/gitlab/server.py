"""A GitLab stand-in: real git over smart HTTP plus the v4 REST API that python-gitlab talks to.

No GitLab (nor Gitea, Forgejo) can be installed on the test machines, and a monkey-patched
python-gitlab or a mocked ``git`` would test nothing of what the workbench really sends. So this
server speaks both wire protocols for real:

* **git**: ``{url}/{namespace}/{project}.git`` is served by Debian's ``git-http-backend`` run as a
  CGI, so clone, fetch, pull and push are the real thing (protocol v2, gzip request bodies,
  chunked pushes). Authentication is GitLab's: HTTP Basic with *any* username and a personal
  access token as the password. Without (valid) credentials a private project answers 401 with
  ``WWW-Authenticate: Basic realm="GitLab"`` so that git asks its askpass helper; a user who may
  not see the project gets 404, one who may see but not push (role or token scope) gets 403,
  with GitLab's plain-text messages, which git prints as ``remote: ...``. A ``pre-receive`` hook
  enforces protected branches (the default branch is protected as in GitLab: maintainers may
  push, nobody may force-push or delete it).
* **REST API v4**: users, tokens, groups, namespaces, projects, branches, merge requests and
  pipelines, with GitLab's status codes, error bodies and pagination headers (``Link``,
  ``X-Total``, ``X-Next-Page`` ...), so that python-gitlab runs unchanged and with
  ``filterwarnings=error`` (its base-URL and pagination warnings stay quiet).

Every push to a branch or tag creates a pipeline in status ``pending`` (GitLab would need a
``.gitlab-ci.yml``; pass ``ci_file_required=True`` for that), and a test moves it on with
:meth:`FakeGitLab.set_pipeline_status`. Request bodies of writes are checked against small JSON
schemas of what GitLab accepts; violations are answered 400 the way GitLab's Grape layer does and
recorded in :attr:`FakeGitLab.invalid_requests`, which tests assert to be empty.

Where GitLab versions differ, this follows GitLab 19 (what ``/version`` reports): a merge request
whose source or target branch is not on the server is refused with 400
``{"message": {"source_branch": ["does not exist"]}}``, so code must push before it opens one.
The list entity of merge requests has no ``head_pipeline`` (only ``GET``/``POST`` of a single one
has), exactly as in GitLab. Ids of users, namespaces, projects, merge requests and pipelines are
drawn from separate ranges and never equal an ``iid``, so mixing them up fails here too.

:meth:`FakeGitLab.unreachable` (or :meth:`~FakeGitLab.pause` / :meth:`~FakeGitLab.resume`)
simulates GitLab being down: connections refused, reset, left hanging, or 502 from the proxy.

What is observable to tests (all lists are appended to from the server thread):

* :attr:`requests`: every API call (method, full URL, user, token, how it was sent, status);
* :attr:`git_requests`: every git HTTP request, same shape, so a test can prove that no token
  ever travelled in a URL;
* :attr:`tokens_seen`: every token value presented, valid or not;
* :attr:`unimplemented`: API routes the code called that this stand-in does not know (GitLab
  has them; answering 404 here would hide a gap in the stand-in rather than a bug in the code);
* :attr:`failures`: exceptions inside the stand-in itself (answered 500): a bug here.

Not emulated: the web UI (project, merge request and pipeline pages are tiny HTML placeholders
without authentication), SSH, OAuth applications, forks, keyset pagination, rate limits, jobs and
runners, webhooks, approvals, CI configuration, ``[skip ci]`` and push options.

Use::

    with FakeGitLab() as server:
        server.add_user("alice", name="Alice Example")
        token = server.add_token("alice")  # scopes api + write_repository
        gl = gitlab.Gitlab(server.url, private_token=token)  # python-gitlab, unchanged
        project = gl.projects.create({"name": "demo"})
        env = git_env(tmp_path / "home", token)  # isolated HOME, askpass helper, no user config
        subprocess.run(["git", "clone", project.http_url_to_repo, "demo"], env=env, check=True)
        server.set_pipeline_status("alice/demo", "main", "success")
        assert server.invalid_requests == [] and server.failures == []
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import dataclasses
import itertools
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import struct
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlencode

import jsonschema
from aiohttp import web

log = logging.getLogger(__name__)

GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
#: what ``GET /api/v4/version`` reports; the merge request checks follow GitLab 19
GITLAB_VERSION = "19.0.0"
GITLAB_REVISION = "fake0000"

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50
#: GitLab's "No one" for protected branches (push_access_level 0)
NO_ONE = 0
VISIBILITIES = ("private", "internal", "public")
PIPELINE_STATUSES = (
    "created",
    "waiting_for_resource",
    "preparing",
    "pending",
    "running",
    "success",
    "failed",
    "canceled",
    "skipped",
    "manual",
    "scheduled",
)
_FINISHED = {"success", "failed", "canceled", "skipped"}
#: token scopes that let git fetch, and that let git push (GitLab's ``abilities_for_scopes``)
_GIT_READ_SCOPES = {"api", "read_api", "read_repository", "write_repository"}
_GIT_WRITE_SCOPES = {"api", "write_repository"}

# GitLab's plain-text answers on the git HTTP endpoints (git shows them as "remote: ...")
_GIT_401 = (
    "HTTP Basic: Access denied. If a password was provided for Git authentication, the password"
    " was incorrect or you're required to use a token instead of a password. If a token was"
    " provided, it was either incorrect, expired, or improperly scoped.\n"
)
_GIT_404 = (
    "The project you were looking for could not be found or you don't have permission to view it.\n"
)
_GIT_403_PUSH = "You are not allowed to push code to this project.\n"
_GIT_403_DOWNLOAD = "You are not allowed to download code from this project.\n"

_PROJECT_PATH_RE = re.compile(r"^(?!-)[A-Za-z0-9_.\-]+$")
_PROJECT_PATH_ERROR = (
    "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or"
    " end in '.atom'"
)
_PROJECT_NAME_RE = re.compile(r"^[\w\u00a9-\U0001f9ff][\w\u00a9-\U0001f9ff+.\- ]*$")
_PROJECT_NAME_ERROR = (
    "can contain only letters, digits, emoji, '_', '.', '+', dashes, or spaces. It must start"
    " with a letter, digit, emoji, or '_'."
)

# The pre-receive hook GitLab's protected branches amount to, as far as git can observe them.
# The server passes the pusher's access level in FAKE_GITLAB_ACCESS_LEVEL; the rules are lines
# "<branch pattern> <push access level> <force push allowed 0|1>" in gitlab-protected-branches.
_PRE_RECEIVE_HOOK = r"""#!/bin/sh
level=${FAKE_GITLAB_ACCESS_LEVEL:-0}
rules=gitlab-protected-branches
while read -r old new ref; do
    case $ref in refs/heads/*) ;; *) continue ;; esac
    branch=${ref#refs/heads/}
    [ -f "$rules" ] || continue
    while read -r pattern needed force; do
        # shellcheck disable=SC2254
        case $branch in
            $pattern)
                case $new in
                    *[!0]*) ;;
                    *)
                        echo "GitLab: You can only delete protected branches using the web" \
                            "interface." >&2
                        exit 1 ;;
                esac
                if [ "$needed" -eq 0 ] || [ "$level" -lt "$needed" ]; then
                    echo "GitLab: You are not allowed to push code to protected branches on" \
                        "this project." >&2
                    exit 1
                fi
                case $old in
                    *[!0]*)
                        if [ "$force" != 1 ] && ! git merge-base --is-ancestor "$old" "$new"; then
                            echo "GitLab: You are not allowed to force push code to a protected" \
                                "branch on this project." >&2
                            exit 1
                        fi ;;
                esac ;;
        esac
    done < "$rules"
done
exit 0
"""


#: per bare repository: pushes over HTTP, and no background gc (it would outlive the test and
#: race the removal of the temporary directory)
_REPO_CONFIG = """[http]
\treceivepack = true
\tuploadpack = true
[gc]
\tauto = 0
[receive]
\tautogc = false
[core]
\tlogAllRefUpdates = true
"""


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    """GitLab's timestamp format: UTC with milliseconds and a ``Z``."""
    if moment is None:
        return None
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _truthy(value: Any) -> bool:
    """Grape's Boolean coercion of query and form values."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "t", "yes", "y", "on")


def _slugify(name: str) -> str:
    """How GitLab derives a project path from a name that came without one."""
    slug = re.sub(r"[^a-z0-9_.]+", "-", name.strip().lower())
    return slug.strip("-.") or "project"


# -------------------------------------------------------------------------------------- model


@dataclass
class User:
    id: int
    username: str
    name: str
    email: str
    admin: bool
    namespace_id: int
    created_at: datetime = field(default_factory=_now)


@dataclass
class Token:
    id: int
    value: str
    user_id: int
    name: str
    scopes: tuple[str, ...]
    expires_at: date | None
    revoked: bool
    created_at: datetime = field(default_factory=_now)
    last_used_at: datetime | None = None

    @property
    def expired(self) -> bool:
        # GitLab's tokens expire at midnight UTC starting the expiry date
        return self.expires_at is not None and _now().date() >= self.expires_at

    @property
    def active(self) -> bool:
        return not self.revoked and not self.expired


@dataclass
class Namespace:
    """A user's personal namespace or a group (for which GitLab uses the same id)."""

    id: int
    kind: str  # "user" | "group"
    path: str  # the last segment
    name: str
    parent_id: int | None
    owner_id: int | None = None  # kind == "user"
    members: dict[int, int] = field(default_factory=dict)  # user id -> access level
    visibility: str = "private"
    project_creation_level: int = DEVELOPER
    created_at: datetime = field(default_factory=_now)


@dataclass
class Project:
    id: int
    name: str
    path: str
    namespace_id: int
    visibility: str
    description: str | None
    default_branch: str
    creator_id: int
    members: dict[int, int] = field(default_factory=dict)
    #: branch pattern -> (push access level, force push allowed)
    protected: dict[str, tuple[int, bool]] = field(default_factory=dict)
    #: refname -> sha, refreshed after every change the server makes or receives
    refs: dict[str, str] = field(default_factory=dict)
    created_at: datetime = field(default_factory=_now)
    last_activity_at: datetime = field(default_factory=_now)


@dataclass
class MergeRequest:
    id: int
    iid: int
    project_id: int
    title: str
    description: str | None
    source_branch: str
    target_branch: str
    author_id: int
    sha: str
    state: str = "opened"
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    merged_at: datetime | None = None
    merged_by_id: int | None = None
    merge_commit_sha: str | None = None
    closed_at: datetime | None = None
    closed_by_id: int | None = None


@dataclass
class Pipeline:
    id: int
    iid: int
    project_id: int
    ref: str
    sha: str
    before_sha: str
    tag: bool
    user_id: int | None
    status: str = "pending"
    source: str = "push"
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ApiRequest(NamedTuple):
    """One REST call as received. ``auth`` says how a token came: ``"PRIVATE-TOKEN"``,
    ``"Bearer"``, ``"query"`` (``?private_token=``, which leaks into logs) or ``None``."""

    method: str
    url: str
    user: str | None
    token: str | None
    auth: str | None
    status: int


class GitRequest(NamedTuple):
    """One git smart-HTTP request as received; ``url`` is path and query as sent."""

    method: str
    url: str
    project: str
    service: str
    user: str | None
    token: str | None
    status: int
    #: ``Content-Encoding`` of the body (git gzips larger fetch negotiations)
    content_encoding: str | None = None
    #: whether the body came chunked (git streams pushes larger than ``http.postBuffer``)
    chunked: bool = False


class InvalidRequest(NamedTuple):
    """A request body GitLab would refuse (answered 400); ``errors`` are jsonschema's."""

    method: str
    url: str
    body: Any
    errors: list[str]


class GitLabError(Exception):
    """An error answered the way GitLab's API does (status, JSON body, extra headers)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status, self.body, self.headers = status, body, headers or {}


def _not_found(what: str = "") -> GitLabError:
    return GitLabError(404, {"message": f"404 {what} Not Found" if what else "404 Not found"})


_FORBIDDEN = {"message": "403 Forbidden"}
#: the token an API request was authenticated with
_TOKEN: web.RequestKey[Token | None] = web.RequestKey("token")


# ---------------------------------------------------------------------------- request schemas

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_INT = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^[0-9]+$"}]}
_BOOL = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "enum": ["true", "false", "1", "0", "True", "False"]},
    ]
}
_INT_LIST = {"type": "array", "items": _INT}
_LABELS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

#: what GitLab's Grape layer accepts per endpoint (required fields and coercible types); unknown
#: fields are allowed, GitLab ignores them too
SCHEMAS: dict[str, dict[str, Any]] = {
    "create_project": {
        "type": "object",
        "properties": {
            "name": _STR,
            "path": _STR,
            "namespace_id": _INT,
            "description": _OPT_STR,
            "visibility": {"enum": list(VISIBILITIES)},
            "default_branch": _STR,
            "initialize_with_readme": _BOOL,
            "topics": {"type": "array", "items": {"type": "string"}},
        },
        "anyOf": [{"required": ["name"]}, {"required": ["path"]}],
    },
    "create_branch": {
        "type": "object",
        "properties": {"branch": _STR, "ref": _STR},
        "required": ["branch", "ref"],
    },
    "create_merge_request": {
        "type": "object",
        "properties": {
            "source_branch": _STR,
            "target_branch": _STR,
            "title": _STR,
            "description": _OPT_STR,
            "assignee_id": _INT,
            "assignee_ids": _INT_LIST,
            "reviewer_ids": _INT_LIST,
            "labels": _LABELS,
            "milestone_id": _INT,
            "target_project_id": _INT,
            "remove_source_branch": _BOOL,
            "squash": _BOOL,
            "allow_collaboration": _BOOL,
        },
        "required": ["source_branch", "target_branch", "title"],
    },
    "update_merge_request": {
        "type": "object",
        "properties": {
            "title": _STR,
            "description": _OPT_STR,
            "target_branch": _STR,
            "state_event": {"enum": ["close", "reopen"]},
            "labels": _LABELS,
            "assignee_ids": _INT_LIST,
            "reviewer_ids": _INT_LIST,
            "remove_source_branch": _BOOL,
            "squash": _BOOL,
            "discussion_locked": _BOOL,
        },
        "anyOf": [
            {"required": [name]}
            for name in (
                "title",
                "description",
                "target_branch",
                "state_event",
                "labels",
                "assignee_ids",
                "reviewer_ids",
                "remove_source_branch",
                "squash",
                "discussion_locked",
            )
        ],
    },
    "merge_merge_request": {
        "type": "object",
        "properties": {
            "merge_commit_message": _STR,
            "squash_commit_message": _STR,
            "squash": _BOOL,
            "should_remove_source_branch": _BOOL,
            "merge_when_pipeline_succeeds": _BOOL,
            "auto_merge": _BOOL,
            "sha": _STR,
        },
    },
}


def _grape_message(error: jsonschema.ValidationError) -> str:
    """The ``{"error": ...}`` text Grape gives for a parameter it refuses."""
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        return f"{missing.group(1) if missing else '?'} is missing"
    if error.validator == "anyOf" and not error.path:
        names = [next(iter(option["required"])) for option in error.validator_value]
        return f"{', '.join(names)} are missing, at least one parameter must be provided"
    name = str(error.path[0]) if error.path else "body"
    if error.validator == "enum":
        return f"{name} does not have a valid value"
    return f"{name} is invalid"


# ---------------------------------------------------------------------------------- the server


class FakeGitLab:
    """GitLab over real HTTP on ``127.0.0.1``: the v4 API and git smart HTTP (see module doc).

    The server runs an aiohttp application in a background thread with its own event loop;
    the test thread calls the helpers (``add_user``, ``set_pipeline_status`` ...), which share
    the state with the server under one lock. ``root`` holds the bare repositories (a temporary
    directory, removed on :meth:`stop`, unless given).
    """

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        ci_file_required: bool = False,
        protect_default_branch: bool = True,
    ) -> None:
        self._own_root = root is None
        self.root = Path(root) if root is not None else Path()  # a temporary one on start()
        self.ci_file_required = ci_file_required
        self.protect_default_branch = protect_default_branch
        self.url = ""
        self.port = 0

        self.requests: list[ApiRequest] = []
        self.git_requests: list[GitRequest] = []
        self.tokens_seen: set[str] = set()
        self.invalid_requests: list[InvalidRequest] = []
        self.unimplemented: list[str] = []
        self.failures: list[str] = []

        self._lock = threading.RLock()
        # ids of different kinds (and ids vs iids) never coincide, as on a real instance, so
        # that a client mixing up a merge request's id and iid, or a user's and a namespace's,
        # fails here too
        self._ids = {
            kind: itertools.count(start)
            for kind, start in (
                ("user", 1),
                ("token", 1),
                ("namespace", 1001),
                ("project", 2001),
                ("mr", 3001),
                ("pipeline", 4001),
            )
        }
        self._mr_iids: dict[int, itertools.count[int]] = {}
        self._pipeline_iids: dict[int, itertools.count[int]] = {}
        self.users: dict[int, User] = {}
        self.tokens: dict[str, Token] = {}
        self.namespaces: dict[int, Namespace] = {}
        self.projects: dict[int, Project] = {}
        self.merge_requests_by_id: dict[int, MergeRequest] = {}
        self.pipelines_by_id: dict[int, Pipeline] = {}

        self._git_base_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
        }
        self._push_locks: dict[int, asyncio.Lock] = {}
        self._outage: str | None = None
        self._resumed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None

    # ------------------------------------------------------------------------- lifecycle

    def __enter__(self) -> FakeGitLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FakeGitLab:
        """Bind a free port and serve; returns self once requests are accepted."""
        if self._own_root:
            self.root = Path(tempfile.mkdtemp(prefix="fake-gitlab-"))
        self.repositories.mkdir(parents=True, exist_ok=True)
        (self.root / "home").mkdir(exist_ok=True)
        (self.root / "template").mkdir(exist_ok=True)
        self._git_base_env["HOME"] = str(self.root / "home")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="fake-gitlab", daemon=True)
        self._thread.start()
        try:
            self._call(self._serve())
        except BaseException:
            self.stop()
            raise
        return self

    def _run_loop(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    async def _serve(self) -> None:
        self._resumed = asyncio.Event()
        self._resumed.set()
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # git may gzip request bodies: hand them to git-http-backend as sent, with
        # HTTP_CONTENT_ENCODING, instead of letting aiohttp inflate them
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=2.0, auto_decompress=False
        )
        await self._runner.setup()
        sock = socket.socket()
        # accepted connections inherit this; without it on all of them, re-binding the port
        # after a "refuse" outage fails while old connections linger in TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        await self._listen(sock)

    async def _listen(self, sock: socket.socket) -> None:
        assert self._runner is not None
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()

    def stop(self) -> None:
        """Stop serving, end the loop thread and remove the temporary root (if it made one)."""
        try:
            if self._loop is not None and self._thread is not None:
                try:
                    self._call(self._shutdown())
                finally:
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join(timeout=10)
                    self._loop = self._thread = None
        finally:
            if self._own_root and self.root != Path():
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = Path()

    async def _shutdown(self) -> None:
        self._outage = None
        if self._resumed is not None:
            self._resumed.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None

    def _call(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        """Run a coroutine on the server's loop from the test thread and return its result."""
        assert self._loop is not None, "the fake GitLab is not running"
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("_call() from the server's own loop would deadlock")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # ------------------------------------------------------------------------- outages

    def pause(self, mode: str = "refuse") -> None:
        """Make GitLab unreachable until :meth:`resume`. Modes:

        ``"refuse"``: stop listening and close open connections (connection refused);
        ``"reset"``: accept, then reset the connection without an answer;
        ``"hang"``: accept and read, answer only after :meth:`resume` (client timeouts);
        ``"502"``: answer 502 Bad Gateway as GitLab's front proxy does while Puma is down.
        """
        if mode not in ("refuse", "reset", "hang", "502"):
            raise ValueError(f"unknown outage mode {mode!r}")
        self._call(self._pause(mode))

    async def _pause(self, mode: str) -> None:
        assert self._resumed is not None and self._runner is not None
        self._outage = mode
        if mode == "hang":
            self._resumed.clear()
        if mode == "refuse":
            if self._site is not None:
                await self._site.stop()
                self._site = None
            server = self._runner.server
            for handler in server.connections if server is not None else ():
                if handler.transport is not None:
                    handler.transport.abort()

    def resume(self) -> None:
        """End an outage: listen again on the same port, let held requests through."""
        self._call(self._resume())

    async def _resume(self) -> None:
        assert self._resumed is not None
        if self._outage == "refuse":
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            await self._listen(sock)
        self._outage = None
        self._resumed.set()

    @contextlib.contextmanager
    def unreachable(self, mode: str = "refuse") -> Iterator[None]:
        """``with gitlab.unreachable(): ...``: an outage for the duration of the block."""
        self.pause(mode)
        try:
            yield
        finally:
            self.resume()

    # ------------------------------------------------------------------------- test helpers

    def add_user(
        self,
        username: str,
        *,
        name: str | None = None,
        email: str | None = None,
        admin: bool = False,
    ) -> dict[str, Any]:
        """A user with a personal namespace of the same path; returns its ``/user`` JSON."""
        with self._lock:
            if self._find_namespace_by_path(username) is not None:
                raise ValueError(f"namespace {username!r} is taken")
            user_id = next(self._ids["user"])
            namespace = Namespace(
                id=next(self._ids["namespace"]),
                kind="user",
                path=username,
                name=name or username,
                parent_id=None,
                owner_id=user_id,
            )
            self.namespaces[namespace.id] = namespace
            user = User(
                id=user_id,
                username=username,
                name=name or username,
                email=email or f"{username}@example.com",
                admin=admin,
                namespace_id=namespace.id,
            )
            self.users[user.id] = user
            return self._user_json(user, full=True)

    def add_token(
        self,
        username: str,
        scopes: tuple[str, ...] | list[str] = ("api", "write_repository"),
        *,
        expires_at: date | None = None,
        revoked: bool = False,
        name: str = "mlplat",
    ) -> str:
        """A personal access token (``glpat-...``) of the user; returns its secret value."""
        with self._lock:
            user = self._user_by_name(username)
            value = "glpat-" + secrets.token_urlsafe(15)
            self.tokens[value] = Token(
                id=next(self._ids["token"]),
                value=value,
                user_id=user.id,
                name=name,
                scopes=tuple(scopes),
                expires_at=expires_at,
                revoked=revoked,
            )
            return value

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self.tokens[token].revoked = True

    def add_group(
        self,
        path: str,
        members: dict[str, int] | None = None,
        *,
        name: str | None = None,
        visibility: str = "private",
        project_creation_level: int = DEVELOPER,
    ) -> dict[str, Any]:
        """A group (``"team"``, or ``"team/sub"`` under an existing group) with members by
        username and access level (10 guest ... 50 owner); returns its ``/groups/:id`` JSON."""
        with self._lock:
            parent_path, _, last = path.rpartition("/")
            parent = self._find_namespace_by_path(parent_path) if parent_path else None
            if parent_path and (parent is None or parent.kind != "group"):
                raise ValueError(f"no parent group {parent_path!r}")
            if self._find_namespace_by_path(path) is not None:
                raise ValueError(f"namespace {path!r} is taken")
            group = Namespace(
                id=next(self._ids["namespace"]),
                kind="group",
                path=last,
                name=name or last,
                parent_id=parent.id if parent else None,
                members={self._user_by_name(u).id: level for u, level in (members or {}).items()},
                visibility=visibility,
                project_creation_level=project_creation_level,
            )
            self.namespaces[group.id] = group
            return self._group_json(group)

    def add_member(self, target: str, username: str, access_level: int) -> None:
        """Give a user a role in a project (``"ns/proj"``) or group (``"team"``)."""
        with self._lock:
            user = self._user_by_name(username)
            project = self._find_project(target)
            if project is not None:
                project.members[user.id] = access_level
                return
            namespace = self._find_namespace_by_path(target)
            if namespace is None or namespace.kind != "group":
                raise KeyError(target)
            namespace.members[user.id] = access_level

    def create_project(
        self,
        owner: str,
        path: str,
        *,
        namespace: str | None = None,
        visibility: str = "private",
        name: str | None = None,
    ) -> dict[str, Any]:
        """Create a project directly (as ``POST /projects`` by ``owner`` would), returning its
        JSON; ``namespace`` defaults to the owner's personal one."""
        with self._lock:
            user = self._user_by_name(owner)
            ns = (
                self.namespaces[user.namespace_id]
                if namespace is None
                else self._find_namespace_by_path(namespace)
            )
            if ns is None:
                raise KeyError(namespace)
        project = self._call(self._create_project(user, ns, name or path, path, visibility, None))
        with self._lock:
            return self._project_json(project, user)

    def protect_branch(
        self,
        project_path: str,
        branch: str,
        *,
        push_access_level: int = MAINTAINER,
        allow_force_push: bool = False,
    ) -> None:
        """Protect a branch (or a pattern like ``release/*``); level 0 means no one may push."""
        with self._lock:
            project = self._project_by_path(project_path)
            project.protected[branch] = (push_access_level, allow_force_push)
            self._write_protection(project)

    def unprotect_branch(self, project_path: str, branch: str) -> None:
        with self._lock:
            project = self._project_by_path(project_path)
            project.protected.pop(branch, None)
            self._write_protection(project)

    def repo_path(self, project_path: str) -> Path:
        """The bare repository of a project on disk."""
        with self._lock:
            return self._repo_dir(self._project_by_path(project_path))

    def clone_url(self, project_path: str) -> str:
        """``http_url_to_repo`` of a project (without credentials, as GitLab gives it)."""
        with self._lock:
            return self._http_url(self._project_by_path(project_path))

    def project(self, project_path: str) -> dict[str, Any]:
        with self._lock:
            return self._project_json(self._project_by_path(project_path), None)

    def branches(self, project_path: str) -> dict[str, str]:
        """Branch name -> commit sha, as the server's repository has them now."""
        with self._lock:
            project = self._project_by_path(project_path)
        refs = self._call(self._read_refs(project))
        return {
            ref.removeprefix("refs/heads/"): sha
            for ref, sha in refs.items()
            if ref.startswith("refs/heads/")
        }

    def pipelines(self, project_path: str) -> list[dict[str, Any]]:
        """The project's pipelines, newest first."""
        with self._lock:
            project = self._project_by_path(project_path)
            found = [p for p in self.pipelines_by_id.values() if p.project_id == project.id]
            return [self._pipeline_json(p, detail=True) for p in sorted(found, key=lambda p: -p.id)]

    def set_pipeline_status(self, project_path: str, ref: str, status: str) -> dict[str, Any]:
        """Move the newest pipeline of a ref on (``running``, ``success``, ``failed`` ...)."""
        if status not in PIPELINE_STATUSES:
            raise ValueError(f"unknown pipeline status {status!r}")
        with self._lock:
            project = self._project_by_path(project_path)
            found = [
                p
                for p in self.pipelines_by_id.values()
                if p.project_id == project.id and p.ref == ref
            ]
            if not found:
                raise KeyError(f"no pipeline for {ref!r} in {project_path!r}")
            pipeline = max(found, key=lambda p: p.id)
            moment = _now()
            pipeline.status, pipeline.updated_at = status, moment
            if status in ("running", *_FINISHED) and pipeline.started_at is None:
                pipeline.started_at = moment
            pipeline.finished_at = moment if status in _FINISHED else None
            return self._pipeline_json(pipeline, detail=True)

    def merge_requests(self, project_path: str) -> list[dict[str, Any]]:
        with self._lock:
            project = self._project_by_path(project_path)
            found = [m for m in self.merge_requests_by_id.values() if m.project_id == project.id]
            return [self._mr_json(m, detail=True) for m in sorted(found, key=lambda m: m.iid)]

    def merge(self, project_path: str, iid: int, username: str | None = None) -> dict[str, Any]:
        """Merge a merge request as GitLab's button does (a real merge commit on the target
        branch, and a pipeline for it); ``username`` defaults to the author."""
        with self._lock:
            project = self._project_by_path(project_path)
            mr = self._find_mr(project, iid)
            user = self._user_by_name(username) if username else self.users[mr.author_id]
        self._call(self._merge(project, mr, user, None))
        with self._lock:
            return self._mr_json(mr, detail=True)

    # ------------------------------------------------------------------------- lookups

    def _user_by_name(self, username: str) -> User:
        for user in self.users.values():
            if user.username.lower() == username.lower():
                return user
        raise KeyError(f"no user {username!r}")

    def _full_path(self, namespace: Namespace) -> str:
        parts = [namespace.path]
        while namespace.parent_id is not None:
            namespace = self.namespaces[namespace.parent_id]
            parts.append(namespace.path)
        return "/".join(reversed(parts))

    def _full_name(self, namespace: Namespace) -> str:
        parts = [namespace.name]
        while namespace.parent_id is not None:
            namespace = self.namespaces[namespace.parent_id]
            parts.append(namespace.name)
        return " / ".join(reversed(parts))

    def _find_namespace_by_path(self, path: str) -> Namespace | None:
        for namespace in self.namespaces.values():
            if self._full_path(namespace).lower() == path.lower():
                return namespace
        return None

    def _project_full_path(self, project: Project) -> str:
        return f"{self._full_path(self.namespaces[project.namespace_id])}/{project.path}"

    def _find_project(self, ident: str) -> Project | None:
        """By numeric id or by ``namespace/path`` (case-insensitive, as GitLab resolves it)."""
        if ident.isdigit():
            return self.projects.get(int(ident))
        for project in self.projects.values():
            if self._project_full_path(project).lower() == ident.lower():
                return project
        return None

    def _project_by_path(self, path: str) -> Project:
        project = self._find_project(path)
        if project is None:
            raise KeyError(f"no project {path!r}")
        return project

    @property
    def repositories(self) -> Path:
        """Where the bare repositories live: ``{repositories}/{namespace}/{project}.git``."""
        return self.root / "repositories"

    def _find_mr(self, project: Project, iid: int) -> MergeRequest:
        for mr in self.merge_requests_by_id.values():
            if mr.project_id == project.id and mr.iid == iid:
                return mr
        raise _not_found()

    def _repo_dir(self, project: Project) -> Path:
        return self.repositories / f"{self._project_full_path(project)}.git"

    def _http_url(self, project: Project) -> str:
        return f"{self.url}/{self._project_full_path(project)}.git"

    def _web_url(self, project: Project) -> str:
        return f"{self.url}/{self._project_full_path(project)}"

    # ------------------------------------------------------------------------- permissions

    def _group_level(self, user: User, namespace: Namespace | None) -> int:
        """A user's role in a group, inherited from its ancestors as in GitLab."""
        level = 0
        while namespace is not None:
            if namespace.kind == "user":
                return OWNER if namespace.owner_id == user.id else level
            level = max(level, namespace.members.get(user.id, 0))
            namespace = self.namespaces.get(namespace.parent_id) if namespace.parent_id else None
        return level

    def _access_level(self, user: User | None, project: Project) -> int:
        if user is None:
            return 0
        if user.admin:
            return OWNER
        inherited = self._group_level(user, self.namespaces[project.namespace_id])
        return max(inherited, project.members.get(user.id, 0))

    def _can_see(self, user: User | None, project: Project) -> bool:
        if project.visibility == "public":
            return True
        if user is None:
            return False
        return project.visibility == "internal" or self._access_level(user, project) >= GUEST

    def _can_download(self, user: User | None, project: Project) -> bool:
        if project.visibility == "public" or (
            user is not None and project.visibility == "internal"
        ):
            return True
        return self._access_level(user, project) >= REPORTER

    def _can_see_group(self, user: User | None, group: Namespace) -> bool:
        if group.visibility == "public" or (user is not None and user.admin):
            return True
        if user is None:
            return False
        if group.visibility == "internal" or self._group_level(user, group) >= GUEST:
            return True
        # members of a project or subgroup below can see the group too
        return any(
            self._access_level(user, p) >= GUEST and self._is_below(p.namespace_id, group.id)
            for p in self.projects.values()
        )

    def _is_below(self, namespace_id: int, ancestor_id: int) -> bool:
        namespace: Namespace | None = self.namespaces[namespace_id]
        while namespace is not None:
            if namespace.id == ancestor_id:
                return True
            namespace = self.namespaces.get(namespace.parent_id) if namespace.parent_id else None
        return False

    # ------------------------------------------------------------------------- JSON entities

    def _user_json(self, user: User, *, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "state": "active",
            "locked": False,
            "avatar_url": None,
            "web_url": f"{self.url}/{user.username}",
        }
        if full:
            body.update(
                created_at=_iso(user.created_at),
                bio="",
                location="",
                public_email=None,
                skype="",
                linkedin="",
                twitter="",
                website_url="",
                organization="",
                job_title="",
                bot=False,
                last_sign_in_at=_iso(user.created_at),
                confirmed_at=_iso(user.created_at),
                last_activity_on=_now().date().isoformat(),
                email=user.email,
                commit_email=user.email,
                theme_id=1,
                color_scheme_id=1,
                projects_limit=100000,
                current_sign_in_at=_iso(user.created_at),
                identities=[],
                can_create_group=True,
                can_create_project=True,
                two_factor_enabled=False,
                external=False,
                private_profile=False,
                is_admin=user.admin,
                namespace_id=user.namespace_id,
            )
        return body

    def _namespace_json(self, namespace: Namespace) -> dict[str, Any]:
        full_path = self._full_path(namespace)
        return {
            "id": namespace.id,
            "name": namespace.name,
            "path": namespace.path,
            "kind": namespace.kind,
            "full_path": full_path,
            "parent_id": namespace.parent_id,
            "avatar_url": None,
            "web_url": f"{self.url}/{'groups/' if namespace.kind == 'group' else ''}{full_path}",
        }

    def _group_json(self, group: Namespace) -> dict[str, Any]:
        full_path = self._full_path(group)
        return {
            "id": group.id,
            "web_url": f"{self.url}/groups/{full_path}",
            "name": group.name,
            "path": group.path,
            "description": "",
            "visibility": group.visibility,
            "share_with_group_lock": False,
            "require_two_factor_authentication": False,
            "project_creation_level": {
                DEVELOPER: "developer",
                MAINTAINER: "maintainer",
                OWNER: "owner",
            }.get(group.project_creation_level, "noone"),
            "subgroup_creation_level": "maintainer",
            "lfs_enabled": True,
            "default_branch": None,
            "avatar_url": None,
            "request_access_enabled": True,
            "full_name": self._full_name(group),
            "full_path": full_path,
            "created_at": _iso(group.created_at),
            "parent_id": group.parent_id,
        }

    def _project_json(
        self, project: Project, user: User | None, *, simple: bool = False
    ) -> dict[str, Any]:
        namespace = self.namespaces[project.namespace_id]
        web_url = self._web_url(project)
        body: dict[str, Any] = {
            "id": project.id,
            "description": project.description,
            "name": project.name,
            "name_with_namespace": f"{self._full_name(namespace)} / {project.name}",
            "path": project.path,
            "path_with_namespace": self._project_full_path(project),
            "created_at": _iso(project.created_at),
            "default_branch": project.default_branch,
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@127.0.0.1:{self._project_full_path(project)}.git",
            "http_url_to_repo": self._http_url(project),
            "web_url": web_url,
            "readme_url": None,
            "forks_count": 0,
            "avatar_url": None,
            "star_count": 0,
            "last_activity_at": _iso(project.last_activity_at),
            "namespace": self._namespace_json(namespace),
        }
        if simple:
            return body
        level = self._access_level(user, project)
        body.update(
            visibility=project.visibility,
            empty_repo=not any(ref.startswith("refs/heads/") for ref in project.refs),
            archived=False,
            creator_id=project.creator_id,
            open_issues_count=0,
            merge_method="merge",
            squash_option="default_off",
            only_allow_merge_if_pipeline_succeeds=False,
            remove_source_branch_after_merge=True,
            merge_requests_enabled=True,
            issues_enabled=True,
            jobs_enabled=True,
            container_registry_enabled=False,
            _links={
                "self": f"{self.url}/api/v4/projects/{project.id}",
                "merge_requests": f"{self.url}/api/v4/projects/{project.id}/merge_requests",
                "repo_branches": f"{self.url}/api/v4/projects/{project.id}/repository/branches",
                "members": f"{self.url}/api/v4/projects/{project.id}/members",
            },
            permissions={
                "project_access": (
                    {"access_level": project.members[user.id], "notification_level": 3}
                    if user is not None and user.id in project.members
                    else None
                ),
                "group_access": (
                    {"access_level": level, "notification_level": 3}
                    if user is not None and namespace.kind == "group" and level
                    else None
                ),
            },
        )
        if namespace.kind == "user" and namespace.owner_id is not None:
            body["owner"] = self._user_json(self.users[namespace.owner_id])
        return body

    def _pipeline_json(self, pipeline: Pipeline, *, detail: bool = False) -> dict[str, Any]:
        project = self.projects[pipeline.project_id]
        body: dict[str, Any] = {
            "id": pipeline.id,
            "iid": pipeline.iid,
            "project_id": pipeline.project_id,
            "sha": pipeline.sha,
            "ref": pipeline.ref,
            "status": pipeline.status,
            "source": pipeline.source,
            "created_at": _iso(pipeline.created_at),
            "updated_at": _iso(pipeline.updated_at),
            "web_url": f"{self._web_url(project)}/-/pipelines/{pipeline.id}",
        }
        if detail:
            duration = (
                int((pipeline.finished_at - pipeline.started_at).total_seconds())
                if pipeline.finished_at and pipeline.started_at
                else None
            )
            body.update(
                before_sha=pipeline.before_sha,
                tag=pipeline.tag,
                yaml_errors=None,
                user=self._user_json(self.users[pipeline.user_id]) if pipeline.user_id else None,
                started_at=_iso(pipeline.started_at),
                finished_at=_iso(pipeline.finished_at),
                committed_at=None,
                duration=duration,
                queued_duration=None,
                coverage=None,
                detailed_status={
                    "icon": f"status_{pipeline.status}",
                    "text": pipeline.status,
                    "label": pipeline.status,
                    "group": pipeline.status,
                    "tooltip": pipeline.status,
                    "has_details": True,
                    "details_path": f"/{self._project_full_path(project)}/-/pipelines/"
                    f"{pipeline.id}",
                    "illustration": None,
                    "favicon": f"/assets/ci_favicons/favicon_status_{pipeline.status}.png",
                },
            )
        return body

    def _head_pipeline(self, mr: MergeRequest) -> Pipeline | None:
        found = [
            p
            for p in self.pipelines_by_id.values()
            if p.project_id == mr.project_id and p.ref == mr.source_branch and p.sha == mr.sha
        ]
        return max(found, key=lambda p: p.id) if found else None

    def _mr_json(self, mr: MergeRequest, *, detail: bool = False) -> dict[str, Any]:
        project = self.projects[mr.project_id]
        full_path = self._project_full_path(project)
        body: dict[str, Any] = {
            "id": mr.id,
            "iid": mr.iid,
            "project_id": mr.project_id,
            "title": mr.title,
            "description": mr.description,
            "state": mr.state,
            "created_at": _iso(mr.created_at),
            "updated_at": _iso(mr.updated_at),
            "merged_by": self._user_json(self.users[mr.merged_by_id]) if mr.merged_by_id else None,
            "merge_user": (
                self._user_json(self.users[mr.merged_by_id]) if mr.merged_by_id else None
            ),
            "merged_at": _iso(mr.merged_at),
            "closed_by": self._user_json(self.users[mr.closed_by_id]) if mr.closed_by_id else None,
            "closed_at": _iso(mr.closed_at),
            "target_branch": mr.target_branch,
            "source_branch": mr.source_branch,
            "user_notes_count": 0,
            "upvotes": 0,
            "downvotes": 0,
            "author": self._user_json(self.users[mr.author_id]),
            "assignees": [],
            "assignee": None,
            "reviewers": [],
            "source_project_id": mr.project_id,
            "target_project_id": mr.project_id,
            "labels": [],
            "draft": mr.title.lower().startswith(("draft:", "[draft]", "(draft)")),
            "work_in_progress": mr.title.lower().startswith(("draft:", "[draft]", "(draft)")),
            "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": "can_be_merged" if mr.state == "opened" else "unchecked",
            "detailed_merge_status": "mergeable" if mr.state == "opened" else "not_open",
            "sha": mr.sha,
            "merge_commit_sha": mr.merge_commit_sha,
            "squash_commit_sha": None,
            "discussion_locked": None,
            "should_remove_source_branch": None,
            "force_remove_source_branch": True,
            "prepared_at": _iso(mr.created_at),
            "reference": f"!{mr.iid}",
            "references": {
                "short": f"!{mr.iid}",
                "relative": f"!{mr.iid}",
                "full": f"{full_path}!{mr.iid}",
            },
            "web_url": f"{self._web_url(project)}/-/merge_requests/{mr.iid}",
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "squash": False,
            "squash_on_merge": False,
            "task_completion_status": {"count": 0, "completed_count": 0},
            "has_conflicts": False,
            "blocking_discussions_resolved": True,
        }
        if detail:
            # only the single-object entity carries these, never the list entity
            head = self._head_pipeline(mr)
            body.update(
                subscribed=True,
                changes_count=None,
                latest_build_started_at=None,
                latest_build_finished_at=None,
                first_deployed_to_production_at=None,
                pipeline=self._pipeline_json(head) if head else None,
                head_pipeline=self._pipeline_json(head, detail=True) if head else None,
                diff_refs=None,
                merge_error=None,
                first_contribution=False,
                user={"can_merge": True},
            )
        return body

    # ------------------------------------------------------------------------- git plumbing

    async def _git(
        self,
        *args: str,
        git_dir: Path | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
        stdin: bytes | None = None,
    ) -> tuple[int, str, str]:
        """Run git on the server side (isolated from any user or system configuration)."""
        command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
        proc = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**self._git_base_env, **(env or {})},
        )
        out, err = await proc.communicate(stdin)
        code = proc.returncode if proc.returncode is not None else -1
        if check and code != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({code}): {err.decode(errors='replace')}"
            )
        return code, out.decode(errors="replace"), err.decode(errors="replace")

    async def _read_refs(self, project: Project) -> dict[str, str]:
        """refname -> sha of branches and tags, straight from the bare repository."""
        _, out, _ = await self._git(
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads",
            "refs/tags",
            git_dir=self._repo_dir(project),
        )
        refs = dict(line.split(" ", 1) for line in out.splitlines() if line)
        with self._lock:
            project.refs = refs
        return refs

    def _write_protection(self, project: Project) -> None:
        lines = [
            f"{pattern} {level if level != NO_ONE else 0} {int(force)}\n"
            for pattern, (level, force) in project.protected.items()
        ]
        (self._repo_dir(project) / "gitlab-protected-branches").write_text("".join(lines))

    async def _create_project(
        self,
        user: User,
        namespace: Namespace,
        name: str,
        path: str,
        visibility: str,
        description: str | None,
        default_branch: str = "main",
    ) -> Project:
        with self._lock:
            project = Project(
                id=next(self._ids["project"]),
                name=name,
                path=path,
                namespace_id=namespace.id,
                visibility=visibility,
                description=description,
                default_branch=default_branch,
                creator_id=user.id,
            )
            # the creator of a group project becomes its maintainer unless the group gives more
            if namespace.kind == "group" and self._group_level(user, namespace) < MAINTAINER:
                project.members[user.id] = MAINTAINER
            if self.protect_default_branch:
                project.protected[default_branch] = (MAINTAINER, False)
            self.projects[project.id] = project
            self._mr_iids[project.id] = itertools.count(1)
            self._pipeline_iids[project.id] = itertools.count(1)
            repo = self._repo_dir(project)
        repo.parent.mkdir(parents=True, exist_ok=True)
        # an empty template: no sample hooks to copy (and remove) for every project
        await self._git(
            "init",
            "--quiet",
            "--bare",
            f"--template={self.root / 'template'}",
            f"--initial-branch={default_branch}",
            str(repo),
        )
        with (repo / "config").open("a") as config:
            # appended rather than `git config`-ed: one process less per setting
            config.write(_REPO_CONFIG)
        (repo / "hooks").mkdir(exist_ok=True)
        hook = repo / "hooks" / "pre-receive"
        hook.write_text(_PRE_RECEIVE_HOOK)
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        with self._lock:
            self._write_protection(project)
        return project

    def _new_pipeline(
        self, project: Project, ref: str, sha: str, before: str, tag: bool, user: User | None
    ) -> Pipeline:
        pipeline = Pipeline(
            id=next(self._ids["pipeline"]),
            iid=next(self._pipeline_iids[project.id]),
            project_id=project.id,
            ref=ref,
            sha=sha,
            before_sha=before,
            tag=tag,
            user_id=user.id if user else None,
        )
        self.pipelines_by_id[pipeline.id] = pipeline
        return pipeline

    async def _after_push(
        self, project: Project, before: dict[str, str], after: dict[str, str], user: User | None
    ) -> None:
        """What GitLab's post-receive does that the code can observe: pipelines for updated
        branches and tags, merge requests following their source branch, and the default
        branch of a project whose first push did not include it."""
        zero = "0" * 40
        changed = [(ref, sha) for ref, sha in after.items() if before.get(ref) != sha]
        wanted: list[tuple[str, str, str, bool]] = []
        for ref, sha in changed:
            if self.ci_file_required:
                code, _, _ = await self._git(
                    "cat-file",
                    "-e",
                    f"{sha}:.gitlab-ci.yml",
                    git_dir=self._repo_dir(project),
                    check=False,
                )
                if code != 0:
                    continue
            tag = ref.startswith("refs/tags/")
            name = ref.removeprefix("refs/tags/" if tag else "refs/heads/")
            wanted.append((name, sha, before.get(ref, zero), tag))
        new_default = None
        heads_before = [r for r in before if r.startswith("refs/heads/")]
        heads_after = [r for r in after if r.startswith("refs/heads/")]
        with self._lock:
            if (
                not heads_before
                and heads_after
                and f"refs/heads/{project.default_branch}" not in after
            ):
                new_default = sorted(heads_after)[0].removeprefix("refs/heads/")
                project.protected.pop(project.default_branch, None)
                project.default_branch = new_default
                if self.protect_default_branch:
                    project.protected[new_default] = (MAINTAINER, False)
                self._write_protection(project)
            for name, sha, old, tag in wanted:
                self._new_pipeline(project, name, sha, old, tag, user)
            for mr in self.merge_requests_by_id.values():
                head = after.get(f"refs/heads/{mr.source_branch}")
                if (
                    mr.project_id == project.id
                    and mr.state == "opened"
                    and head not in (None, mr.sha)
                ):
                    mr.sha, mr.updated_at = head, _now()
            if changed:
                project.last_activity_at = _now()
        if new_default is not None:
            await self._git(
                "symbolic-ref", "HEAD", f"refs/heads/{new_default}", git_dir=self._repo_dir(project)
            )

    async def _merge(
        self, project: Project, mr: MergeRequest, user: User, message: str | None
    ) -> None:
        """A merge commit of the source into the target branch, written on the server."""
        repo = self._repo_dir(project)
        lock = self._push_locks.setdefault(project.id, asyncio.Lock())
        async with lock:
            before = await self._read_refs(project)
            target = before.get(f"refs/heads/{mr.target_branch}")
            source = before.get(f"refs/heads/{mr.source_branch}")
            if mr.state != "opened" or target is None or source is None:
                raise GitLabError(405, {"message": "405 Method Not Allowed"})
            code, tree, _ = await self._git(
                "merge-tree", "--write-tree", target, source, git_dir=repo, check=False
            )
            if code != 0:
                raise GitLabError(406, {"message": "Branch cannot be merged"})
            full_path = self._project_full_path(project)
            message = message or (
                f"Merge branch '{mr.source_branch}' into '{mr.target_branch}'\n\n{mr.title}\n\n"
                f"See merge request {full_path}!{mr.iid}"
            )
            identity = {
                "GIT_AUTHOR_NAME": user.name,
                "GIT_AUTHOR_EMAIL": user.email,
                "GIT_COMMITTER_NAME": user.name,
                "GIT_COMMITTER_EMAIL": user.email,
            }
            _, commit, _ = await self._git(
                "commit-tree",
                tree.splitlines()[0],
                "-p",
                target,
                "-p",
                source,
                "-m",
                message,
                git_dir=repo,
                env=identity,
            )
            commit = commit.strip()
            await self._git(
                "update-ref", f"refs/heads/{mr.target_branch}", commit, target, git_dir=repo
            )
            with self._lock:
                moment = _now()
                mr.state, mr.merged_at, mr.updated_at = "merged", moment, moment
                mr.merged_by_id, mr.merge_commit_sha = user.id, commit
            after = await self._read_refs(project)
            await self._after_push(project, before, after, user)

    # ------------------------------------------------------------------------- HTTP entry

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._outage == "reset":
            transport = request.transport
            if transport is not None:
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
            return web.Response(status=502)
        if self._outage == "502":
            return web.Response(
                status=502,
                content_type="text/html",
                text="<html><body><h1>502</h1><p>Whoops, GitLab is taking too much time to "
                "respond.</p></body></html>",
            )
        if self._outage == "hang" and self._resumed is not None:
            await self._resumed.wait()
        try:
            path = request.raw_path.split("?", 1)[0]
            if path == "/api/v4" or path.startswith("/api/v4/"):
                return await self._api(request, path)
            git = re.fullmatch(
                r"/(?P<project>.+?)(?:\.git)?/(?P<rest>info/refs|git-upload-pack|git-receive-pack)",
                path,
            )
            if git:
                return await self._git_http(request, unquote(git["project"]), git["rest"])
            return self._web_page(path)
        except Exception as error:
            log.exception("fake GitLab failed on %s %s", request.method, request.path_qs)
            self.failures.append(f"{request.method} {request.path_qs}: {error!r}")
            return web.json_response({"message": "500 Internal Server Error"}, status=500)

    def _web_page(self, path: str) -> web.Response:
        """Placeholders for the web pages the API links to (``web_url``): GitLab serves HTML
        there; tests only need the links to lead somewhere real."""
        page = re.fullmatch(
            r"/(?P<project>.+?)(?:/-/(?P<kind>merge_requests|pipelines)/\d+)?", path
        )
        with self._lock:
            project = self._find_project(unquote(page["project"])) if page else None
            if project is None:
                namespace = self._find_namespace_by_path(unquote(path.strip("/")))
                if namespace is None:
                    return web.Response(status=404, content_type="text/html", text="Not Found")
            title = self._project_full_path(project) if project else path.strip("/")
        return web.Response(
            content_type="text/html", text=f"<html><title>{title} · GitLab</title></html>"
        )

    # ------------------------------------------------------------------------- git over HTTP

    def _basic_token(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]

    async def _git_http(
        self, request: web.Request, project_path: str, rest: str
    ) -> web.StreamResponse:
        service = (request.query.get("service", "") if rest == "info/refs" else rest).removeprefix(
            "git-"
        )
        token_value = self._basic_token(request)
        user: User | None = None
        status = 0
        try:
            with self._lock:
                if token_value is not None:
                    self.tokens_seen.add(token_value)
                    token = self.tokens.get(token_value)
                    if token is None or not token.active:
                        raise GitLabError(401, _GIT_401)
                    token.last_used_at = _now()
                    user = self.users[token.user_id]
                    scopes = set(token.scopes)
                else:
                    scopes = set()
                project = self._find_project(project_path)
                if service not in ("upload-pack", "receive-pack"):
                    # GitLab speaks smart HTTP only; the dumb protocol gets nothing
                    raise GitLabError(403, "Unsupported git protocol.\n")
                if project is None or not self._can_see(user, project):
                    raise _git_denied(user, 404, _GIT_404)
                if service == "upload-pack":
                    if not self._can_download(user, project):
                        raise _git_denied(user, 403, _GIT_403_DOWNLOAD)
                    if user is not None and not scopes & _GIT_READ_SCOPES:
                        raise GitLabError(403, _GIT_403_DOWNLOAD)
                elif user is None or self._access_level(user, project) < DEVELOPER:
                    raise _git_denied(user, 403, _GIT_403_PUSH)
                elif not scopes & _GIT_WRITE_SCOPES:
                    raise GitLabError(403, _GIT_403_PUSH)
                level = self._access_level(user, project)
            response = await self._run_backend(request, project, user, level, rest, service)
            status = response.status
            return response
        except GitLabError as error:
            status = error.status
            headers = {"WWW-Authenticate": 'Basic realm="GitLab"'} if status == 401 else {}
            return web.Response(
                status=status, text=str(error.body), content_type="text/plain", headers=headers
            )
        finally:
            self.git_requests.append(
                GitRequest(
                    method=request.method,
                    url=request.raw_path,
                    project=project_path,
                    service=service,
                    user=user.username if user else None,
                    token=token_value,
                    status=status,
                    content_encoding=request.headers.get("Content-Encoding"),
                    chunked="chunked" in request.headers.get("Transfer-Encoding", "").lower(),
                )
            )

    async def _run_backend(
        self,
        request: web.Request,
        project: Project,
        user: User | None,
        level: int,
        rest: str,
        service: str,
    ) -> web.StreamResponse:
        """Run git-http-backend as a CGI for this request and relay its answer."""
        with self._lock:
            full_path = self._project_full_path(project)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        env = {
            **self._git_base_env,
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": f"HTTP/{request.version.major}.{request.version.minor}",
            "GIT_PROJECT_ROOT": str(self.repositories),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{full_path}.git/{rest}",
            "QUERY_STRING": request.query_string,
            "REQUEST_METHOD": request.method,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "REMOTE_ADDR": peer[0] if peer else "127.0.0.1",
            # what GitLab hands its hooks, plus the pusher's role for the protection hook
            "GL_PROTOCOL": "http",
            "GL_REPOSITORY": f"project-{project.id}",
            "GL_PROJECT_PATH": full_path,
            "FAKE_GITLAB_ACCESS_LEVEL": str(level),
        }
        if user is not None:
            env.update(
                REMOTE_USER=user.username, GL_ID=f"user-{user.id}", GL_USERNAME=user.username
            )
        if "Content-Length" in request.headers:
            env["CONTENT_LENGTH"] = request.headers["Content-Length"]
        if "Content-Encoding" in request.headers:
            env["HTTP_CONTENT_ENCODING"] = request.headers["Content-Encoding"]
        if "Git-Protocol" in request.headers:
            env["GIT_PROTOCOL"] = request.headers["Git-Protocol"]
            env["HTTP_GIT_PROTOCOL"] = request.headers["Git-Protocol"]

        pushing = service == "receive-pack" and request.method == "POST"
        lock = self._push_locks.setdefault(project.id, asyncio.Lock())
        async with lock if pushing else contextlib.nullcontext():
            before = await self._read_refs(project) if pushing else {}
            proc = await asyncio.create_subprocess_exec(
                GIT_HTTP_BACKEND,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
            assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
            feeder = asyncio.create_task(self._feed(request, proc.stdin))
            errors = asyncio.create_task(proc.stderr.read())
            try:
                status, headers = 200, {}
                while line := (await proc.stdout.readline()).rstrip(b"\r\n"):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    else:
                        headers[name] = value.strip()
                if pushing:
                    # report-status is small: read it all, record the push's effects, then
                    # answer, so that pipelines exist by the time `git push` returns
                    body = await proc.stdout.read()
                    await proc.wait()
                    after = await self._read_refs(project)
                    await self._after_push(project, before, after, user)
                    return web.Response(status=status, body=body, headers=headers)
                response = web.StreamResponse(status=status, headers=headers)
                await response.prepare(request)
                while chunk := await proc.stdout.read(65536):
                    await response.write(chunk)
                await response.write_eof()
                return response
            except BaseException:
                # the client went away (or this failed): stop the CGI. os.kill rather than
                # proc.kill(), whose Popen.poll() could reap the child under the nose of asyncio's
                # child watcher (which then logs "Unknown child process")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                raise
            finally:
                await proc.wait()
                await asyncio.gather(feeder, return_exceptions=True)
                stderr = (await errors).decode(errors="replace").strip()
                if stderr:
                    log.debug("git-http-backend: %s", stderr)

    @staticmethod
    async def _feed(request: web.Request, stdin: asyncio.StreamWriter) -> None:
        """Stream the request body (possibly chunked, possibly gzip) into the CGI."""
        try:
            async for chunk in request.content.iter_any():
                stdin.write(chunk)
                await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            stdin.close()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await stdin.wait_closed()

    # ------------------------------------------------------------------------- REST API

    async def _api(self, request: web.Request, path: str) -> web.StreamResponse:
        record: dict[str, Any] = {"user": None, "token": None, "auth": None}
        status = 500
        try:
            response = await self._api_dispatch(request, path, record)
            status = response.status
            return response
        except GitLabError as error:
            status = error.status
            return web.json_response(error.body, status=error.status, headers=error.headers)
        finally:
            self.requests.append(
                ApiRequest(
                    method=request.method,
                    url=request.raw_path,
                    user=record["user"],
                    token=record["token"],
                    auth=record["auth"],
                    status=status,
                )
            )

    def _authenticate(self, request: web.Request, record: dict[str, Any]) -> Token | None:
        """The token of a request, as GitLab's API guard finds and checks it."""
        value, how = None, None
        if "PRIVATE-TOKEN" in request.headers:
            value, how = request.headers["PRIVATE-TOKEN"], "PRIVATE-TOKEN"
        elif request.headers.get("Authorization", "").lower().startswith("bearer "):
            value, how = request.headers["Authorization"][7:].strip(), "Bearer"
        elif "private_token" in request.query:
            value, how = request.query["private_token"], "query"
        if value is None:
            return None
        record["token"], record["auth"] = value, how
        with self._lock:
            self.tokens_seen.add(value)
            token = self.tokens.get(value)
            if token is None:
                raise GitLabError(401, {"message": "401 Unauthorized"})
            if token.revoked or token.expired:
                text = "Token has been revoked." if token.revoked else "Token has expired."
                raise GitLabError(
                    401,
                    {"error": "invalid_token", "error_description": text},
                    {
                        "WWW-Authenticate": 'Bearer realm="", error="invalid_token", '
                        f'error_description="{text}"'
                    },
                )
            token.last_used_at = _now()
            record["user"] = self.users[token.user_id].username
            return token

    async def _body(self, request: web.Request) -> dict[str, Any]:
        """Parameters as Grape sees them: the query string merged with a JSON or form body."""
        params: dict[str, Any] = {
            k: v for k, v in request.query.items() if k not in ("private_token",)
        }
        if request.method in ("POST", "PUT", "PATCH") and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as error:
                    raise GitLabError(
                        400, {"error": "The request body is not valid JSON"}
                    ) from error
                if not isinstance(body, dict):
                    raise GitLabError(400, {"error": "The request body must be a JSON object"})
                params.update(body)
            else:
                params.update((await request.post()).items())
        return params

    def _validate(self, request: web.Request, schema: str, params: dict[str, Any]) -> None:
        validator = jsonschema.Draft202012Validator(SCHEMAS[schema])
        errors = sorted(validator.iter_errors(params), key=lambda e: list(e.path))
        if errors:
            self.invalid_requests.append(
                InvalidRequest(
                    request.method,
                    request.raw_path,
                    copy.deepcopy(params),
                    [f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in errors],
                )
            )
            raise GitLabError(400, {"error": ", ".join(_grape_message(e) for e in errors)})

    async def _api_dispatch(
        self, request: web.Request, path: str, record: dict[str, Any]
    ) -> web.StreamResponse:
        token = self._authenticate(request, record)
        request[_TOKEN] = token
        with self._lock:
            user = self.users[token.user_id] if token else None
        segments = [unquote(s) for s in path.removeprefix("/api/v4").strip("/").split("/") if s]
        method = request.method
        for route_method, pattern, handler, scope in self._routes():
            if route_method != method or len(pattern) != len(segments):
                continue
            args = []
            for want, got in zip(pattern, segments, strict=True):
                if want.startswith(":"):
                    args.append(got)
                elif want != got:
                    break
            else:
                self._check_scope(token, scope, method)
                response: web.StreamResponse = await handler(request, user, *args)
                return response
        self.unimplemented.append(f"{method} {path}")
        raise GitLabError(404, {"error": "404 Not Found"})

    @staticmethod
    def _check_scope(token: Token | None, scope: str, method: str) -> None:
        """GitLab's scope check: ``api`` for everything, ``read_api`` for reads, ``read_user``
        for the user endpoints; ``personal_access_tokens/self`` answers any active token."""
        if scope == "self" or token is None:
            return
        allowed = {"api"}
        if method == "GET":
            allowed.add("read_api")
            if scope == "read_user":
                allowed.add("read_user")
        if not allowed & set(token.scopes):
            raise GitLabError(
                403,
                {
                    "error": "insufficient_scope",
                    "error_description": "The request requires higher privileges than "
                    "provided by the access token.",
                    "scope": " ".join(sorted(allowed)),
                },
            )

    def _routes(self) -> list[tuple[str, tuple[str, ...], Callable[..., Any], str]]:
        return [
            ("GET", ("version",), self._get_version, "read_user"),
            ("GET", ("user",), self._get_user, "read_user"),
            ("GET", ("users",), self._list_users, "read_user"),
            ("GET", ("users", ":id"), self._get_user_by_id, "read_user"),
            ("GET", ("personal_access_tokens", "self"), self._get_token_self, "self"),
            ("GET", ("namespaces",), self._list_namespaces, "api"),
            ("GET", ("namespaces", ":id"), self._get_namespace, "api"),
            ("GET", ("groups",), self._list_groups, "api"),
            ("GET", ("groups", ":id"), self._get_group, "api"),
            ("GET", ("projects",), self._list_projects, "api"),
            ("POST", ("projects",), self._post_project, "api"),
            ("GET", ("projects", ":id"), self._get_project, "api"),
            (
                "GET",
                ("projects", ":id", "repository", "branches"),
                self._list_branches,
                "api",
            ),
            (
                "POST",
                ("projects", ":id", "repository", "branches"),
                self._post_branch,
                "api",
            ),
            (
                "GET",
                ("projects", ":id", "repository", "branches", ":branch"),
                self._get_branch,
                "api",
            ),
            ("GET", ("projects", ":id", "merge_requests"), self._list_mrs, "api"),
            ("POST", ("projects", ":id", "merge_requests"), self._post_mr, "api"),
            ("GET", ("projects", ":id", "merge_requests", ":iid"), self._get_mr, "api"),
            ("PUT", ("projects", ":id", "merge_requests", ":iid"), self._put_mr, "api"),
            (
                "PUT",
                ("projects", ":id", "merge_requests", ":iid", "merge"),
                self._put_mr_merge,
                "api",
            ),
            (
                "GET",
                ("projects", ":id", "repository", "commits", ":sha"),
                self._get_commit,
                "api",
            ),
            ("GET", ("projects", ":id", "pipelines"), self._list_pipelines, "api"),
            ("GET", ("projects", ":id", "pipelines", "latest"), self._latest_pipeline, "api"),
            ("GET", ("projects", ":id", "pipelines", ":pid"), self._get_pipeline, "api"),
        ]

    # -- helpers for handlers

    @staticmethod
    def _require_user(user: User | None) -> User:
        if user is None:
            raise GitLabError(401, {"message": "401 Unauthorized"})
        return user

    def _visible_project(self, user: User | None, ident: str) -> Project:
        project = self._find_project(ident)
        if project is None or not self._can_see(user, project):
            raise _not_found("Project")
        return project

    def _paginate(self, request: web.Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        """A page of ``items`` and GitLab's offset pagination headers, ``Link`` included."""
        try:
            page = max(1, int(request.query.get("page", "1")))
            per_page = min(100, max(1, int(request.query.get("per_page", "20"))))
        except ValueError as error:
            raise GitLabError(400, {"error": "page is invalid"}) from error
        total = len(items)
        pages = max(1, -(-total // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(number: int) -> str:
            query = [(k, v) for k, v in request.query.items() if k not in ("page", "per_page")]
            query += [("page", str(number)), ("per_page", str(per_page))]
            base = request.raw_path.split("?", 1)[0]
            return f"<{self.url}{base}?{urlencode(query)}>"

        links = []
        if page > 1:
            links.append(f'{link(min(page - 1, pages))}; rel="prev"')
        if page < pages:
            links.append(f'{link(page + 1)}; rel="next"')
        links += [f'{link(1)}; rel="first"', f'{link(pages)}; rel="last"']
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(total),
            "X-Total-Pages": str(pages),
            "X-Next-Page": str(page + 1) if page < pages else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
            "Link": ", ".join(links),
        }
        return chunk, headers

    def _list_response(self, request: web.Request, items: list[Any]) -> web.Response:
        chunk, headers = self._paginate(request, items)
        return web.json_response(chunk, headers=headers)

    @staticmethod
    def _sorted(
        request: web.Request,
        items: list[Any],
        keys: dict[str, Callable[[Any], Any]],
        default: str,
        default_sort: str = "desc",
    ) -> list[Any]:
        order_by = request.query.get("order_by", default)
        if order_by not in keys:
            raise GitLabError(400, {"error": "order_by does not have a valid value"})
        sort = request.query.get("sort", default_sort)
        if sort not in ("asc", "desc"):
            raise GitLabError(400, {"error": "sort does not have a valid value"})
        return sorted(items, key=keys[order_by], reverse=sort == "desc")

    # -- users, tokens, version

    async def _get_version(self, request: web.Request, user: User | None) -> web.Response:
        self._require_user(user)
        return web.json_response(
            {"version": GITLAB_VERSION, "revision": GITLAB_REVISION, "kas": {"enabled": False}}
        )

    async def _get_user(self, request: web.Request, user: User | None) -> web.Response:
        user = self._require_user(user)
        with self._lock:
            return web.json_response(self._user_json(user, full=True))

    async def _list_users(self, request: web.Request, user: User | None) -> web.Response:
        with self._lock:
            found = list(self.users.values())
            if "username" in request.query:
                found = [
                    u for u in found if u.username.lower() == request.query["username"].lower()
                ]
            if "search" in request.query:
                needle = request.query["search"].lower()
                found = [
                    u
                    for u in found
                    if needle in u.username.lower()
                    or needle in u.name.lower()
                    or needle == u.email.lower()
                ]
            return self._list_response(request, [self._user_json(u) for u in found])

    async def _get_user_by_id(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        with self._lock:
            found = self.users.get(int(ident)) if ident.isdigit() else None
            if found is None:
                raise _not_found("User")
            return web.json_response(self._user_json(found, full=user is not None and user.admin))

    async def _get_token_self(self, request: web.Request, user: User | None) -> web.Response:
        token = request[_TOKEN]
        if token is None:
            raise GitLabError(401, {"message": "401 Unauthorized"})
        with self._lock:
            return web.json_response(
                {
                    "id": token.id,
                    "name": token.name,
                    "revoked": token.revoked,
                    "created_at": _iso(token.created_at),
                    "description": None,
                    "scopes": list(token.scopes),
                    "user_id": token.user_id,
                    "last_used_at": _iso(token.last_used_at),
                    "active": token.active,
                    "expires_at": token.expires_at.isoformat() if token.expires_at else None,
                }
            )

    # -- namespaces and groups

    def _user_namespaces(self, user: User) -> list[Namespace]:
        if user.admin:
            return list(self.namespaces.values())
        return [
            ns
            for ns in self.namespaces.values()
            if (ns.kind == "user" and ns.owner_id == user.id)
            or (ns.kind == "group" and self._group_level(user, ns) >= GUEST)
        ]

    async def _list_namespaces(self, request: web.Request, user: User | None) -> web.Response:
        user = self._require_user(user)
        with self._lock:
            found = self._user_namespaces(user)
            if "search" in request.query:
                needle = request.query["search"].lower()
                found = [ns for ns in found if needle in self._full_path(ns).lower()]
            if _truthy(request.query.get("owned_only", False)):
                found = [ns for ns in found if self._group_level(user, ns) >= OWNER]
            found.sort(key=lambda ns: ns.id)
            return self._list_response(request, [self._namespace_json(ns) for ns in found])

    async def _get_namespace(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        user = self._require_user(user)
        with self._lock:
            namespace = (
                self.namespaces.get(int(ident))
                if ident.isdigit()
                else self._find_namespace_by_path(ident)
            )
            if namespace is None or namespace not in self._user_namespaces(user):
                raise _not_found("Namespace")
            return web.json_response(self._namespace_json(namespace))

    async def _list_groups(self, request: web.Request, user: User | None) -> web.Response:
        with self._lock:
            groups = [
                ns
                for ns in self.namespaces.values()
                if ns.kind == "group" and self._can_see_group(user, ns)
            ]
            if "min_access_level" in request.query:
                user = self._require_user(user)
                try:
                    minimum = int(request.query["min_access_level"])
                except ValueError as error:
                    raise GitLabError(400, {"error": "min_access_level is invalid"}) from error
                groups = [g for g in groups if self._group_level(user, g) >= minimum]
            if _truthy(request.query.get("owned", False)):
                user = self._require_user(user)
                groups = [g for g in groups if self._group_level(user, g) >= OWNER]
            if _truthy(request.query.get("top_level_only", False)):
                groups = [g for g in groups if g.parent_id is None]
            if "search" in request.query:
                needle = request.query["search"].lower()
                groups = [g for g in groups if needle in g.path.lower() or needle in g.name.lower()]
            groups = self._sorted(
                request,
                groups,
                {
                    "name": lambda g: g.name.lower(),
                    "path": lambda g: g.path.lower(),
                    "id": lambda g: g.id,
                },
                "name",
                "asc",
            )
            return self._list_response(request, [self._group_json(g) for g in groups])

    async def _get_group(self, request: web.Request, user: User | None, ident: str) -> web.Response:
        with self._lock:
            group = (
                self.namespaces.get(int(ident))
                if ident.isdigit()
                else self._find_namespace_by_path(ident)
            )
            if group is None or group.kind != "group" or not self._can_see_group(user, group):
                raise _not_found("Group")
            return web.json_response(self._group_json(group))

    # -- projects

    async def _list_projects(self, request: web.Request, user: User | None) -> web.Response:
        query = request.query
        with self._lock:
            found = [p for p in self.projects.values() if self._can_see(user, p)]
            if _truthy(query.get("owned", False)):
                user = self._require_user(user)
                found = [p for p in found if self.namespaces[p.namespace_id].owner_id == user.id]
            if _truthy(query.get("membership", False)):
                user = self._require_user(user)
                found = [p for p in found if self._access_level(user, p) >= GUEST]
            if "min_access_level" in query:
                user = self._require_user(user)
                minimum = int(query["min_access_level"])
                found = [p for p in found if self._access_level(user, p) >= minimum]
            if "visibility" in query:
                found = [p for p in found if p.visibility == query["visibility"]]
            if "search" in query:
                needle = query["search"].lower()
                with_ns = _truthy(query.get("search_namespaces", False))
                found = [
                    p
                    for p in found
                    if needle in p.name.lower()
                    or needle in p.path.lower()
                    or needle in (p.description or "").lower()
                    or (with_ns and needle in self._project_full_path(p).lower())
                ]
            found = self._sorted(
                request,
                found,
                {
                    "id": lambda p: p.id,
                    "name": lambda p: p.name.lower(),
                    "path": lambda p: p.path.lower(),
                    "created_at": lambda p: (p.created_at, p.id),
                    "updated_at": lambda p: (p.last_activity_at, p.id),
                    "last_activity_at": lambda p: (p.last_activity_at, p.id),
                },
                "created_at",
            )
            simple = _truthy(query.get("simple", False))
            return self._list_response(
                request, [self._project_json(p, user, simple=simple) for p in found]
            )

    async def _get_project(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        with self._lock:
            project = self._visible_project(user, ident)
            return web.json_response(self._project_json(project, user))

    async def _post_project(self, request: web.Request, user: User | None) -> web.Response:
        user = self._require_user(user)
        params = await self._body(request)
        self._validate(request, "create_project", params)
        name = params.get("name")
        path = params.get("path") or _slugify(name or "")
        name = name or path
        visibility = params.get("visibility", "private")
        default_branch = params.get("default_branch") or "main"
        with self._lock:
            if "namespace_id" in params:
                namespace = self.namespaces.get(int(params["namespace_id"]))
                if namespace is None or not (
                    (namespace.kind == "group" and self._can_see_group(user, namespace))
                    or (namespace.kind == "user" and (namespace.owner_id == user.id or user.admin))
                ):
                    raise _not_found("Namespace")
            else:
                namespace = self.namespaces[user.namespace_id]
            errors: dict[str, list[str]] = {}
            if namespace.kind == "group" and (
                self._group_level(user, namespace) < namespace.project_creation_level
                and not user.admin
            ):
                errors["namespace"] = ["is not valid"]
            if not _PROJECT_PATH_RE.match(path) or path.endswith((".git", ".atom")):
                errors.setdefault("path", []).append(_PROJECT_PATH_ERROR)
            if not _PROJECT_NAME_RE.match(name):
                errors.setdefault("name", []).append(_PROJECT_NAME_ERROR)
            siblings = [p for p in self.projects.values() if p.namespace_id == namespace.id]
            if any(p.name.lower() == name.lower() for p in siblings):
                errors["project_namespace.name"] = ["has already been taken"]
                errors.setdefault("name", []).append("has already been taken")
            if any(p.path.lower() == path.lower() for p in siblings) or (
                self._find_namespace_by_path(f"{self._full_path(namespace)}/{path}") is not None
            ):
                errors.setdefault("path", []).append("has already been taken")
            if errors:
                raise GitLabError(400, {"message": errors})
        project = await self._create_project(
            user, namespace, name, path, visibility, params.get("description"), default_branch
        )
        if _truthy(params.get("initialize_with_readme", False)):
            await self._initialize_readme(project, user)
        with self._lock:
            return web.json_response(self._project_json(project, user), status=201)

    async def _initialize_readme(self, project: Project, user: User) -> None:
        repo = self._repo_dir(project)
        identity = {
            "GIT_AUTHOR_NAME": user.name,
            "GIT_AUTHOR_EMAIL": user.email,
            "GIT_COMMITTER_NAME": user.name,
            "GIT_COMMITTER_EMAIL": user.email,
        }
        readme = f"# {project.name}\n"
        _, blob, _ = await self._git(
            "hash-object", "-w", "--stdin", git_dir=repo, stdin=readme.encode()
        )
        _, tree, _ = await self._git(
            "mktree", git_dir=repo, stdin=f"100644 blob {blob.strip()}\tREADME.md\n".encode()
        )
        _, commit, _ = await self._git(
            "commit-tree", tree.strip(), "-m", "Initial commit", git_dir=repo, env=identity
        )
        before = await self._read_refs(project)
        await self._git(
            "update-ref", f"refs/heads/{project.default_branch}", commit.strip(), git_dir=repo
        )
        await self._after_push(project, before, await self._read_refs(project), user)

    # -- branches

    _BRANCH_FIELDS = (
        "%(refname:strip=2)",
        "%(objectname)",
        "%(subject)",
        "%(contents)",
        "%(authorname)",
        "%(authoremail:trim)",
        "%(authordate:iso-strict)",
        "%(committername)",
        "%(committeremail:trim)",
        "%(committerdate:iso-strict)",
        "%(parent)",
    )

    async def _branch_list(self, project: Project, user: User | None) -> list[dict[str, Any]]:
        """Branches with their head commits, read with ``git for-each-ref``."""
        repo = self._repo_dir(project)
        _, out, _ = await self._git(
            "for-each-ref",
            "--format=" + "%00".join(self._BRANCH_FIELDS) + "%00",
            "refs/heads",
            git_dir=repo,
        )
        await self._read_refs(project)
        with self._lock:
            default = project.default_branch
            level = self._access_level(user, project)
            protected = dict(project.protected)
            web_url = self._web_url(project)
        merged: set[str] = set()
        if f"refs/heads/{default}" in project.refs:
            _, names, _ = await self._git(
                "for-each-ref",
                "--format=%(refname:strip=2)",
                f"--merged=refs/heads/{default}",
                "refs/heads",
                git_dir=repo,
            )
            merged = set(names.splitlines()) - {default}
        values = out.split("\x00")
        width = len(self._BRANCH_FIELDS)
        branches = []
        for start in range(0, len(values) - width + 1, width):
            fields = [
                v.lstrip("\n") if i == 0 else v for i, v in enumerate(values[start : start + width])
            ]
            (
                name,
                sha,
                subject,
                message,
                a_name,
                a_mail,
                a_date,
                c_name,
                c_mail,
                c_date,
                parents,
            ) = fields
            rule = next(
                (rule for pattern, rule in protected.items() if _glob_match(pattern, name)), None
            )
            branches.append(
                {
                    "name": name,
                    "merged": name in merged,
                    "protected": rule is not None,
                    "default": name == default,
                    "developers_can_push": rule is None or rule[0] <= DEVELOPER,
                    "developers_can_merge": rule is None or rule[0] <= DEVELOPER,
                    "can_push": level >= DEVELOPER and (rule is None or (0 < rule[0] <= level)),
                    "web_url": f"{web_url}/-/tree/{quote(name)}",
                    "commit": {
                        "id": sha,
                        "short_id": sha[:8],
                        "created_at": c_date,
                        "parent_ids": parents.split(),
                        "title": subject,
                        "message": message,
                        "author_name": a_name,
                        "author_email": a_mail,
                        "authored_date": a_date,
                        "committer_name": c_name,
                        "committer_email": c_mail,
                        "committed_date": c_date,
                        "trailers": {},
                        "extended_trailers": {},
                        "web_url": f"{web_url}/-/commit/{sha}",
                    },
                }
            )
        return sorted(branches, key=lambda b: b["name"])

    async def _list_branches(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
        branches = await self._branch_list(project, user)
        if "search" in request.query:
            needle = request.query["search"]
            if needle.startswith("^"):
                branches = [b for b in branches if b["name"].startswith(needle[1:])]
            elif needle.endswith("$"):
                branches = [b for b in branches if b["name"].endswith(needle[:-1])]
            else:
                branches = [b for b in branches if needle.lower() in b["name"].lower()]
        return self._list_response(request, branches)

    async def _get_branch(
        self, request: web.Request, user: User | None, ident: str, name: str
    ) -> web.Response:
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
        for branch in await self._branch_list(project, user):
            if branch["name"] == name:
                return web.json_response(branch)
        raise _not_found("Branch")

    async def _post_branch(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        user = self._require_user(user)
        params = await self._body(request)
        with self._lock:
            project = self._visible_project(user, ident)
            if self._access_level(user, project) < DEVELOPER:
                raise GitLabError(403, _FORBIDDEN)
        self._validate(request, "create_branch", params)
        name, ref = params["branch"], params["ref"]
        repo = self._repo_dir(project)
        code, _, _ = await self._git("check-ref-format", "--branch", name, check=False)
        if code != 0 or name.startswith("-"):
            raise GitLabError(400, {"message": "Branch name is invalid"})
        lock = self._push_locks.setdefault(project.id, asyncio.Lock())
        async with lock:
            before = await self._read_refs(project)
            if f"refs/heads/{name}" in before:
                raise GitLabError(400, {"message": "Branch already exists"})
            code, sha, _ = await self._git(
                "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", git_dir=repo, check=False
            )
            if code != 0:
                raise GitLabError(400, {"message": "Invalid reference name: " + ref})
            await self._git("update-ref", f"refs/heads/{name}", sha.strip(), "", git_dir=repo)
            await self._after_push(project, before, await self._read_refs(project), user)
        for branch in await self._branch_list(project, user):
            if branch["name"] == name:
                return web.json_response(branch, status=201)
        raise RuntimeError("created branch vanished")

    async def _get_commit(
        self, request: web.Request, user: User | None, ident: str, ref: str
    ) -> web.Response:
        """A commit by sha, branch or tag, with ``last_pipeline``: the other way clients ask
        for the status of a branch (``project.commits.get(branch).last_pipeline``)."""
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
            web_url = self._web_url(project)
        repo = self._repo_dir(project)
        fields = ("%H", "%s", "%B", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%P")
        code, out, _ = await self._git(
            "log", "-1", "--format=" + "%x00".join(fields), f"{ref}^{{commit}}", "--",
            git_dir=repo, check=False,
        )  # fmt: skip
        if code != 0 or ref.startswith("-"):
            raise _not_found("Commit")
        sha, subject, message, a_name, a_mail, a_date, c_name, c_mail, c_date, parents = out.rstrip(
            "\n"
        ).split("\x00")
        _, numstat, _ = await self._git(
            "show", "--numstat", "--format=", sha, git_dir=repo, check=False
        )
        added = deleted = 0
        for line in numstat.splitlines():
            plus, minus, *_ = [*line.split("\t"), "", ""]
            added += int(plus) if plus.isdigit() else 0
            deleted += int(minus) if minus.isdigit() else 0
        with self._lock:
            found = [
                p
                for p in self.pipelines_by_id.values()
                if p.project_id == project.id and p.sha == sha
            ]
            last = max(found, key=lambda p: p.id) if found else None
            return web.json_response(
                {
                    "id": sha,
                    "short_id": sha[:8],
                    "created_at": c_date,
                    "parent_ids": parents.split(),
                    "title": subject,
                    "message": message,
                    "author_name": a_name,
                    "author_email": a_mail,
                    "authored_date": a_date,
                    "committer_name": c_name,
                    "committer_email": c_mail,
                    "committed_date": c_date,
                    "trailers": {},
                    "extended_trailers": {},
                    "web_url": f"{web_url}/-/commit/{sha}",
                    "stats": {"additions": added, "deletions": deleted, "total": added + deleted},
                    "status": last.status if last else None,
                    "project_id": project.id,
                    "last_pipeline": self._pipeline_json(last) if last else None,
                }
            )

    # -- merge requests

    async def _list_mrs(self, request: web.Request, user: User | None, ident: str) -> web.Response:
        query = request.query
        with self._lock:
            project = self._visible_project(user, ident)
            found = [m for m in self.merge_requests_by_id.values() if m.project_id == project.id]
            state = query.get("state", "all")
            if state not in ("opened", "closed", "locked", "merged", "all"):
                raise GitLabError(400, {"error": "state does not have a valid value"})
            if state != "all":
                found = [m for m in found if m.state == state]
            for key in ("source_branch", "target_branch"):
                if key in query:
                    found = [m for m in found if getattr(m, key) == query[key]]
            if "author_username" in query:
                found = [
                    m for m in found if self.users[m.author_id].username == query["author_username"]
                ]
            if "search" in query:
                needle = query["search"].lower()
                found = [
                    m
                    for m in found
                    if needle in m.title.lower() or needle in (m.description or "").lower()
                ]
            iids = query.getall("iids[]", [])
            if iids:
                found = [m for m in found if str(m.iid) in iids]
            found = self._sorted(
                request,
                found,
                {
                    "created_at": lambda m: (m.created_at, m.id),
                    "updated_at": lambda m: (m.updated_at, m.id),
                    "title": lambda m: m.title.lower(),
                },
                "created_at",
            )
            return self._list_response(request, [self._mr_json(m) for m in found])

    async def _get_mr(
        self, request: web.Request, user: User | None, ident: str, iid: str
    ) -> web.Response:
        with self._lock:
            project = self._visible_project(user, ident)
            if not iid.isdigit():
                raise _not_found()
            return web.json_response(self._mr_json(self._find_mr(project, int(iid)), detail=True))

    def _open_conflict(self, project: Project, mr_like: MergeRequest) -> MergeRequest | None:
        return next(
            (
                other
                for other in self.merge_requests_by_id.values()
                if other.project_id == project.id
                and other.state == "opened"
                and other.id != mr_like.id
                and other.source_branch == mr_like.source_branch
                and other.target_branch == mr_like.target_branch
            ),
            None,
        )

    async def _post_mr(self, request: web.Request, user: User | None, ident: str) -> web.Response:
        user = self._require_user(user)
        params = await self._body(request)
        with self._lock:
            project = self._visible_project(user, ident)
            if self._access_level(user, project) < DEVELOPER:
                raise GitLabError(403, _FORBIDDEN)
        self._validate(request, "create_merge_request", params)
        source, target = params["source_branch"], params["target_branch"]
        title = params["title"]
        refs = await self._read_refs(project)
        with self._lock:
            if not title.strip():
                raise GitLabError(400, {"message": {"title": ["can't be blank"]}})
            if source == target:
                raise GitLabError(
                    422, {"message": ["You can't use same project/branch for source and target"]}
                )
            errors: dict[str, list[str]] = {}
            for key, branch in (("source_branch", source), ("target_branch", target)):
                if f"refs/heads/{branch}" not in refs:
                    errors[key] = ["does not exist"]
            if errors:
                # GitLab 19 refuses merge requests whose branches are not (yet) on the server
                raise GitLabError(400, {"message": errors})
            mr = MergeRequest(
                id=0,
                iid=0,
                project_id=project.id,
                title=title,
                description=params.get("description"),
                source_branch=source,
                target_branch=target,
                author_id=user.id,
                sha=refs[f"refs/heads/{source}"],
            )
            conflict = self._open_conflict(project, mr)
            if conflict is not None:
                raise GitLabError(
                    409,
                    {
                        "message": [
                            "Another open merge request already exists for this source "
                            f"branch: !{conflict.iid}"
                        ]
                    },
                )
            mr.id = next(self._ids["mr"])
            mr.iid = next(self._mr_iids[project.id])
            self.merge_requests_by_id[mr.id] = mr
            project.last_activity_at = _now()
            return web.json_response(self._mr_json(mr, detail=True), status=201)

    async def _put_mr(
        self, request: web.Request, user: User | None, ident: str, iid: str
    ) -> web.Response:
        user = self._require_user(user)
        params = await self._body(request)
        with self._lock:
            project = self._visible_project(user, ident)
            if not iid.isdigit():
                raise _not_found()
            mr = self._find_mr(project, int(iid))
            if self._access_level(user, project) < DEVELOPER and user.id != mr.author_id:
                raise GitLabError(403, _FORBIDDEN)
        self._validate(request, "update_merge_request", params)
        refs = await self._read_refs(project)
        with self._lock:
            changed = dataclasses.replace(mr)
            if "title" in params:
                changed.title = params["title"]
            if "description" in params:
                changed.description = params["description"]
            if "target_branch" in params:
                if f"refs/heads/{params['target_branch']}" not in refs:
                    raise GitLabError(400, {"message": {"target_branch": ["does not exist"]}})
                changed.target_branch = params["target_branch"]
            event = params.get("state_event")
            if event == "close" and mr.state == "opened":
                changed.state, changed.closed_at, changed.closed_by_id = "closed", _now(), user.id
            elif event == "reopen" and mr.state == "closed":
                changed.state, changed.closed_at, changed.closed_by_id = "opened", None, None
            if changed.state == "opened":
                conflict = self._open_conflict(project, changed)
                if conflict is not None:
                    raise GitLabError(
                        409,
                        {
                            "message": [
                                "Another open merge request already exists for this source "
                                f"branch: !{conflict.iid}"
                            ]
                        },
                    )
            changed.updated_at = _now()
            for item in dataclasses.fields(mr):
                setattr(mr, item.name, getattr(changed, item.name))
            return web.json_response(self._mr_json(mr, detail=True))

    async def _put_mr_merge(
        self, request: web.Request, user: User | None, ident: str, iid: str
    ) -> web.Response:
        user = self._require_user(user)
        params = await self._body(request)
        with self._lock:
            project = self._visible_project(user, ident)
            if not iid.isdigit():
                raise _not_found()
            mr = self._find_mr(project, int(iid))
            if self._access_level(user, project) < DEVELOPER:
                raise GitLabError(403, _FORBIDDEN)
        self._validate(request, "merge_merge_request", params)
        if "sha" in params and params["sha"] != mr.sha:
            raise GitLabError(409, {"message": "SHA does not match HEAD of source branch"})
        await self._merge(project, mr, user, params.get("merge_commit_message"))
        with self._lock:
            return web.json_response(self._mr_json(mr, detail=True))

    # -- pipelines

    async def _list_pipelines(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        query = request.query
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
            found = [p for p in self.pipelines_by_id.values() if p.project_id == project.id]
            for key in ("ref", "sha", "status", "source"):
                if key in query:
                    found = [p for p in found if getattr(p, key) == query[key]]
            if "username" in query:
                found = [
                    p
                    for p in found
                    if p.user_id and self.users[p.user_id].username == query["username"]
                ]
            scope = query.get("scope")
            if scope == "finished":
                found = [p for p in found if p.status in _FINISHED]
            elif scope in ("running", "pending"):
                found = [p for p in found if p.status == scope]
            elif scope in ("branches", "tags"):
                found = [p for p in found if p.tag == (scope == "tags")]
            found = self._sorted(
                request,
                found,
                {
                    "id": lambda p: p.id,
                    "status": lambda p: (p.status, p.id),
                    "ref": lambda p: (p.ref, p.id),
                    "updated_at": lambda p: (p.updated_at, p.id),
                    "user_id": lambda p: (p.user_id or 0, p.id),
                },
                "id",
            )
            return self._list_response(request, [self._pipeline_json(p) for p in found])

    async def _get_pipeline(
        self, request: web.Request, user: User | None, ident: str, pid: str
    ) -> web.Response:
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
            pipeline = self.pipelines_by_id.get(int(pid)) if pid.isdigit() else None
            if pipeline is None or pipeline.project_id != project.id:
                raise _not_found()
            return web.json_response(self._pipeline_json(pipeline, detail=True))

    async def _latest_pipeline(
        self, request: web.Request, user: User | None, ident: str
    ) -> web.Response:
        """``/pipelines/latest?ref=``: the newest pipeline for the ref's current head commit."""
        with self._lock:
            project = self._visible_project(user, ident)
            if not self._can_download(user, project):
                raise GitLabError(403, _FORBIDDEN)
            ref = request.query.get("ref", project.default_branch)
        refs = await self._read_refs(project)
        head = refs.get(f"refs/heads/{ref}") or refs.get(f"refs/tags/{ref}")
        with self._lock:
            found = [
                p
                for p in self.pipelines_by_id.values()
                if p.project_id == project.id and p.ref == ref and p.sha == head
            ]
            if not found:
                raise _not_found()
            return web.json_response(
                self._pipeline_json(max(found, key=lambda p: p.id), detail=True)
            )


def _git_denied(user: User | None, status: int, text: str) -> GitLabError:
    """Anonymous git requests are asked for credentials (401, so git runs its askpass helper)
    rather than told what exists; a known user gets the real answer."""
    return GitLabError(401, _GIT_401) if user is None else GitLabError(status, text)


def _glob_match(pattern: str, name: str) -> bool:
    """GitLab's protected-branch wildcards (``*`` matches anything, slashes included)."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), name) is not None


# ------------------------------------------------------------------------------ git clients


_ASKPASS = """#!/bin/sh
# git asks for a username and a password; GitLab takes any username with a token as password
case "$1" in
    Username*) echo oauth2 ;;
    *) printf '%s\\n' "$FAKE_GITLAB_TOKEN" ;;
esac
"""


def git_env(home: str | Path, token: str | None = None) -> dict[str, str]:
    """An environment for a real ``git`` client that sees no user or system configuration and
    gets credentials only from an askpass helper (never from a URL), the way the workbench
    hands a user's token to git. ``token`` None means git has no token to answer with."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    askpass = home / "askpass.sh"
    askpass.write_text(_ASKPASS)
    askpass.chmod(0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C",
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": str(askpass),
        "GIT_AUTHOR_NAME": "Test User",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test User",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    if token is not None:
        env["FAKE_GITLAB_TOKEN"] = token
    return env
