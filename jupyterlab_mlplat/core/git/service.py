"""The Git tab's work on a person's files: status, commit, pull, push, branches, publish, and
the GitLab views of the branch (merge requests, pipeline).

git itself runs through the ``GitRunner`` port (a subprocess in the user's server); GitLab is
reached through the ``GitHost`` port (the platform, which keeps the person's token); a commit is
recorded for the person's running experiments through the ``CommitLineage`` port. Each public
method is one verb of the tab and returns what the tab shows next (a change returns the new
status), so one browser request does one action.

git is run as few times as the answer needs: the repository's top folder is found once per call,
``status --porcelain=v2 --branch`` gives branch, upstream and ahead/behind in one run, one
``config --get-regexp`` gives the remote and whether the person has a git identity, and one
``cat-file --batch`` reads every changed notebook's committed version.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from jupyterlab_mlplat.core.gitlab.records import MergeRequest, Pipeline
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.naming import file_path, text

from .notebooks import notebook_changes, notebook_diff, without_outputs
from .ports import CommitLineage, GitHost, GitRunner
from .records import (
    Branch,
    ChangedFile,
    CommitResult,
    GitResult,
    Published,
    PullResult,
    RepoStatus,
    Visibility,
)
from .rules import (
    COMMIT_MESSAGE,
    AlreadyARepository,
    BranchExists,
    BranchNotPushed,
    CommitMessageMissing,
    DetachedHead,
    NoCommits,
    NoFilesSelected,
    NoRemote,
    NoSuchBranch,
    NoSuchFolder,
    NotARepository,
    NoTokenSaved,
    OutsideHome,
    OutsideRepository,
    RemoteExists,
    UnreadableNotebook,
    branch_name,
    git_failure,
    mentions_unmerged,
    parse_blobs,
    parse_config,
    parse_status,
    redact,
    relative_to,
)

__all__ = ["GitWorkspace", "redact"]

#: git's empty tree: the base of a diff when there is no earlier commit to compare with
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

log = logging.getLogger(__name__)

#: JupyterLab's checkpoints are its own backups, never part of anyone's change
#: What a home folder holds besides a person's work: the servers' and tools' own state,
#: caches, histories and credentials (kernel connection files with their keys live under
#: ``.local/share/jupyter/runtime``). A repository made at the home's root keeps them out of
#: every commit through ``.git/info/exclude``: git's list for one clone, not committed, so the
#: Git tab never offers them and ``git add -A`` in a terminal does not take them either.
HOME_EXCLUDES = (
    "/.bash_history",
    "/.cache/",
    "/.conda/",
    "/.config/",
    "/.git-credentials",
    "/.gnupg/",
    "/.ipython/",
    "/.jupyter/",
    "/.keras/",
    "/.lesshst",
    "/.local/",
    "/.netrc",
    "/.npm/",
    "/.python_history",
    "/.ssh/",
    "/.virtual_documents/",
    "/.viminfo",
    "/.wget-hsts",
)
_NOT_CHECKPOINTS = (".", ":(exclude,glob)**/.ipynb_checkpoints/**")
#: what one ``git config`` run answers: the remote, and whether the person signs commits
_FACTS = r"^(remote\.origin\.url|user\.email)$"
#: characters of a commit message: far more than any message people read (the longest in
#: Linux's history are a few thousand), and it reaches git on its standard input, not its
#: command line, so no system limit applies below it
MAX_COMMIT_MESSAGE = 64 * 1024
#: GitLab's own limit on a merge request's title
MAX_TITLE = 255


@dataclass
class _Repo:
    """One call's view of a folder: found once, read at most once per fact."""

    folder: Path
    #: the repository's top folder; None outside a repository (or one outside the home)
    top: Path | None
    config: dict[str, str] | None = None

    @property
    def at(self) -> Path:
        assert self.top is not None
        return self.top


class GitWorkspace:
    """Git in the folders under ``root`` (the person's home as their Jupyter server serves it)."""

    def __init__(
        self,
        runner: GitRunner,
        root: Path,
        *,
        host: GitHost,
        author: tuple[str, str],
        lineage: CommitLineage | None = None,
    ) -> None:
        self._git = runner
        self.root = root.resolve()
        self._host = host
        self._author = author
        self._lineage = lineage

    # ---- reading
    async def status(self, relative: str) -> RepoStatus:
        return await self._status(await self._open(relative))

    async def branches(self, relative: str) -> list[Branch]:
        repo = await self._repository(relative)
        fmt = "%(refname)%00%(HEAD)%00%(upstream:short)"
        result = await self._run(
            repo.at, "for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes"
        )
        branches = []
        for line in result.text.splitlines():
            ref, head, upstream = line.split("\0")
            if ref.endswith("/HEAD"):
                continue
            remote = ref.startswith("refs/remotes/")
            name = ref.removeprefix("refs/remotes/" if remote else "refs/heads/")
            branches.append(Branch(name, head == "*", remote, upstream or None))
        return branches

    async def merge_requests(self, relative: str) -> list[MergeRequest]:
        """The merge requests of the current branch; none without a remote or a branch."""
        repo = await self._open(relative)
        if repo.top is None or (remote := await self._remote_url(repo)) is None:
            return []
        branch = await self._branch(repo)
        if branch is None:
            return []
        return await self._host.merge_requests(remote, branch)

    async def latest_pipeline(self, relative: str) -> Pipeline | None:
        """The newest pipeline of the current branch; None without a remote or a branch."""
        repo = await self._open(relative)
        if repo.top is None or (remote := await self._remote_url(repo)) is None:
            return None
        branch = await self._branch(repo)
        if branch is None:
            return None
        return await self._host.latest_pipeline(remote, branch)

    # ---- changing
    async def init(self, relative: str) -> RepoStatus:
        repo = await self._open(relative)
        if repo.top is not None:
            raise AlreadyARepository(
                f"{relative or 'Your home'} is already inside a git repository.",
                params={"folder": relative},
            )
        await self._run(repo.folder, "init", "--initial-branch=main")
        repo.top = repo.folder
        if repo.folder == self.root:
            where = await self._run(repo.folder, "rev-parse", "--git-path", "info/exclude")
            exclude = repo.folder / where.text.strip()
            exclude.parent.mkdir(parents=True, exist_ok=True)
            with exclude.open("a", encoding="utf-8") as out:
                out.write(
                    "# what a home folder holds besides one's work (the ML Platform's Git tab)\n"
                    + "".join(f"{pattern}\n" for pattern in HOME_EXCLUDES)
                )
        return await self._status(repo)

    async def commit(
        self, relative: str, paths: Sequence[str], message: str, *, clear_outputs: bool
    ) -> CommitResult:
        """Commit exactly ``paths``; with ``clear_outputs`` notebooks are committed without
        outputs while the files on disk keep theirs. The person's running experiments are
        tagged with the new commit; the new status comes back with it."""
        text(message, field="message", limit=MAX_COMMIT_MESSAGE, lines=True, bidi=True)
        if re.fullmatch(COMMIT_MESSAGE, message) is None:  # blank: the controls are refused above
            raise CommitMessageMissing(
                "Write a commit message: say what changed and why.", "message"
            )
        if not paths:
            raise NoFilesSelected("Select at least one file to commit.", "files")
        for index, relative_path in enumerate(paths):
            file_path(relative_path, field=f"files.{index}")
        repo = await self._repository(relative)
        top = repo.at
        plain: list[str] = []
        cleared: list[tuple[str, bytes, str]] = []  # path, blob, mode
        for index, relative_path in enumerate(paths):
            path = self._inside(top, relative_path)
            if path == ".":  # "" or "." would stage the whole work tree, not what was picked
                raise NoFilesSelected(
                    "Select the files to commit: an empty path names the whole repository.",
                    f"files.{index}",
                )
            file = top / path
            if clear_outputs and path.endswith(".ipynb") and file.is_file():
                try:
                    blob = without_outputs(file.read_bytes())
                except ValueError:
                    raise UnreadableNotebook(
                        f"{path} is not a readable notebook.", "files", params={"path": path}
                    ) from None
                mode = "100755" if os.access(file, os.X_OK) else "100644"
                cleared.append((path, blob, mode))
            else:
                plain.append(path)
        if cleared:
            entries = []
            for path, blob, mode in cleared:
                sha = (await self._run(top, "hash-object", "-w", "--stdin", stdin=blob)).text
                entries.append(f"{mode} {sha.strip()}\t{path}\0")
            await self._run(
                top, "update-index", "-z", "--index-info", stdin="".join(entries).encode()
            )
        if plain:
            await self._run(top, "add", "--all", "--", *plain)
        identity = await self._identity(repo)
        result = await self._git.run(
            top, *identity, "commit", "--no-verify", "--file=-", stdin=message.encode()
        )
        if result.code != 0:
            raise await self._failure(repo, result, "commit")
        commit = (await self._run(top, "rev-parse", "HEAD")).text.strip()
        linked = await self._link(commit, await self._remote_url(repo, raw=True))
        return CommitResult(commit, tuple(linked), await self._status(repo))

    async def create_branch(self, relative: str, name: str) -> RepoStatus:
        repo = await self._repository(relative)
        result = await self._git.run(repo.at, "switch", "-c", branch_name(name))
        if result.code != 0:
            if "already exists" in result.stderr:
                raise BranchExists(
                    f"A branch named {name!r} already exists.", params={"name": name}
                )
            raise await self._failure(repo, result, "switch")
        return await self._status(repo)

    async def switch(self, relative: str, name: str) -> RepoStatus:
        repo = await self._repository(relative)
        result = await self._git.run(repo.at, "switch", branch_name(name))
        if result.code != 0:
            # "invalid reference": no branch, nor a remote one to track; "a branch is expected,
            # got tag/commit/remote branch": a name that is not a local branch either
            if any(s in result.stderr for s in ("invalid reference", "a branch is expected")):
                raise NoSuchBranch(f"There is no branch {name!r}.", params={"name": name})
            raise await self._failure(repo, result, "switch")
        return await self._status(repo)

    async def pull(self, relative: str) -> PullResult:
        repo = await self._repository(relative)
        top = repo.at
        before = (await self._git.run(top, "rev-parse", "HEAD")).text.strip()
        identity = await self._identity(repo)  # a merge makes a commit
        result = await self._remote(repo, *identity, "pull", "--no-rebase", "--no-edit")
        if result.code != 0:
            conflicts = await self._unmerged(top)
            if conflicts and not mentions_unmerged(result):  # this pull left them
                return PullResult(True, conflicts, await self._status(repo))
            raise git_failure(result, "pull", unmerged=conflicts)
        after = (await self._git.run(top, "rev-parse", "HEAD")).text.strip()
        return PullResult(before != after, (), await self._status(repo))

    async def push(self, relative: str, *, force: bool = False) -> RepoStatus:
        repo = await self._repository(relative)
        await self._push(repo, force=force)
        return await self._status(repo)

    async def publish(
        self,
        relative: str,
        name: str,
        *,
        namespace_id: int | None = None,
        visibility: Visibility = "private",
    ) -> Published:
        """A repository with no remote becomes a GitLab project: created, added as ``origin``
        and the branch pushed."""
        repo = await self._repository(relative)
        remote = await self._remote_url(repo)
        if remote is not None:
            raise RemoteExists(
                f"This repository already has a remote: {remote}", params={"remote": remote}
            )
        if (await self._git.run(repo.at, "rev-parse", "--verify", "-q", "HEAD")).code != 0:
            # checked first: a project created for a push that cannot happen would stay empty
            raise NoCommits("Commit something first; then publish it.")
        project = await self._host.create_project(name, namespace_id, visibility)
        await self._run(repo.at, "remote", "add", "origin", project.http_url_to_repo)
        repo.config = None  # the remote is new
        await self._push(repo, force=False)
        return Published(project, await self._status(repo))

    async def open_merge_request(
        self, relative: str, *, title: str, description: str, target_branch: str
    ) -> MergeRequest:
        """A merge request of the current branch, once GitLab has every commit of it."""
        text(title, field="title", limit=MAX_TITLE, bidi=True)
        text(description, field="description", limit=MAX_COMMIT_MESSAGE, lines=True, bidi=True)
        repo = await self._repository(relative)
        remote = await self._remote_url(repo, raw=True)
        if remote is None:
            raise NoRemote("This repository has no remote. Publish it to GitLab first.")
        state = parse_status(
            (await self._run(repo.at, "status", "--porcelain=v2", "--branch", "-z", "-uno")).stdout
        )
        if state.branch is None:
            raise DetachedHead("Check out a branch first (HEAD is detached).")
        if state.upstream is None or state.ahead:
            raise BranchNotPushed(
                f"Push {state.branch} first: GitLab does not have your latest commits.",
                params={"branch": state.branch},
            )
        return await self._host.open_merge_request(
            remote,
            source_branch=state.branch,
            target_branch=target_branch,
            title=title,
            description=description,
        )

    # ---- paths: nothing outside the home, whatever the path or its symlinks say
    def folder(self, relative: str) -> Path:
        file_path(relative, field="path")
        try:
            candidate = (self.root / (relative or ".").lstrip("/")).resolve()
        except (OSError, RuntimeError):  # a symlink loop, a folder that cannot be read
            raise NoSuchFolder(
                f"There is no folder {relative!r}.", params={"folder": relative[:200]}
            ) from None
        if not candidate.is_relative_to(self.root):
            raise OutsideHome(
                f"{relative!r} is outside your home folder; git works only inside it.",
                params={"path": relative[:200]},
            )
        if not candidate.is_dir():
            raise NoSuchFolder(
                f"There is no folder {relative!r}.", params={"folder": relative[:200]}
            )
        return candidate

    def _inside(self, top: Path, relative: str) -> str:
        """A file path for git, relative to the repository top, refusing escapes."""
        try:
            target = (top / relative).resolve() if not os.path.islink(top / relative) else None
        except (OSError, RuntimeError):  # a symlink loop: not a file git could add
            raise OutsideRepository(
                f"{relative!r} cannot be read in this repository.",
                params={"path": relative[:200]},
            ) from None
        lexical = Path(os.path.normpath(top / relative))
        if target is None:  # a symlink itself is committed as a link; its own path must stay in
            target = lexical
        if not lexical.is_relative_to(top) or not target.is_relative_to(self.root):
            raise OutsideRepository(
                f"{relative!r} is outside this repository.", params={"path": relative[:200]}
            )
        return lexical.relative_to(top).as_posix()

    async def diff_between(self, relative: str, base: str | None, head: str) -> str:
        """What changed from commit ``base`` to ``head`` in the repository holding
        ``relative``, as a reviewer reads it: each notebook as its cells' sources (outputs left
        out) with the cells counted, every other file as git's unified diff. Without ``base``
        (no champion yet) everything ``head`` holds is new."""
        repo = await self._repository(relative)
        assert repo.top is not None
        old = base or _EMPTY_TREE
        revs = ("--end-of-options", old, head)
        code = await self._git.run(
            repo.top,
            "diff",
            "--no-color",
            "--no-ext-diff",
            "-M",
            *revs,
            "--",
            ".",
            ":(exclude)*.ipynb",
        )
        if code.code != 0:
            raise git_failure(code, "diff")
        names = await self._git.run(repo.top, "diff", "--name-only", "-z", *revs, "--", "*.ipynb")
        notebooks = [n.decode(errors="replace") for n in names.stdout.split(b"\0") if n]
        parts = []
        if notebooks:
            request = "".join(f"{old}:{p}\n{head}:{p}\n" for p in notebooks).encode()
            answer = await self._git.run(repo.top, "cat-file", "--batch", stdin=request)
            blobs = parse_blobs(answer.stdout if answer.code == 0 else b"", 2 * len(notebooks))
            for i, path in enumerate(notebooks):
                parts.append(notebook_diff(path, blobs[2 * i], blobs[2 * i + 1]))
        return "".join(parts) + code.text

    # ---- helpers
    async def _open(self, relative: str) -> _Repo:
        folder = self.folder(relative)
        result = await self._git.run(folder, "rev-parse", "--show-toplevel")
        top = None
        if result.code == 0:
            found = Path(os.path.realpath(result.text.strip()))  # noqa: ASYNC240  (local, cheap)
            top = found if found.is_relative_to(self.root) else None
        return _Repo(folder, top)

    async def _repository(self, relative: str) -> _Repo:
        repo = await self._open(relative)
        if repo.top is None:
            raise NotARepository(
                f"{relative or 'Your home'} is not in a git repository; initialise one.",
                params={"folder": relative},
            )
        return repo

    async def _status(self, repo: _Repo) -> RepoStatus:
        folder = relative_to(self.root, repo.folder)
        if repo.top is None:
            return RepoStatus(folder=folder, repository=None)
        top = repo.top
        result = await self._run(
            top, "status", "--porcelain=v2", "--branch", "-z", "--", *_NOT_CHECKPOINTS
        )
        status = parse_status(result.stdout)
        files = await self._with_notebook_changes(top, status.files)
        return replace(
            status,
            folder=folder,
            repository=relative_to(self.root, top),
            remote_url=await self._remote_url(repo),
            files=files,
        )

    async def _with_notebook_changes(
        self, top: Path, files: tuple[ChangedFile, ...]
    ) -> tuple[ChangedFile, ...]:
        """Each changed notebook with its cells counted against the committed version, read
        for all notebooks in one ``cat-file --batch``."""
        notebooks = [f.path for f in files if f.path.endswith(".ipynb") and "\n" not in f.path]
        if not notebooks:
            return files
        request = "".join(f"HEAD:{path}\n" for path in notebooks).encode()
        answer = await self._git.run(top, "cat-file", "--batch", stdin=request)
        blobs = parse_blobs(answer.stdout if answer.code == 0 else b"", len(notebooks))
        committed = dict(zip(notebooks, blobs, strict=True))
        changed = []
        for file in files:
            if file.path in committed:
                path = top / file.path
                after = path.read_bytes() if path.is_file() else None
                file = replace(file, notebook=notebook_changes(committed[file.path], after))
            changed.append(file)
        return tuple(changed)

    async def _facts(self, repo: _Repo) -> dict[str, str]:
        if repo.config is None:
            result = await self._git.run(repo.at, "config", "--get-regexp", _FACTS)
            repo.config = parse_config(result.text) if result.code == 0 else {}
        return repo.config

    async def _remote_url(self, repo: _Repo, *, raw: bool = False) -> str | None:
        """``origin``'s URL (the platform never puts credentials in it; shown redacted all the
        same), or None without one."""
        url = (await self._facts(repo)).get("remote.origin.url")
        if not url:
            return None
        return url if raw else redact(url)

    async def _identity(self, repo: _Repo) -> list[str]:
        """The person's own git identity wins; without one, their hub name signs commits."""
        if (await self._facts(repo)).get("user.email"):
            return []
        name, email = self._author
        return ["-c", f"user.name={name}", "-c", f"user.email={email}"]

    async def _branch(self, repo: _Repo) -> str | None:
        result = await self._git.run(repo.at, "symbolic-ref", "--short", "-q", "HEAD")
        if result.code != 0:  # detached
            return None
        return result.text.strip() or None

    async def _unmerged(self, top: Path) -> tuple[str, ...]:
        unmerged = await self._git.run(top, "diff", "--name-only", "--diff-filter=U", "-z")
        return tuple(p for p in unmerged.text.split("\0") if p)

    async def _push(self, repo: _Repo, *, force: bool) -> None:
        args = ["push", "--set-upstream", "origin", "HEAD"]
        if force:  # only on the person's explicit confirmation, and never over unseen work
            args.insert(1, "--force-with-lease")
        result = await self._remote(repo, *args)
        if result.code != 0:
            raise await self._failure(repo, result, "push")

    async def _remote(self, repo: _Repo, *args: str) -> GitResult:
        if await self._remote_url(repo) is None:
            raise NoRemote("This repository has no remote. Publish it to GitLab first.")
        token = await self._host.token()
        if not token:
            raise NoTokenSaved(
                "Save a GitLab personal access token in the Git tab first (scopes api and "
                "write_repository)."
            )
        return await self._git.run(repo.at, *args, token=token)

    async def _link(self, commit: str, remote: str | None) -> list[str]:
        """Lineage is a courtesy of the commit: a tracker outage must not fail the commit."""
        if self._lineage is None:
            return []
        try:
            return await self._lineage.link_commit(commit, remote)
        except PlatformError as err:
            log.warning("could not tag running experiment runs with the commit: %s", err.message)
            return []

    async def _run(self, folder: Path, *args: str, stdin: bytes | None = None) -> GitResult:
        result = await self._git.run(folder, *args, stdin=stdin)
        if result.code != 0:
            raise git_failure(result, args[0])
        return result

    async def _failure(self, repo: _Repo, result: GitResult, command: str) -> PlatformError:
        unmerged = await self._unmerged(repo.at) if mentions_unmerged(result) else ()
        return git_failure(result, command, unmerged=unmerged)
