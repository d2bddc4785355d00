"""The transition table, walked exhaustively: every state, every action and every kind
of caller, against the diagram of docs/publication.md written out here a second time."""

from __future__ import annotations

import pytest

from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.core.reviews import rules
from jupyterlab_mlplat.core.reviews.errors import (
    AuthorOnly,
    CommentRequired,
    OwnWork,
    PublicationIdInvalid,
    ReviewerOnly,
    ReviewerOrAdminOnly,
    TransitionNotAllowed,
)
from jupyterlab_mlplat.core.reviews.records import Action, State

S, A = State, Action
#: the diagram: (from, action) → to, and who takes it
EXPECTED = {
    (S.DRAFT, A.SAVE_CARD): (S.DRAFT, "author"),
    (S.CHANGES_REQUESTED, A.SAVE_CARD): (S.CHANGES_REQUESTED, "author"),
    (S.DRAFT, A.SUBMIT): (S.IN_REVIEW, "author"),
    (S.IN_REVIEW, A.WITHDRAW): (S.DRAFT, "author"),
    (S.CHANGES_REQUESTED, A.RESUBMIT): (S.IN_REVIEW, "author"),
    (S.IN_REVIEW, A.APPROVE): (S.APPROVED, "reviewer"),
    (S.IN_REVIEW, A.REQUEST_CHANGES): (S.CHANGES_REQUESTED, "reviewer"),
    (S.IN_REVIEW, A.REJECT): (S.REJECTED, "reviewer"),
    (S.APPROVED, A.PUBLISH): (S.PUBLISHED, "steward"),
    (S.PUBLISHED, A.DEPRECATE): (S.DEPRECATED, "steward"),
    (S.PUBLISHED, A.MAKE_CHAMPION): (S.PUBLISHED, "steward"),
}

AUTHOR = Identity("alice")
AUTHOR_REVIEWER = Identity("alice", roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
REVIEWER = Identity("rita", roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
ADMIN = Identity("adam", roles=(Role.DATA_SCIENTIST, Role.ADMIN))
OTHER = Identity("ivan")
CALLERS = {
    "author": AUTHOR,
    "author_reviewer": AUTHOR_REVIEWER,
    "reviewer": REVIEWER,
    "admin": ADMIN,
    "other": OTHER,
}
#: who of the callers may take an action of each kind on alice's publication
MAY = {
    "author": {"author", "author_reviewer"},
    "reviewer": {"reviewer"},
    "steward": {"author_reviewer", "reviewer", "admin"},
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", rules.ACTIONS)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_every_state_action_and_caller(state: State, action: Action, caller: str) -> None:
    who = CALLERS[caller]
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as refused:
            rules.check(state, action, who, "alice")
        named = [a for a in refused.value.params["allowed"].split(", ") if a != "none"]
        assert sorted(named) == sorted(str(a) for (s, a) in EXPECTED if s == state)
        assert refused.value.params["state"] == state
        assert refused.value.params["action"] == action
        return
    to, kind = expected
    if caller in MAY[kind]:
        assert rules.check(state, action, who, "alice").to is to
        assert action in rules.may_take(state, who, "alice")
    else:
        with pytest.raises((AuthorOnly, OwnWork, ReviewerOnly, ReviewerOrAdminOnly)):
            rules.check(state, action, who, "alice")
        assert action not in rules.may_take(state, who, "alice")


def test_the_table_is_the_diagram() -> None:
    assert {k: (v.to, str(v.who)) for k, v in rules.TRANSITIONS.items()} == EXPECTED


def test_nobody_reviews_their_own_work_even_holding_the_role() -> None:
    for decision in (A.APPROVE, A.REQUEST_CHANGES, A.REJECT):
        with pytest.raises(OwnWork):
            rules.check(S.IN_REVIEW, decision, AUTHOR_REVIEWER, "alice")


def test_a_reviewer_without_the_role_is_refused_as_such() -> None:
    with pytest.raises(ReviewerOnly):
        rules.check(S.IN_REVIEW, A.APPROVE, OTHER, "alice")


def test_approvals_short_of_the_last_keep_it_in_review() -> None:
    found = rules.transition(S.IN_REVIEW, A.APPROVE)
    assert rules.state_after(found, 1, 2) is S.IN_REVIEW
    assert rules.state_after(found, 2, 2) is S.APPROVED


def test_changes_and_rejections_say_why() -> None:
    for action in (A.REQUEST_CHANGES, A.REJECT):
        with pytest.raises(CommentRequired):
            rules.check_comment(rules.transition(S.IN_REVIEW, action), action, "  ")
    assert rules.check_comment(rules.transition(S.IN_REVIEW, A.APPROVE), A.APPROVE, "") == ""


def test_metrics_side_by_side_on_the_same_keys() -> None:
    rows = rules.compare_metrics({"auc": 0.9, "f1": 0.7}, {"auc": 0.85, "loss": 0.3})
    by_key = {r.key: r for r in rows}
    assert by_key["auc"].difference == pytest.approx(0.05)
    assert by_key["f1"].champion is None and by_key["f1"].difference is None
    assert by_key["loss"].candidate is None


@pytest.mark.parametrize("raw", ["0", "01", "-1", "x", "1e3", "\u0661", "9" * 19])
def test_a_publication_id_is_digits(raw: str) -> None:
    with pytest.raises(PublicationIdInvalid):
        rules.publication_id(raw)
