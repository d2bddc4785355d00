"""THE table of a publication's transitions, and who may take each: nothing else decides one.

    draft ──submit──▶ in_review ──approve (last)──▶ approved ──publish──▶ published
      ▲                 │  │  ╰──request_changes──▶ changes_requested        │
      ╰────withdraw─────╯  ╰──reject──▶ rejected     (resubmit ▶ in_review)  deprecate ▶ deprecated

An approval that is not yet the last one (``approvals_required`` distinct reviewers) leaves the
publication in review; moving the champion back is an action on a published version that keeps
its state. Pure functions: the service asks, the tests walk every state and action.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from .errors import (
    AuthorOnly,
    CommentRequired,
    OwnWork,
    PublicationIdInvalid,
    ReviewerOnly,
    ReviewerOrAdminOnly,
    TransitionNotAllowed,
)
from .records import Action, MetricComparison, State

#: a publication's id as a path carries it (the documents declare the same pattern)
PUBLICATION_ID = r"[1-9][0-9]{0,17}"


def publication_id(raw: str) -> int:
    """The id a path names, or 400: digits only, so nothing else reaches a query."""
    if re.fullmatch(PUBLICATION_ID, raw) is None:
        raise PublicationIdInvalid(
            f"{raw[:40]!r} is not a publication id.",
            "publication_id",
            params={"value": raw[:40]},
        )
    return int(raw)


class Who(StrEnum):
    #: the publication's author, and nobody else
    AUTHOR = "author"
    #: a holder of the review scope who is not the author
    REVIEWER = "reviewer"
    #: a reviewer or an admin (the author too, when they hold the role: this is not review)
    STEWARD = "steward"


@dataclass(frozen=True)
class Transition:
    to: State
    who: Who
    #: a comment must say why
    comment: bool = False


TRANSITIONS: Mapping[tuple[State, Action], Transition] = {
    (State.DRAFT, Action.SAVE_CARD): Transition(State.DRAFT, Who.AUTHOR),
    (State.CHANGES_REQUESTED, Action.SAVE_CARD): Transition(State.CHANGES_REQUESTED, Who.AUTHOR),
    (State.DRAFT, Action.SUBMIT): Transition(State.IN_REVIEW, Who.AUTHOR),
    (State.IN_REVIEW, Action.WITHDRAW): Transition(State.DRAFT, Who.AUTHOR),
    (State.CHANGES_REQUESTED, Action.RESUBMIT): Transition(State.IN_REVIEW, Who.AUTHOR),
    (State.IN_REVIEW, Action.APPROVE): Transition(State.APPROVED, Who.REVIEWER),
    (State.IN_REVIEW, Action.REQUEST_CHANGES): Transition(
        State.CHANGES_REQUESTED, Who.REVIEWER, comment=True
    ),
    (State.IN_REVIEW, Action.REJECT): Transition(State.REJECTED, Who.REVIEWER, comment=True),
    (State.APPROVED, Action.PUBLISH): Transition(State.PUBLISHED, Who.STEWARD),
    (State.PUBLISHED, Action.DEPRECATE): Transition(State.DEPRECATED, Who.STEWARD),
    (State.PUBLISHED, Action.MAKE_CHAMPION): Transition(State.PUBLISHED, Who.STEWARD, comment=True),
}

#: the actions on an existing publication (creating one is not a transition)
ACTIONS: tuple[Action, ...] = tuple(a for a in Action if a is not Action.CREATE)


def allowed_actions(state: State) -> tuple[Action, ...]:
    """The actions the table allows from ``state``, whoever asks."""
    return tuple(a for a in ACTIONS if (state, a) in TRANSITIONS)


def transition(state: State, action: Action) -> Transition:
    """The row of the table, or 409 naming the actions that do apply."""
    found = TRANSITIONS.get((state, action))
    if found is None:
        allowed = allowed_actions(state)
        named = ", ".join(allowed) or "none"
        raise TransitionNotAllowed(
            f"A publication in state {state} cannot {action}; allowed: {named}.",
            params={"state": str(state), "action": str(action), "allowed": named},
        )
    return found


def refusal(who: Who, identity: Identity, author: str) -> Exception | None:
    """Why ``identity`` may not take an action of ``who`` on ``author``'s publication."""
    if who is Who.AUTHOR:
        if identity.name != author:
            return AuthorOnly(f"Only {author}, the author, may do this.", params={"author": author})
        return None
    if who is Who.REVIEWER:
        if not identity.has(Role.REVIEWER):
            return ReviewerOnly("Only reviewers may decide on a submission.")
        if identity.name == author:
            return OwnWork("Nobody reviews their own work: another reviewer must decide.")
        return None
    if not (identity.has(Role.REVIEWER) or identity.has(Role.ADMIN)):
        return ReviewerOrAdminOnly("Only reviewers or admins may do this.")
    return None


def check(state: State, action: Action, identity: Identity, author: str) -> Transition:
    """The transition ``identity`` takes: allowed from ``state`` and theirs to take."""
    found = transition(state, action)
    refused = refusal(found.who, identity, author)
    if refused is not None:
        raise refused
    return found


def may_take(state: State, identity: Identity, author: str) -> tuple[Action, ...]:
    """What a page offers the caller now."""
    return tuple(
        a
        for a in allowed_actions(state)
        if refusal(TRANSITIONS[(state, a)].who, identity, author) is None
    )


def state_after(found: Transition, approvals: int, required: int) -> State:
    """Where an action leaves the publication; an approval short of the last one keeps it in
    review."""
    if found.to is State.APPROVED and approvals < required:
        return State.IN_REVIEW
    return found.to


def check_comment(found: Transition, action: Action, comment: str) -> str:
    comment = comment.strip()
    if found.comment and not comment:
        raise CommentRequired(
            f"Say why ({action} needs a comment).",
            "comment",
            params={"action": str(action)},
        )
    return comment


def compare_metrics(
    candidate: Mapping[str, float], champion: Mapping[str, float] | None
) -> tuple[MetricComparison, ...]:
    """The candidate's metrics beside the champion's on the same keys, with the difference
    (candidate minus champion) where both have a value; keys either one lacks are shown too."""
    theirs = champion or {}
    keys: Iterable[str] = sorted(set(candidate) | set(theirs))
    rows = []
    for key in keys:
        mine, other = candidate.get(key), theirs.get(key)
        diff = mine - other if mine is not None and other is not None else None
        rows.append(MetricComparison(key, mine, other, diff))
    return tuple(rows)
