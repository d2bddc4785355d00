"""The Git tab's work on a person's files: status, commit, pull, push, branches, publish.

git itself runs through the ``GitRunner`` port (a subprocess in the user's server); this module
decides which commands, reads their porcelain output and turns git's failures into messages a
person can act on. The GitLab token is fetched for each remote operation and handed to the
runner, which gives it to git through the process environment only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Unavailable,
)

from .notebooks import notebook_changes, without_outputs
from .ports import GitRunner
from .records import Branch, ChangedFile, GitResult, PullResult, RepoStatus

_BRANCH = re.compile(r"^(?!/|.*(\.\.|//|@\{|\\|\.lock$|/$|\.$))[A-Za-z0-9._/-]{1,200}$")
_CREDENTIALS_IN_URL = re.compile(r"(https?://)[^/@\s]+@")


def redact(text: str) -> str:
    """git's messages without credentials a remote URL might carry."""
    return _CREDENTIALS_IN_URL.sub(r"\1***@", text)


def branch_name(name: str) -> str:
    if not _BRANCH.match(name or "") or name.startswith("-"):
        raise InvalidInput(
            f"{name!r} is not a branch name git accepts (letters, digits, '.', '_', '-', '/').",
            "branch",
        )
    return name


class GitWorkspace:
    """Git in the folders under ``root`` (the person's home as their Jupyter server serves it)."""

    def __init__(
        self,
        runner: GitRunner,
        root: Path,
        *,
        token: Callable[[], Awaitable[str | None]],
        author: tuple[str, str],
    ) -> None:
        self._git = runner
        self.root = root.resolve()
        self._token = token
        self._author = author

    # ---- paths: nothing outside the home, whatever the path or its symlinks say
    def folder(self, relative: str) -> Path:
        candidate = (self.root / (relative or ".").lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root):
            raise Forbidden(f"{relative!r} is outside your home folder; git works only inside it.")
        if not candidate.is_dir():
            raise NotFound(f"There is no folder {relative!r}.")
        return candidate

    def _inside(self, top: Path, relative: str) -> str:
        """A file path for git, relative to the repository top, refusing escapes."""
        target = (top / relative).resolve() if not os.path.islink(top / relative) else None
        lexical = Path(os.path.normpath(top / relative))
        if target is None:  # a symlink itself is committed as a link; its own path must stay in
            target = lexical
        if not lexical.is_relative_to(top) or not target.is_relative_to(self.root):
            raise Forbidden(f"{relative!r} is outside this repository.")
        return lexical.relative_to(top).as_posix()

    # ---- reading
    async def status(self, relative: str) -> RepoStatus:
        folder = self.folder(relative)
        top = await self._top(folder)
        if top is None:
            return RepoStatus(folder=self._rel(folder), repository=None)
        # JupyterLab's checkpoints are its own backups, never part of anyone's change
        result = await self._run(
            top,
            "status",
            "--porcelain=v2",
            "--branch",
            "-z",
            "--",
            ".",
            ":(exclude,glob)**/.ipynb_checkpoints/**",
        )
        status = self._parse_status(top, result.stdout)
        remote = await self._git.run(top, "remote", "get-url", "origin")
        files = []
        for changed in status.files:
            if changed.path.endswith(".ipynb"):
                before = await self._git.run(top, "show", f"HEAD:{changed.path}")
                path = top / changed.path
                after = path.read_bytes() if path.is_file() else None
                changes = notebook_changes(before.stdout if before.code == 0 else None, after)
                changed = ChangedFile(changed.path, changed.index, changed.worktree, changes)
            files.append(changed)
        return RepoStatus(
            folder=self._rel(folder),
            repository=self._rel(top),
            branch=status.branch,
            upstream=status.upstream,
            ahead=status.ahead,
            behind=status.behind,
            remote_url=redact(remote.text.strip()) if remote.code == 0 else None,
            files=tuple(files),
        )

    async def branches(self, relative: str) -> list[Branch]:
        top = await self._repository(relative)
        fmt = "%(refname)%00%(HEAD)%00%(upstream:short)"
        result = await self._run(
            top, "for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes"
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

    # ---- changing
    async def init(self, relative: str) -> RepoStatus:
        folder = self.folder(relative)
        if await self._top(folder) is not None:
            raise Conflict(f"{relative or 'Your home'} is already inside a git repository.")
        await self._run(folder, "init", "--initial-branch=main")
        return await self.status(relative)

    async def commit(
        self, relative: str, paths: Sequence[str], message: str, *, clear_outputs: bool
    ) -> str:
        """Commit exactly ``paths``; with ``clear_outputs`` notebooks are committed without
        outputs while the files on disk keep theirs. Returns the new commit."""
        if not message.strip():
            raise InvalidInput("Write a commit message: say what changed and why.", "message")
        if not paths:
            raise InvalidInput("Select at least one file to commit.", "paths")
        top = await self._repository(relative)
        for relative_path in paths:
            path = self._inside(top, relative_path)
            file = top / path
            if clear_outputs and path.endswith(".ipynb") and file.is_file():
                try:
                    blob = without_outputs(file.read_bytes())
                except ValueError:
                    raise InvalidInput(f"{path} is not a readable notebook.", "paths") from None
                sha = (
                    await self._run(top, "hash-object", "-w", "--stdin", stdin=blob)
                ).text.strip()
                mode = "100755" if os.access(file, os.X_OK) else "100644"
                await self._run(top, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}")
            else:
                await self._run(top, "add", "--all", "--", path)
        identity = await self._identity(top)
        result = await self._git.run(top, *identity, "commit", "--no-verify", "-m", message)
        if result.code != 0:
            if "nothing to commit" in result.text + result.stderr:
                raise Conflict("Nothing to commit: the selected files have no changes.")
            raise self._failure(result, "commit")
        return (await self._run(top, "rev-parse", "HEAD")).text.strip()

    async def create_branch(self, relative: str, name: str) -> None:
        top = await self._repository(relative)
        result = await self._git.run(top, "switch", "-c", branch_name(name))
        if result.code != 0:
            raise self._failure(result, "create the branch")

    async def switch(self, relative: str, name: str) -> None:
        top = await self._repository(relative)
        result = await self._git.run(top, "switch", branch_name(name))
        if result.code != 0:
            raise self._failure(result, "switch branches")

    async def pull(self, relative: str) -> PullResult:
        top = await self._repository(relative)
        before = (await self._git.run(top, "rev-parse", "HEAD")).text.strip()
        identity = await self._identity(top)  # a merge makes a commit
        result = await self._remote(top, *identity, "pull", "--no-rebase", "--no-edit")
        if result.code != 0:
            unmerged = await self._git.run(top, "diff", "--name-only", "--diff-filter=U", "-z")
            conflicts = tuple(p for p in unmerged.text.split("\0") if p)
            if conflicts:
                return PullResult(updated=True, conflicts=conflicts)
            raise self._failure(result, "pull")
        after = (await self._git.run(top, "rev-parse", "HEAD")).text.strip()
        return PullResult(updated=before != after)

    async def push(self, relative: str, *, force: bool = False) -> None:
        top = await self._repository(relative)
        args = ["push", "--set-upstream", "origin", "HEAD"]
        if force:  # only on the person's explicit confirmation, and never over unseen work
            args.insert(1, "--force-with-lease")
        result = await self._remote(top, *args)
        if result.code != 0:
            raise self._failure(result, "push")

    async def add_remote(self, relative: str, url: str) -> None:
        top = await self._repository(relative)
        if (await self._git.run(top, "remote", "get-url", "origin")).code == 0:
            raise Conflict("This repository already has a remote 'origin'.")
        await self._run(top, "remote", "add", "origin", url)

    async def publish(
        self, relative: str, create_project: Callable[[], Awaitable[str]]
    ) -> RepoStatus:
        """A repository with no remote becomes a GitLab project: ``create_project`` makes it
        and returns its clone URL; it becomes ``origin`` and the branch is pushed."""
        status = await self.status(relative)
        if status.repository is None:
            raise InvalidInput("Initialise a git repository here first.")
        if status.remote_url:
            raise Conflict(f"This repository already has a remote: {status.remote_url}")
        if not await self.has_commits(relative):
            # checked first: a project created for a push that cannot happen would stay empty
            raise Conflict("Commit something first; then publish it.")
        await self.add_remote(relative, await create_project())
        await self.push(relative)
        return await self.status(relative)

    async def pushed_branch(self, relative: str) -> tuple[str, str]:
        """The remote URL and the current branch, once GitLab has every commit of it (what a
        merge request needs)."""
        status = await self.status(relative)
        if status.branch is None:
            raise Conflict("Check out a branch first (HEAD is detached).")
        if status.upstream is None or status.ahead:
            raise Conflict(f"Push {status.branch} first: GitLab does not have your latest commits.")
        return await self.remote_url(relative), status.branch

    async def has_commits(self, relative: str) -> bool:
        top = await self._repository(relative)
        return (await self._git.run(top, "rev-parse", "--verify", "HEAD")).code == 0

    async def remote_url(self, relative: str) -> str:
        """The raw URL of ``origin`` (the platform never puts credentials in it)."""
        top = await self._repository(relative)
        result = await self._git.run(top, "remote", "get-url", "origin")
        if result.code != 0:
            raise InvalidInput("This repository has no remote. Publish it to GitLab first.")
        return result.text.strip()

    async def current_branch(self, relative: str) -> str:
        top = await self._repository(relative)
        return (await self._run(top, "rev-parse", "--abbrev-ref", "HEAD")).text.strip()

    # ---- helpers
    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path != self.root else ""

    async def _identity(self, top: Path) -> list[str]:
        """The person's own git identity wins; without one, their hub name signs commits."""
        if (await self._git.run(top, "config", "user.email")).code == 0:
            return []
        name, email = self._author
        return ["-c", f"user.name={name}", "-c", f"user.email={email}"]

    async def _top(self, folder: Path) -> Path | None:
        result = await self._git.run(folder, "rev-parse", "--show-toplevel")
        if result.code != 0:
            return None
        top = Path(os.path.realpath(result.text.strip()))  # noqa: ASYNC240  (local, cheap)
        return top if top.is_relative_to(self.root) else None

    async def _repository(self, relative: str) -> Path:
        top = await self._top(self.folder(relative))
        if top is None:
            raise NotFound(f"{relative or 'Your home'} is not in a git repository; initialise one.")
        return top

    async def _run(self, folder: Path, *args: str, stdin: bytes | None = None) -> GitResult:
        result = await self._git.run(folder, *args, stdin=stdin)
        if result.code != 0:
            raise self._failure(result, args[0])
        return result

    async def _remote(self, top: Path, *args: str) -> GitResult:
        if (await self._git.run(top, "remote", "get-url", "origin")).code != 0:
            raise InvalidInput(
                "This repository has no remote. Publish it to GitLab first.", "remote"
            )
        token = await self._token()
        if not token:
            raise NotAuthenticated(
                "Save a GitLab personal access token in the Git tab first (scopes api and "
                "write_repository)."
            )
        return await self._git.run(top, *args, token=token)

    @staticmethod
    def _failure(result: GitResult, doing: str) -> Exception:
        said = redact(result.stderr.strip() or result.text.strip())
        lowered = said.lower()
        if "authentication failed" in lowered or "could not read username" in lowered:
            return NotAuthenticated(
                "GitLab refused your token: it is wrong, expired or revoked. Replace it in the "
                "Git tab."
            )
        if "non-fast-forward" in lowered or "fetch first" in lowered or "[rejected]" in lowered:
            return Conflict(
                "GitLab has commits your branch does not have. Pull first; push with force "
                "only if you mean to overwrite them."
            )
        if any(
            s in lowered
            for s in (
                "could not resolve host",
                "failed to connect",
                "connection refused",
                "timed out",
                "unable to access",
            )
        ):
            return Unavailable(f"GitLab is not reachable right now ({said.splitlines()[-1]}).")
        if "would be overwritten" in lowered:
            return Conflict(
                f"git cannot {doing}: your uncommitted changes would be overwritten. Commit them "
                "first.\n" + said
            )
        if "already exists" in lowered:
            return Conflict(said)
        return InvalidInput(f"git could not {doing}: {said}")

    @staticmethod
    def _parse_status(top: Path, raw: bytes) -> RepoStatus:
        branch = upstream = None
        ahead = behind = 0
        files: list[ChangedFile] = []
        entries = raw.decode(errors="replace").split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if not entry:
                continue
            if entry.startswith("# branch.head "):
                head = entry.removeprefix("# branch.head ")
                branch = None if head == "(detached)" else head
            elif entry.startswith("# branch.upstream "):
                upstream = entry.removeprefix("# branch.upstream ")
            elif entry.startswith("# branch.ab "):
                a, b = entry.removeprefix("# branch.ab ").split()
                ahead, behind = int(a), -int(b)
            elif entry.startswith("1 "):
                parts = entry.split(" ", 8)
                files.append(ChangedFile(parts[8], parts[1][0], parts[1][1]))
            elif entry.startswith("2 "):
                parts = entry.split(" ", 9)
                files.append(ChangedFile(parts[9], parts[1][0], parts[1][1]))
                index += 1  # the original path follows
            elif entry.startswith("u "):
                parts = entry.split(" ", 10)
                files.append(ChangedFile(parts[10], "U", "U"))
            elif entry.startswith("? "):
                files.append(ChangedFile(entry[2:], "?", "?"))
        return RepoStatus(
            folder="",
            repository=str(top),
            branch=branch,
            upstream=upstream,
            ahead=ahead,
            behind=behind,
            files=tuple(files),
        )
