"""Live settings: admins change them in the console; the features read them when they use them.

Each value is read from the store at the moment it is used (a review decision, a drift pass):
the settings table is a handful of rows, so one indexed read costs less than the work it
decides, and no process caches a value another one changed — a change takes effect on the
next use, on every platform process, with no restart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from jupyterlab_mlplat.core.kernel.errors import RoleRequired
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .errors import SettingChanged, SettingNotFound
from .ports import SettingsStore
from .records import SPEC_OF, SPECS, HubPolicy, Number, Setting, SettingSpec, StoredSetting

CHANGED = "setting.changed"


class SettingsService:
    def __init__(
        self,
        store: SettingsStore,
        defaults: Mapping[str, Number],
        *,
        hub: HubPolicy | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        missing = set(SPEC_OF) - set(defaults)
        if missing:
            raise ValueError(f"no default for the live settings {sorted(missing)}")
        self.store = store
        self.defaults = dict(defaults)
        self.hub = hub or HubPolicy()
        self._now = now

    # ------------------------------------------------------------------ the features
    def value(self, key: str) -> Number:
        """The value in force now: the stored one, else the trait's."""
        stored = self.store.stored_settings().get(key)
        if stored is not None and stored.value is not None:
            return stored.value
        return self.defaults[_spec(key).key]

    def reader(self, key: str) -> Callable[[], Number]:
        """A function a feature calls at each use to get the value in force."""
        _spec(key)
        return lambda: self.value(key)

    # ------------------------------------------------------------------ the console
    def settings(self, identity: Identity) -> list[Setting]:
        _admin(identity)
        stored = self.store.stored_settings()
        return [self._setting(spec, stored.get(spec.key)) for spec in SPECS]

    def change(self, identity: Identity, key: str, value: object, revision: int) -> Setting:
        """Set the value (``None``: back to the trait's default), if the setting is still at
        the revision the admin's page showed; audited with the old and the new value."""
        _admin(identity)
        spec = _spec(key)
        new = None if value is None else rules.checked(spec, value)
        with self.store.transaction(identity.name) as tx:
            current = tx.setting_for_update(key)
            now_revision = current.revision if current else 0
            if now_revision != revision:
                by = current.updated_by if current else ""
                raise SettingChanged(
                    f"{by} changed {key} since your page read it; reload and decide again.",
                    params={"by": by, "revision": now_revision, "yours": revision, "key": key},
                )
            old = self._setting(spec, current).value
            saved = StoredSetting(key, new, now_revision + 1, self._now(), identity.name)
            tx.save_setting(saved)
            in_force = self._setting(spec, saved)
            tx.audit(
                CHANGED,
                "setting",
                key,
                old=old,
                new=in_force.value,
                default=self.defaults[key],
                overridden=in_force.overridden,
            )
        return in_force

    def _setting(self, spec: SettingSpec, stored: StoredSetting | None) -> Setting:
        default = self.defaults[spec.key]
        overridden = stored is not None and stored.value is not None
        return Setting(
            spec=spec,
            default=default,
            value=stored.value if stored is not None and stored.value is not None else default,
            overridden=overridden,
            revision=stored.revision if stored else 0,
            updated_at=stored.updated_at if stored else None,
            updated_by=stored.updated_by if stored else None,
        )


def _spec(key: str) -> SettingSpec:
    spec = SPEC_OF.get(key)
    if spec is None:
        raise SettingNotFound(
            f"No live setting is called {key[:100]!r}.", params={"key": key[:100]}
        )
    return spec


def _admin(identity: Identity) -> None:
    if identity.kind != "user" or not identity.has(Role.ADMIN):
        raise RoleRequired("Only platform admins may change settings.", params={"role": "admin"})
