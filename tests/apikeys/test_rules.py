"""The keys' pure rules (shape of a secret, expiry, overlap, state) and the service's promise
that every change writes exactly one audit record in its transaction, never a secret."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.apikeys import rules
from jupyterlab_mlplat.core.apikeys.errors import (
    KeyExpiryInvalid,
    KeyLimitReached,
    KeyOverlapTooLong,
)
from jupyterlab_mlplat.core.apikeys.records import ApiKey, KeyScopes, KeyState
from jupyterlab_mlplat.core.apikeys.service import ApiKeyService, NobodyOwnsDeployments
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

NOW = datetime(2027, 3, 1, tzinfo=UTC)
ALICE = Identity("alice")
ADAM = Identity("adam", roles=(Role.DATA_SCIENTIST, Role.ADMIN))


@pytest.mark.parametrize(
    ("secret", "prefix"),
    [
        ("mlp_ab12cd34_" + "A" * 43, "mlp_ab12cd34"),
        ("mlp_ab12cd34_" + "-_" * 16, "mlp_ab12cd34"),
        ("mlp_AB12cd34_" + "A" * 43, None),  # prefixes are lower-case
        ("mlp_ab12cd3_" + "A" * 44, None),
        ("mlp_ab12cd34_" + "A" * 31, None),  # too short to be ours
        ("mlp_ab12cd34_" + "A" * 129, None),
        ("mlp_ab12cd34_" + "A" * 42 + "\n", None),
        ("xyz_ab12cd34_" + "A" * 43, None),
        ("", None),
    ],
)
def test_only_secrets_of_our_shape_name_a_prefix(secret: str, prefix: str | None) -> None:
    assert rules.prefix_of(secret) == prefix


def test_an_expiry_is_in_the_future_and_within_the_limit() -> None:
    assert rules.expiry(None, NOW, 30) == NOW + timedelta(days=30)
    assert rules.expiry(NOW + timedelta(days=30), NOW, 30) == NOW + timedelta(days=30)
    for when, rule in (
        (NOW, "past"),
        (NOW + timedelta(days=30, seconds=1), "too_far"),
        (datetime(2027, 3, 2), "no_timezone"),
    ):
        with pytest.raises(KeyExpiryInvalid) as refused:
            rules.expiry(when, NOW, 30)
        assert refused.value.params["rule"] == rule


def test_an_overlap_is_bounded() -> None:
    assert rules.overlap(-5, 60) == timedelta(0)
    with pytest.raises(KeyOverlapTooLong):
        rules.overlap(61, 60)


def test_a_keys_state_at_a_moment() -> None:
    key = ApiKey(1, "mlp_x", "alice", "k", KeyScopes(), NOW, expires_at=NOW + timedelta(1))
    assert rules.state_of(key, NOW) is KeyState.ACTIVE
    rotated = ApiKey(**{**key.__dict__, "replaced_by": 2})
    assert rules.state_of(rotated, NOW) is KeyState.ROTATING
    assert rules.state_of(rotated, NOW + timedelta(days=2)) is KeyState.EXPIRED
    revoked = ApiKey(**{**key.__dict__, "revoked_at": NOW})
    assert rules.state_of(revoked, NOW) is KeyState.REVOKED


@pytest.fixture
def keys(database_url: str) -> Iterator[ApiKeyService]:
    store = SqlStore.from_url(database_url)
    yield ApiKeyService(store, NobodyOwnsDeployments(), pepper=b"p" * 32, now=lambda: NOW)
    store.close()


CHANGES: list[tuple[str, Callable[[ApiKeyService, int], Any]]] = [
    ("apikey.created", lambda s, _: s.create(ALICE, "second", ["churn"], True)),
    ("apikey.rotated", lambda s, key_id: s.rotate(ALICE, key_id, 60)),
    ("apikey.revoked", lambda s, key_id: s.revoke(ADAM, key_id)),
]


@pytest.mark.parametrize(("action", "change"), CHANGES)
def test_every_change_is_one_audit_record_without_a_secret(
    keys: ApiKeyService, action: str, change: Callable[[ApiKeyService, int], Any]
) -> None:
    first = keys.create(ALICE, "first", catalog_read=True)
    before = keys.store.audit_entries(limit=100)
    result = change(keys, first.key.id)
    after = keys.store.audit_entries(limit=100)
    new = after[: len(after) - len(before)]
    assert [entry.action for entry in new] == [action]
    secrets = [first.secret] + ([result.secret] if hasattr(result, "secret") else [])
    for secret in secrets:
        assert secret[13:] not in repr(new)
        assert keys.digest(secret) not in repr(new)


def test_creations_at_once_never_pass_the_limit(database_url: str) -> None:
    store = SqlStore.from_url(database_url)
    keys = ApiKeyService(
        store, NobodyOwnsDeployments(), pepper=b"p" * 32, max_keys_per_person=4, now=lambda: NOW
    )
    keys.create(ALICE, "first", catalog_read=True)

    def one(i: int) -> str:
        try:
            keys.create(ALICE, f"k{i}", catalog_read=True)
            return "made"
        except KeyLimitReached:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    assert sorted(results) == ["made"] * 3 + ["refused"] * 5
    assert len(keys.mine(ALICE)) == 4
    store.close()
