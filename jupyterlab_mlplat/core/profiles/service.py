"""Workspace profiles as admins edit them live: validated, versioned, audited.

The hub reads them at every spawn (KubeSpawner's ``profile_list`` callable), so a saved change
takes effect at the next spawn without a restart. Each profile carries a revision: an admin who
saves over a change made since they opened the form gets a conflict, not a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jupyterlab_mlplat.core.kernel.errors import Conflict, FieldProblem, Forbidden, NotFound
from jupyterlab_mlplat.core.kernel.identity import READ_PROFILES_SCOPE, Identity, Role

from .ports import ProfilesStore, ProfilesTx
from .records import StoredProfile
from .resources import PodResources, pod_resources
from .rules import InvalidProfile, Profile, validate_profile


class LastProfile(Conflict):
    """Distinct from a stale revision: reloading does not help, so the editor offers nothing."""

    reason = "last_profile"


class ProfileChanged(Conflict):
    """Somebody saved the profile since the editor read it: reload, nothing is overwritten."""

    reason = "profile_changed"


class ProfileExists(Conflict):
    reason = "profile_exists"


class ProfileNotFound(NotFound):
    reason = "profile_not_found"


class AdminOnly(Forbidden):
    reason = "admin_only"


def ordered(profiles: Iterable[StoredProfile]) -> list[StoredProfile]:
    return sorted(profiles, key=lambda s: (s.profile.order, s.profile.slug))


class ProfileService:
    def __init__(
        self,
        store: ProfilesStore,
        *,
        known_groups: Sequence[str] = (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        #: groups a profile may name; empty means "do not check" (standalone has no groups)
        self.known_groups = tuple(sorted(known_groups))
        self._now = now

    # ---- reading
    def visible_to(self, identity: Identity) -> list[StoredProfile]:
        """Admins and the hub's spawner see every profile; a person sees those open to them."""
        if identity.kind == "service" and not identity.may(READ_PROFILES_SCOPE):
            raise AdminOnly("This service may not read the workspace profiles.")
        profiles = ordered(self.store.profiles())
        if identity.kind == "service" or identity.has(Role.ADMIN):
            return profiles
        return [s for s in profiles if s.profile.allows(identity.groups)]

    def seed(self, profiles: Sequence[Profile]) -> bool:
        """First start: copy the shipped profiles in, once. Later starts leave admins' edits."""
        with self.store.transaction("system") as tx:
            if tx.list_profiles():
                return False
            for profile in profiles:
                tx.save_profile(StoredProfile(profile, 1, self._now(), "system"))
            tx.audit("profiles.seeded", "profile", "*", slugs=[p.slug for p in profiles])
        return True

    # ---- editing (admins)
    def preview(self, identity: Identity, data: Mapping[str, Any]) -> PodResources:
        """What a server of the profile being edited would get, without saving it."""
        self._require_admin(identity)
        return pod_resources(self._validated(data))

    def create(self, identity: Identity, data: Mapping[str, Any]) -> StoredProfile:
        self._require_admin(identity)
        profile = self._validated(data)
        with self.store.transaction(identity.name) as tx:
            if tx.get_profile(profile.slug):
                raise ProfileExists(
                    f"A profile with slug {profile.slug!r} exists; choose another.",
                    params={"slug": profile.slug},
                )
            stored = StoredProfile(profile, 1, self._now(), identity.name)
            self._save(tx, stored)
            _audit(tx, "profile.created", stored)
        return stored

    def replace(
        self,
        identity: Identity,
        slug: str,
        data: Mapping[str, Any],
        *,
        revision: int,
    ) -> StoredProfile:
        self._require_admin(identity)
        # the path names the profile: a slug in the body (as a record read back holds it)
        # must be the path's, as a profile's slug never changes
        if data.get("slug", slug) != slug:
            raise InvalidProfile(
                {"slug": "a profile's slug cannot change; create a new profile instead"},
                {"slug": FieldProblem("slug_fixed", {"value": slug})},
            )
        profile = self._validated({**data, "slug": slug})
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, slug, revision)
            stored = StoredProfile(profile, current.revision + 1, self._now(), identity.name)
            self._save(tx, stored)
            _audit(tx, "profile.updated", stored, changed=_changed_fields(current.profile, profile))
        return stored

    def delete(self, identity: Identity, slug: str, *, revision: int) -> None:
        self._require_admin(identity)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, slug, revision)
            if len(tx.list_profiles()) == 1:
                raise LastProfile(
                    "This is the last profile; people could start nothing without it."
                )
            tx.delete_profile(slug)
            _audit(tx, "profile.deleted", current)

    # ---- helpers
    @staticmethod
    def _require_admin(identity: Identity) -> None:
        if not identity.has(Role.ADMIN):
            raise AdminOnly("Only platform admins may change workspace profiles.")

    def _validated(self, data: Mapping[str, Any]) -> Profile:
        profile = validate_profile(data)
        unknown = sorted(set(profile.allowed_groups) - set(self.known_groups))
        if self.known_groups and unknown:
            groups = {"value": ", ".join(unknown), "choices": ", ".join(self.known_groups)}
            raise InvalidProfile(
                {
                    "allowed_groups": f"unknown group(s) {groups['value']}; the groups are "
                    f"{groups['choices']}"
                },
                {"allowed_groups": FieldProblem("unknown_groups", groups)},
            )
        return profile

    def _current(self, tx: ProfilesTx, slug: str, revision: int) -> StoredProfile:
        current: StoredProfile | None = tx.get_profile(slug)
        if current is None:
            # a name no profile can have is not echoed whole: a path may be kilobytes long
            named = slug if len(slug) <= 63 else slug[:60] + "…"
            raise ProfileNotFound(
                f"There is no profile {named!r}; it may have been deleted.", params={"slug": named}
            )
        if current.revision != revision:
            raise ProfileChanged(
                f"{current.updated_by} changed profile {slug!r} since you opened it "
                f"(revision {current.revision}, yours {revision}). Reload it and apply your "
                "change again.",
                params={
                    "slug": slug,
                    "by": current.updated_by,
                    "revision": current.revision,
                    "yours": revision,
                },
            )
        return current

    def _save(self, tx: ProfilesTx, stored: StoredProfile) -> None:
        """Save, and when this profile becomes the default, take the flag from the old one."""
        if stored.profile.default:
            for other in tx.list_profiles():
                if other.profile.default and other.profile.slug != stored.profile.slug:
                    demoted = StoredProfile(
                        other.profile.model_copy(update={"default": False}),
                        other.revision + 1,
                        stored.updated_at,
                        stored.updated_by,
                    )
                    tx.save_profile(demoted)
                    _audit(tx, "profile.updated", demoted, changed=["default"])
        tx.save_profile(stored)


def _audit(
    tx: ProfilesTx, action: str, stored: StoredProfile, *, changed: list[str] | None = None
) -> None:
    detail: dict[str, Any] = {
        "revision": stored.revision,
        "profile": stored.profile.model_dump(mode="json"),
    }
    if changed is not None:
        detail["changed"] = changed
    tx.audit(action, "profile", stored.profile.slug, **detail)


def _changed_fields(before: Profile, after: Profile) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    return sorted(k for k in new if old.get(k) != new[k])
