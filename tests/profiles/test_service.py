"""Live-edited profiles on SQLite and the real PostgreSQL: revisions, defaults, audit, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.kube.manifests import pod_preview
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.kernel.audit import current_request_id
from jupyterlab_mlplat.core.kernel.errors import Conflict, Forbidden, NotFound
from jupyterlab_mlplat.core.kernel.identity import READ_PROFILES_SCOPE, Identity, Role
from jupyterlab_mlplat.core.profiles.rules import InvalidProfile, load_profiles_file
from jupyterlab_mlplat.core.profiles.service import ProfileService

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Identity("adam", ("admins",), (Role.DATA_SCIENTIST, Role.ADMIN))
ALICE = Identity("alice", ("data-scientists",))
SPAWNER = Identity(
    "mlplat-spawner", roles=(), kind="service", grants=frozenset({READ_PROFILES_SCOPE})
)
GROUPS = ("admins", "data-scientists", "gpu-users", "instructors", "reviewers")


@pytest.fixture
def service(database_url: str) -> Iterator[ProfileService]:
    store = SqlStore.from_url(database_url)
    service = ProfileService(
        store, known_groups=GROUPS, now=lambda: datetime(2026, 11, 22, tzinfo=UTC)
    )
    assert service.seed(load_profiles_file(ROOT / "hub_config/profiles.yaml"))
    yield service
    store.close()


def _snapshot(service: ProfileService) -> list[tuple[str, int, dict[str, object]]]:
    return [(s.profile.slug, s.revision, s.profile.model_dump()) for s in service.store.profiles()]


def test_seeding_happens_once_and_keeps_admin_edits(service: ProfileService) -> None:
    small = next(s for s in service.store.profiles() if s.profile.slug == "cpu-small")
    data = {**small.profile.model_dump(), "cpu_limit": "3"}
    service.replace(ADMIN, "cpu-small", data, revision=small.revision)
    assert not service.seed(load_profiles_file(ROOT / "hub_config/profiles.yaml"))
    edited = next(s for s in service.store.profiles() if s.profile.slug == "cpu-small")
    assert edited.profile.cpu_limit == "3"
    assert edited.revision == 2
    assert edited.updated_by == "adam"


def test_people_see_the_profiles_open_to_their_groups(service: ProfileService) -> None:
    data = {
        **service.store.profiles()[0].profile.model_dump(),
        "slug": "gpu-only",
        "default": False,
        "allowed_groups": ["gpu-users"],
    }
    service.create(ADMIN, data)
    assert "gpu-only" not in [s.profile.slug for s in service.visible_to(ALICE)]
    assert "gpu-only" in [s.profile.slug for s in service.visible_to(ADMIN)]
    assert "gpu-only" in [s.profile.slug for s in service.visible_to(SPAWNER)]
    gpu_user = Identity("greta", ("gpu-users",))
    assert "gpu-only" in [s.profile.slug for s in service.visible_to(gpu_user)]


def test_a_stale_revision_is_refused_and_nothing_changes(service: ProfileService) -> None:
    small = next(s for s in service.store.profiles() if s.profile.slug == "cpu-small")
    data = small.profile.model_dump()
    service.replace(ADMIN, "cpu-small", {**data, "cpu_limit": "3"}, revision=1)
    before = _snapshot(service)
    with pytest.raises(Conflict, match="adam changed profile 'cpu-small'"):
        service.replace(ADMIN, "cpu-small", {**data, "cpu_limit": "5"}, revision=1)
    assert _snapshot(service) == before


def test_a_new_default_takes_the_flag_from_the_old_one_in_one_transaction(
    service: ProfileService,
) -> None:
    large = next(s for s in service.store.profiles() if s.profile.slug == "cpu-large")
    service.replace(ADMIN, "cpu-large", {**large.profile.model_dump(), "default": True}, revision=1)
    defaults = [s.profile.slug for s in service.store.profiles() if s.profile.default]
    assert defaults == ["cpu-large"]
    actions = [
        (e.action, e.object_id, e.detail.get("changed")) for e in service.store.audit_entries()
    ]
    assert ("profile.updated", "cpu-large", ["default"]) in actions
    assert ("profile.updated", "cpu-small", ["default"]) in actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cpu_limit": "lots"}, "cpu_limit"),
        ({"mem_guarantee": "1 GB"}, "mem_guarantee"),
        ({"gpu": -1}, "gpu"),
        ({"gpu": 1.5}, "gpu"),
        ({"image": "quay.io/jupyter/scipy notebook"}, "image"),
        ({"tolerations": [{"operator": "Exists"}]}, "tolerations.0.key"),
        ({"allowed_groups": ["data-scientists", "ghosts"]}, "allowed_groups"),
        ({"slug": "Not_DNS"}, "slug"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_saved(
    service: ProfileService, change: dict[str, object], field: str
) -> None:
    before = _snapshot(service)
    audit_before = len(service.store.audit_entries())
    base = next(s for s in service.store.profiles() if s.profile.slug == "cpu-large")
    with pytest.raises(InvalidProfile) as caught:
        service.create(ADMIN, {**base.profile.model_dump(), "slug": "new-one", **change})
    assert field in caught.value.fields
    if field != "slug":
        with pytest.raises(InvalidProfile):
            service.replace(ADMIN, "cpu-large", {**base.profile.model_dump(), **change}, revision=1)
    assert _snapshot(service) == before
    assert len(service.store.audit_entries()) == audit_before


def test_unknown_groups_name_the_known_ones(service: ProfileService) -> None:
    base = service.store.profiles()[0].profile.model_dump()
    with pytest.raises(InvalidProfile) as caught:
        service.preview(ADMIN, {**base, "allowed_groups": ["ghosts"]})
    assert caught.value.fields["allowed_groups"].startswith("unknown group(s) ghosts; the groups")


def test_only_admins_change_profiles(service: ProfileService) -> None:
    base = service.store.profiles()[0].profile.model_dump()
    before = _snapshot(service)
    for call in (
        lambda who: service.create(who, {**base, "slug": "x"}),
        lambda who: service.replace(who, base["slug"], base, revision=1),
        lambda who: service.delete(who, base["slug"], revision=1),
        lambda who: service.preview(who, base),
    ):
        for who in (ALICE, SPAWNER):
            with pytest.raises(Forbidden):
                call(who)
    assert _snapshot(service) == before


def test_delete_checks_the_revision_and_keeps_the_last_profile(service: ProfileService) -> None:
    with pytest.raises(NotFound):
        service.delete(ADMIN, "nope", revision=1)
    with pytest.raises(Conflict):
        service.delete(ADMIN, "gpu-1", revision=7)
    service.delete(ADMIN, "gpu-1", revision=1)
    service.delete(ADMIN, "cpu-large", revision=1)
    with pytest.raises(Conflict, match="last profile") as caught:
        service.delete(ADMIN, "cpu-small", revision=1)
    assert caught.value.reason == "last_profile"  # the editor offers no reload for this one
    assert [s.profile.slug for s in service.store.profiles()] == ["cpu-small"]
    deleted = [e.object_id for e in service.store.audit_entries() if e.action == "profile.deleted"]
    assert deleted == ["cpu-large", "gpu-1"]


def test_a_missing_profile_with_an_impossible_name_is_not_echoed_whole(
    service: ProfileService,
) -> None:
    """A path may carry kilobytes: the answer names what was asked for, shortened."""
    with pytest.raises(NotFound) as caught:
        service.delete(ADMIN, "x" * 9000, revision=1)
    assert len(caught.value.message) < 200
    assert len(str(caught.value.params["slug"])) <= 63


def test_every_change_is_in_the_audit_log_with_what_changed(service: ProfileService) -> None:
    base = next(s for s in service.store.profiles() if s.profile.slug == "gpu-1")
    token = current_request_id.set("req-1")
    try:
        service.replace(
            ADMIN,
            "gpu-1",
            {**base.profile.model_dump(), "gpu": 2, "quota": {"gpus_per_user": 2}},
            revision=1,
        )
    finally:
        current_request_id.reset(token)
    entry = service.store.audit_entries(limit=1)[0]
    assert (entry.actor, entry.action, entry.object_id) == ("adam", "profile.updated", "gpu-1")
    assert entry.detail["changed"] == ["gpu", "quota"]
    assert entry.detail["profile"]["gpu"] == 2
    assert entry.request_id == "req-1"


def test_preview_shows_the_pod_resources_kubernetes_gets(service: ProfileService) -> None:
    gpu = next(s for s in service.store.profiles() if s.profile.slug == "gpu-1")
    pod = pod_preview(
        service.preview(ADMIN, {**gpu.profile.model_dump(), "environment": {"A": "1"}})
    )
    assert pod["resources"] == {
        "requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
        "limits": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"},
    }
    assert pod["nodeSelector"] == {"mlplat/accelerator": "nvidia"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert pod["env"] == [{"name": "A", "value": "1"}]


def test_a_hub_service_without_the_profiles_grant_reads_none(service: ProfileService) -> None:
    gateway = Identity("mlflow", roles=(), kind="service", grants=frozenset({"custom:x"}))
    with pytest.raises(Forbidden):
        service.visible_to(gateway)
