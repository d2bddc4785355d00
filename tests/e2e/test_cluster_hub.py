"""The cluster hub end to end: OIDC login by group, profiles filtered by group with headroom
from the nodes, exact pod specs, quotas, and an admin's edit used by the next spawn."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from kubernetes.utils import parse_quantity

from tests.e2e.cluster import NAMESPACE, ClusterHub, cluster_hub

SCOPES = ["access:services!service=mlplat"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterHub]:
    with cluster_hub(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def _pod(hub: ClusterHub, user: str) -> dict[str, Any]:
    pods = [
        p
        for p in hub.kube.objects("Pod", NAMESPACE)
        if p["metadata"].get("annotations", {}).get("hub.jupyter.org/username") == user
    ]
    assert len(pods) == 1, [p["metadata"]["name"] for p in pods]
    return pods[0]


def _record(hub: ClusterHub, token: str, slug: str) -> dict[str, Any]:
    listing = hub.platform(token, "GET", "profiles").json()
    return next(r for r in listing["profiles"] if r["profile"]["slug"] == slug)


def _edit(hub: ClusterHub, slug: str, **changes: Any) -> dict[str, Any]:
    adam = hub.token("adam")
    record = _record(hub, adam, slug)
    saved = hub.platform(
        adam,
        "PUT",
        f"profiles/{slug}",
        {"profile": {**record["profile"], **changes}, "revision": record["revision"]},
    )
    assert saved.status_code == 200, saved.text
    return dict(saved.json())


@pytest.fixture(scope="module")
def gpu_for_gpu_users(hub: ClusterHub) -> None:
    """The admin opens the GPU profile to gpu-users only, one GPU each, two per group."""
    _edit(
        hub,
        "gpu-1",
        allowed_groups=["gpu-users"],
        quota={"gpus_per_user": 1, "gpus_per_group": 1},
    )


@pytest.mark.parametrize(
    ("user", "groups", "admin"),
    [
        ("alice", ["data-scientists"], False),
        ("rita", ["reviewers"], False),
        ("adam", ["admins"], True),
        ("ivan", ["instructors"], False),
    ],
)
def test_people_log_in_through_oidc_and_their_groups_become_hub_groups(
    hub: ClusterHub, user: str, groups: list[str], admin: bool
) -> None:
    session = hub.login(user)
    assert session.last_page.status_code == 200  # type: ignore[attr-defined]
    model = session.get(f"{hub.url}/hub/api/user", headers=hub.xsrf(session)).json()
    assert model["name"] == user
    assert sorted(model["groups"]) == groups
    assert model["admin"] is admin


def test_platform_roles_follow_the_groups_claim(hub: ClusterHub) -> None:
    me = hub.platform(hub.token("rita"), "GET", "me").json()
    assert me["roles"] == ["data_scientist", "reviewer"]
    assert hub.platform(hub.token("adam"), "GET", "me").json()["roles"] == [
        "data_scientist",
        "admin",
    ]


def test_a_person_in_no_allowed_group_gets_a_clear_not_allowed_page(hub: ClusterHub) -> None:
    page = hub.login("mallory").last_page  # type: ignore[attr-defined]
    assert page.status_code == 403
    assert "not currently authorized" in page.text


@pytest.mark.usefixtures("gpu_for_gpu_users")
def test_the_spawn_page_shows_only_allowed_profiles_with_headroom(hub: ClusterHub) -> None:
    alice = hub.login("alice").get(f"{hub.url}/hub/spawn").text
    assert 'value="cpu-small"' in alice
    assert 'value="gpu-1"' not in alice
    greta = hub.login("greta").get(f"{hub.url}/hub/spawn").text
    assert 'value="gpu-1"' in greta
    assert "GPU: 4 of 4 free" in greta
    assert "quay.io/jupyter/pytorch-notebook:cuda12-2026-11-16" in greta


@pytest.mark.usefixtures("gpu_for_gpu_users")
def test_a_gpu_spawn_gets_exactly_the_profile_and_counts_against_headroom(
    hub: ClusterHub,
) -> None:
    started = hub.spawn("greta", "gpu-1")
    assert started.status_code in (201, 202), started.text
    try:
        hub.wait_ready("greta")
        pod = _pod(hub, "greta")
        (container,) = [c for c in pod["spec"]["containers"] if c["name"] == "notebook"]
        requests_, limits = container["resources"]["requests"], container["resources"]["limits"]
        assert parse_quantity(requests_["cpu"]) == 4
        assert parse_quantity(limits["cpu"]) == 8
        assert parse_quantity(requests_["memory"]) == 16 * 2**30
        assert parse_quantity(limits["memory"]) == 32 * 2**30
        assert requests_["nvidia.com/gpu"] == limits["nvidia.com/gpu"] == "1"
        assert container["image"] == "quay.io/jupyter/pytorch-notebook:cuda12-2026-11-16"
        assert pod["spec"]["nodeSelector"] == {"mlplat/accelerator": "nvidia"}
        assert {
            "key": "nvidia.com/gpu",
            "operator": "Exists",
            "effect": "NoSchedule",
        } in pod["spec"]["tolerations"]
        assert pod["spec"]["nodeName"] == "gpu-node-1"
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["MLPLAT_PROFILE"] == "gpu-1"
        assert env["MLPLAT_PLATFORM_URL"].endswith("/services/mlplat/")
        # this hub has no MLflow and no invocations gateway: nothing points at them
        # (tests/e2e/test_cluster_services.py runs both)
        assert "MLFLOW_TRACKING_URI" not in env and "MLPLAT_GATEWAY_URL" not in env
        claim = pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
        assert claim == "home-greta"
        assert "home-greta" in [p["metadata"]["name"] for p in hub.kube.objects("PVC", NAMESPACE)]
        assert hub.kube.rejected == []

        # the lab opens through the proxy, served by the pod's real single-user server
        lab = hub.login("greta").get(f"{hub.url}/user/greta/lab")
        assert lab.status_code == 200
        assert "JupyterLab" in lab.text

        # headroom now counts greta's GPU
        gus_page = hub.login("gus").get(f"{hub.url}/hub/spawn").text
        assert "GPU: 3 of 4 free" in gus_page

        # gus is in gpu-users too: the group's one GPU is taken, and the refusal says which limit
        refused = hub.login("gus").post(
            f"{hub.url}/hub/spawn/gus",
            data={"profile": "gpu-1"},
            headers=hub.xsrf(hub.login("gus")),
        )
        assert refused.status_code == 403
        assert "1 GPU(s) for group gpu-users" in refused.text
        assert len([p for p in hub.kube.objects("Pod", NAMESPACE)]) == 1
    finally:
        hub.stop("greta")


def test_a_cpu_spawn_has_no_gpu_no_node_selector_and_runs_unprivileged(hub: ClusterHub) -> None:
    started = hub.spawn("alice", "cpu-small")
    assert started.status_code in (201, 202), started.text
    try:
        hub.wait_ready("alice")
        pod = _pod(hub, "alice")
        (container,) = [c for c in pod["spec"]["containers"] if c["name"] == "notebook"]
        resources = container["resources"]
        assert parse_quantity(resources["requests"]["cpu"]) == parse_quantity("0.5")
        assert parse_quantity(resources["limits"]["cpu"]) == 2
        assert parse_quantity(resources["requests"]["memory"]) == 2**30
        assert parse_quantity(resources["limits"]["memory"]) == 4 * 2**30
        assert "nvidia.com/gpu" not in resources["limits"]
        assert not pod["spec"].get("nodeSelector")
        # the person is not root in their pod and cannot become it
        security = container["securityContext"]
        assert security["runAsUser"] == 1000 and security["runAsNonRoot"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert not security.get("privileged")
        assert pod["spec"]["securityContext"]["fsGroup"] == 100
        assert pod["spec"]["nodeName"] == "cpu-node-1"
        assert hub.kube.rejected == []
        assert "unhandled user_options" not in hub.tail(10**7)
    finally:
        hub.stop("alice")


def test_an_admin_edit_is_used_by_the_next_spawn_without_a_restart(hub: ClusterHub) -> None:
    _edit(hub, "cpu-small", cpu_limit="3", environment={"TEAM": "city"})
    started = hub.spawn("ivan", "cpu-small")
    assert started.status_code in (201, 202), started.text
    try:
        hub.wait_ready("ivan")
        (container,) = [
            c for c in _pod(hub, "ivan")["spec"]["containers"] if c["name"] == "notebook"
        ]
        assert parse_quantity(container["resources"]["limits"]["cpu"]) == 3
        assert {"name": "TEAM", "value": "city"} in container["env"]
    finally:
        hub.stop("ivan")
    # one hub process all along: it started once and was never restarted
    assert hub.tail(10**7).count("JupyterHub is now running") == 1


def test_the_profile_api_refuses_non_admins_and_bad_input(hub: ClusterHub) -> None:
    alice = hub.token("alice")
    record = _record(hub, alice, "cpu-small")
    refused = hub.platform(alice, "POST", "profiles", {**record["profile"], "slug": "mine"})
    assert refused.status_code == 403
    adam = hub.token("adam")
    bad = hub.platform(
        adam, "POST", "profiles", {**record["profile"], "slug": "x", "allowed_groups": ["ghosts"]}
    )
    assert bad.status_code == 400
    assert "unknown group(s) ghosts" in bad.json()["fields"]["allowed_groups"]


def test_the_idle_culler_runs_as_a_hub_service(hub: ClusterHub) -> None:
    services = requests.get(
        f"{hub.url}/hub/api/services",
        headers={"Authorization": f"token {hub.token('adam')}"},
        timeout=10,
    ).json()
    assert "idle-culler" in services
    assert services["idle-culler"]["pid"] > 0
    assert Path(f"/proc/{services['idle-culler']['pid']}").exists()


@pytest.mark.usefixtures("gpu_for_gpu_users")
def test_a_platform_outage_during_spawn_uses_the_platforms_last_answer(
    hub: ClusterHub,
) -> None:
    """Not the shipped file, which would open every profile to everyone and drop quotas."""
    _edit(hub, "cpu-large", display_name="Large CPU (platform copy)")
    hub.login("greta").get(f"{hub.url}/hub/spawn", timeout=60)  # the hub reads the edit
    services = requests.get(
        f"{hub.url}/hub/api/services",
        headers={"Authorization": f"token {hub.token('adam')}"},
        timeout=10,
    ).json()
    platform_pid = services["mlplat"]["pid"]
    # signed in before: the sign-in lands on the spawn page, which waits for the hung platform
    # as long as the hub's client does (10 s), exactly the limit of the provider's login call
    alice_session = hub.login("alice")
    # a hung platform (not a dead one, which the hub would restart): connections wait, then time out
    os.kill(platform_pid, signal.SIGSTOP)
    try:
        alice = alice_session.get(f"{hub.url}/hub/spawn", timeout=60)
        assert alice.status_code == 200
        assert "Large CPU (platform copy)" in alice.text
        assert 'value="gpu-1"' not in alice.text  # still only for gpu-users, as the admin said
        used = [line for line in hub.tail(50_000).splitlines() if "profiles it gave at" in line]
        assert used, hub.tail()
        assert hub.spawner_token not in hub.tail(10**7)
    finally:
        os.kill(platform_pid, signal.SIGCONT)
