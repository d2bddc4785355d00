"""Sign-in bookkeeping: the platform learns who uses it from the requests it serves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.core.kernel.identity import Identity

from .ports import AccountsStore
from .records import UserRecord

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    """Keeps one record per person and audits when someone appears or their roles change.

    ``last_seen`` is refreshed at most once per ``touch_interval`` so that a sidebar polling every
    few seconds does not turn every read into a write.
    """

    def __init__(
        self,
        store: AccountsStore,
        *,
        clock: Clock = utc_now,
        touch_interval: timedelta = timedelta(minutes=5),
    ) -> None:
        self._store = store
        self._clock = clock
        self._touch_interval = touch_interval

    def sign_in(self, identity: Identity) -> UserRecord:
        now = self._clock()
        with self._store.transaction(identity.name) as tx:
            known = tx.get_user(identity.name)
            if known is None:
                user = UserRecord(
                    name=identity.name,
                    roles=identity.roles,
                    groups=identity.groups,
                    first_seen=now,
                    last_seen=now,
                )
                # the write decides who saw them first, not the look: a request of the same
                # person may have recorded them since
                if tx.add_user(user):
                    tx.audit(
                        "user.first_seen",
                        "user",
                        identity.name,
                        roles=[str(r) for r in identity.roles],
                    )
                    return user
                known = tx.get_user(identity.name)
                if known is None:  # recorded, then gone: only a database reset does that
                    raise Unavailable("The platform could not record who you are; try again.")
            roles_changed = set(known.roles) != set(identity.roles)
            stale = now - known.last_seen >= self._touch_interval
            if not roles_changed and not stale and set(known.groups) == set(identity.groups):
                return known
            user = UserRecord(
                name=known.name,
                roles=identity.roles,
                groups=identity.groups,
                first_seen=known.first_seen,
                last_seen=now,
            )
            tx.save_user(user)
            if roles_changed:
                tx.audit(
                    "user.roles_changed",
                    "user",
                    identity.name,
                    before=[str(r) for r in known.roles],
                    after=[str(r) for r in identity.roles],
                )
            return user
