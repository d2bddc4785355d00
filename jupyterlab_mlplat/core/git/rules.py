"""Pure rules of the Git tab: which names git accepts, how git's porcelain output reads, and
which of git's failures a person should be told apart.

Each failure is a typed error with its own ``reason`` (the sidebar translates it) and the
``params`` its message names; the English message is only the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PlatformError,
    Unavailable,
)

from .records import ChangedFile, GitResult, RepoStatus

#: a branch name git takes (``git check-ref-format --branch``), narrowed to plain characters:
#: no component starting with '.' or ending with '.lock', no '..' or '//', no '-' or '/' first,
#: no '/' or '.' last, not ``HEAD``. The documents carry it as the name's pattern.
BRANCH = r"(?!-|/|\.|HEAD$|.*(?:\.\.|//|/\.|\.lock/|\.lock$|/$|\.$))[A-Za-z0-9._/-]{1,200}"
_BRANCH = re.compile(BRANCH)
#: characters no commit message holds: C0 and C1 controls but tab and line ends (as
#: ``naming.text(lines=True)`` checks), and what ``str.isspace`` calls a space, spelled out so the
#: documents' regex engines read the same set
_MESSAGE_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SPACE = r"\t\n\r\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: a commit message: no control characters but tab and line ends, and something besides spaces
COMMIT_MESSAGE = rf"[^{_MESSAGE_CONTROL}]*[^{_MESSAGE_CONTROL}{_SPACE}][^{_MESSAGE_CONTROL}]*"
#: text over lines (a merge request's description): no control characters but tab and line ends
LINES = rf"[^{_MESSAGE_CONTROL}]*"
_CONTROL = r"\x00-\x1f\x7f-\x9f"
#: a merge request's title: one line without control characters (``naming.text``), not blank as
#: the platform's GitLab service checks it (``core.gitlab.service.TITLE``; tab and line ends are
#: controls here, so only the space is left to check)
MERGE_REQUEST_TITLE = rf"[^{_CONTROL}]*[^{_CONTROL} ][^{_CONTROL}]*"
_CREDENTIALS_IN_URL = re.compile(r"(https?://)[^/@\s]+@")
#: git lists the files a checkout or merge would overwrite one per line, indented by a tab
_LISTED_FILE = re.compile(r"^\t(.+)$", re.MULTILINE)
#: ``git add`` naming a path that matches nothing
_UNMATCHED = re.compile(r"pathspec '(.*)' did not match any files?")


# ---- errors a person should be told apart
class OutsideHome(Forbidden):
    """A folder outside the person's home (``params.path``)."""

    reason = "git_outside_home"


class OutsideRepository(Forbidden):
    """A file to commit that lies outside the repository (``params.path``)."""

    reason = "git_outside_repository"


class NoSuchFolder(NotFound):
    reason = "git_no_such_folder"


class NotARepository(NotFound):
    """The folder is in no git repository (``params.folder``, "" for the home)."""

    reason = "git_not_a_repository"


class AlreadyARepository(Conflict):
    reason = "git_already_a_repository"


class CommitMessageMissing(InvalidInput):
    reason = "git_commit_message_missing"


class NoSuchFile(NotFound):
    """``params.path``: a file to commit that is neither in the folder nor known to git."""

    reason = "git_no_such_file"


class NoFilesSelected(InvalidInput):
    reason = "git_no_files_selected"


class UnreadableNotebook(InvalidInput):
    reason = "git_unreadable_notebook"


class BadBranchName(InvalidInput):
    reason = "git_bad_branch_name"


class NoSuchBranch(NotFound):
    """``params.name``: no local branch, nor a remote one to track, has this name."""

    reason = "git_no_such_branch"


class BranchExists(Conflict):
    reason = "git_branch_exists"


class NothingToCommit(Conflict):
    reason = "git_nothing_to_commit"


class NoRemote(Conflict):
    """The repository has no remote yet: a state to change (publish it), not a wrong request."""

    reason = "git_no_remote"


class RemoteExists(Conflict):
    reason = "git_remote_exists"


class NoCommits(Conflict):
    """Publishing needs a commit: a project created for nothing would stay empty."""

    reason = "git_no_commits"


class DetachedHead(Conflict):
    reason = "git_detached_head"


class BranchNotPushed(Conflict):
    """GitLab lacks commits of the branch (``params.branch``): a merge request must wait."""

    reason = "git_branch_not_pushed"


class NoTokenSaved(NotAuthenticated):
    reason = "git_no_token_saved"


class TokenRefused(NotAuthenticated):
    reason = "git_token_refused"


class PushRejected(Conflict):
    reason = "git_push_rejected"


class RemoteUnreachable(Unavailable):
    """GitLab did not answer git (``params.detail``: git's last line)."""

    reason = "git_remote_unreachable"


class ChangesWouldBeOverwritten(Conflict):
    """``params.command`` would overwrite uncommitted ``params.files``."""

    reason = "git_changes_would_be_overwritten"


class MergeConflicts(Conflict):
    """Unresolved conflicts (``params.files``) stop ``params.command``."""

    reason = "git_merge_conflicts"


class GitFailed(InvalidInput):
    """Any other refusal of git: ``params.command`` and git's own words in ``params.detail``."""

    reason = "git_failed"


class GitNotRunnable(Unavailable):
    reason = "git_not_runnable"


class GitTimedOut(Unavailable):
    reason = "git_timed_out"


# ---- names and text
def redact(text: str) -> str:
    """git's messages without credentials a remote URL might carry."""
    return _CREDENTIALS_IN_URL.sub(r"\1***@", text)


def branch_name(name: str) -> str:
    if _BRANCH.fullmatch(name or "") is None:
        raise BadBranchName(
            f"{name!r} is not a branch name git accepts (letters, digits, '.', '_', '-', '/').",
            "name",
            params={"name": name[:200]},
        )
    return name


def join_files(files: Sequence[str]) -> str:
    """Files as one parameter of a message (a translated message shows them as they are)."""
    return ", ".join(files)


#: what a person was doing, in the English fallback, by git subcommand
_DOING = {
    "switch": "switch branches",
    "commit": "commit",
    "pull": "pull",
    "push": "push",
    "merge": "merge",
    "add": "add the files",
    "init": "initialise the repository",
}


def mentions_unmerged(result: GitResult) -> bool:
    said = (result.stderr + result.text).lower()
    return any(s in said for s in ("unmerged", "resolve your current index", "while merging"))


def git_failure(result: GitResult, command: str, *, unmerged: Sequence[str] = ()) -> PlatformError:
    """The error a person can act on for a git command that failed (``unmerged``: the files git
    left in conflict, when the failure is about them)."""
    said = redact(result.stderr.strip() or result.text.strip())
    lowered = redact(f"{result.stderr}\n{result.text}").lower()
    doing = _DOING.get(command, f"run git {command}")
    if "authentication failed" in lowered or "could not read username" in lowered:
        return TokenRefused(
            "GitLab refused your token: it is wrong, expired or revoked. Replace it in the Git tab."
        )
    if "non-fast-forward" in lowered or "fetch first" in lowered or "[rejected]" in lowered:
        return PushRejected(
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
        last = said.splitlines()[-1] if said else ""
        return RemoteUnreachable(
            f"GitLab is not reachable right now ({last}).", params={"detail": last}
        )
    if "would be overwritten" in lowered:
        files = _LISTED_FILE.findall(said)
        return ChangesWouldBeOverwritten(
            f"git cannot {doing}: your uncommitted changes would be overwritten. Commit them "
            "first.\n" + said,
            params={"command": command, "files": join_files(files)},
        )
    if unmerged:
        return MergeConflicts(
            f"git cannot {doing}: resolve the conflicts in {join_files(unmerged)} and commit "
            "them first.",
            params={"command": command, "files": join_files(unmerged)},
        )
    if unmatched := _UNMATCHED.search(said):
        path = unmatched.group(1)
        return NoSuchFile(
            f"There is no file {path!r} to commit, nor one git knows.", params={"path": path[:200]}
        )
    if "nothing to commit" in lowered or "no changes added to commit" in lowered:
        return NothingToCommit("Nothing to commit: the selected files have no changes.")
    return GitFailed(f"git could not {doing}: {said}", params={"command": command, "detail": said})


# ---- porcelain
def parse_status(raw: bytes) -> RepoStatus:
    """``git status --porcelain=v2 --branch -z``: the branch, its upstream and the changes
    (``folder`` and ``repository`` are filled in by the caller)."""
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
        repository=None,
        branch=branch,
        upstream=upstream,
        ahead=ahead,
        behind=behind,
        files=tuple(files),
    )


def parse_config(raw: str) -> dict[str, str]:
    """``git config --get-regexp``: one ``key value`` a line; the first value of a key wins."""
    found: dict[str, str] = {}
    for line in raw.splitlines():
        key, _, value = line.partition(" ")
        found.setdefault(key.lower(), value)
    return found


def parse_blobs(raw: bytes, count: int) -> list[bytes | None]:
    """``git cat-file --batch`` answers for ``count`` requests, in order (None: missing)."""
    blobs: list[bytes | None] = []
    at = 0
    for _ in range(count):
        end = raw.find(b"\n", at)
        if end < 0:
            blobs.append(None)
            continue
        header = raw[at:end].split(b" ")
        at = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            blobs.append(raw[at : at + size] if header[1] == b"blob" else None)
            at += size + 1  # the contents end with a newline of the protocol
        else:  # "<name> missing" or "ambiguous"
            blobs.append(None)
    return blobs


def relative_to(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else ""
