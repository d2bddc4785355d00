"""What can go wrong with GitLab, each with its own reason code so the sidebar can say it in
the person's language; the adapter and the service raise these, the Git tab translates them."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Unavailable,
)


class GitLabNotConfigured(Unavailable):
    reason = "gitlab_not_configured"


class GitLabUnreachable(Unavailable):
    """``params.url``: the GitLab that did not answer."""

    reason = "gitlab_unreachable"


class GitLabFailed(Unavailable):
    """GitLab answered with an error of its own (5xx); ``params.status``, ``params.said``."""

    reason = "gitlab_failed"


class GitLabRefused(InvalidInput):
    """GitLab refused the request as invalid; ``params.said`` is GitLab's own words."""

    reason = "gitlab_refused"


class GitLabTokenRefused(NotAuthenticated):
    """The saved or pasted token is wrong, expired or revoked."""

    reason = "gitlab_token_refused"


class GitLabForbidden(Forbidden):
    reason = "gitlab_forbidden"


class GitLabNotFound(NotFound):
    reason = "gitlab_not_found"


class GitLabConflict(Conflict):
    reason = "gitlab_conflict"


class GitLabNameTaken(Conflict):
    reason = "gitlab_name_taken"


class GitLabTokenMalformed(InvalidInput):
    reason = "gitlab_token_malformed"


class GitLabTokenMissing(NotFound):
    """The person saved no token yet: the Git tab offers to save one."""

    reason = "gitlab_token_missing"


class GitLabTokenUnreadable(Unavailable):
    """The platform's key changed: the saved token cannot be decrypted; save it again."""

    reason = "gitlab_token_unreadable"


class NotOnThisGitLab(NotFound):
    """The repository's remote is on another host; ``params.gitlab``. A well-formed URL of a
    project this GitLab does not have: not found here, like any project it cannot find."""

    reason = "remote_not_on_gitlab"


class NotAGitLabProject(NotFound):
    """The remote is on this GitLab but names no project (a group, the root): not found."""

    reason = "remote_not_a_project"


class ProjectNameInvalid(InvalidInput):
    reason = "project_name_invalid"


class MergeRequestTitleMissing(InvalidInput):
    reason = "merge_request_title_missing"


class MergeRequestIntoItself(Conflict):
    """``params.branch``: the branch that would be merged into itself. Both names are
    well-formed; it is the repository's state (the target is the branch itself) that makes the
    request impossible, so a conflict rather than invalid input."""

    reason = "merge_request_into_itself"
