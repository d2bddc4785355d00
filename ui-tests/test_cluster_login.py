"""The cluster flavour in Chromium: OIDC login at the organisation's provider → the spawn page
offers only the profiles the person's groups may use, with headroom from the cluster's nodes →
the lab opens from the pod KubeSpawner created (served by the emulated cluster's kubelet)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.cluster import NAMESPACE, PASSWORD, ClusterHub, cluster_hub

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterHub]:
    with cluster_hub(tmp_path_factory.mktemp("cluster-ui")) as running:
        adam = running.token("adam")
        listing = running.platform(adam, "GET", "profiles").json()
        gpu = next(r for r in listing["profiles"] if r["profile"]["slug"] == "gpu-1")
        opened = running.platform(
            adam,
            "PUT",
            "profiles/gpu-1",
            {
                "profile": {
                    **gpu["profile"],
                    "allowed_groups": ["gpu-users"],
                    "quota": {"gpus_per_group": 1},
                },
                "revision": gpu["revision"],
            },
        )
        assert opened.status_code == 200, opened.text
        yield running


def _sign_in(page: Page, hub: ClusterHub, user: str) -> None:
    page.goto(f"{hub.url}/hub/oauth_login")
    page.locator("#username").fill(user)
    page.locator("#password").fill(PASSWORD.format(user=user))
    page.locator("#submit").click()


def test_oidc_login_spawn_page_with_headroom_then_the_lab(
    page: Page,
    hub: ClusterHub,
    screenshot: Callable[[str], Path],
    panel_of: Callable[[Page], Locator],
    browser: Browser,
) -> None:
    page.goto(f"{hub.url}/hub/login")
    screenshot("cluster-login")
    _sign_in(page, hub, "greta")
    page.wait_for_url(re.compile(r"/hub/spawn"))
    profiles = page.locator("#mlplat-profiles")
    expect(profiles.get_by_text("One GPU")).to_be_visible()
    expect(profiles.get_by_text("GPU: 4 of 4 free · can start now")).to_be_visible()
    expect(
        profiles.get_by_text("quay.io/jupyter/pytorch-notebook:cuda12-2026-11-16")
    ).to_be_visible()
    expect(page.locator('input[value="cpu-small"]')).to_be_checked()
    screenshot("greta-spawn-page")

    page.locator('label[data-profile="gpu-1"]').click()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/user/greta/lab"), timeout=120_000)
    panel = panel_of(page)
    expect(panel.get_by_text("greta")).to_be_visible(timeout=30_000)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0)
    screenshot("greta-lab-from-gpu-pod")
    (pod,) = [
        p
        for p in hub.kube.objects("Pod", NAMESPACE)
        if p["metadata"]["annotations"].get("hub.jupyter.org/username") == "greta"
    ]
    assert pod["spec"]["nodeName"] == "gpu-node-1"

    # gus, in the same group, is refused the group's only GPU with the limit named
    gus = browser.new_context(viewport={"width": 1400, "height": 850}).new_page()
    try:
        _sign_in(gus, hub, "gus")
        gus.wait_for_url(re.compile(r"/hub/spawn"))
        expect(gus.get_by_text("GPU: 3 of 4 free · can start now")).to_be_visible()
        gus.locator('label[data-profile="gpu-1"]').click()
        gus.get_by_role("button", name="Start").click()
        expect(
            gus.get_by_text(re.compile("allows 1 GPU\\(s\\) for group gpu-users"))
        ).to_be_visible()
        SCREENSHOTS.mkdir(exist_ok=True)
        gus.screenshot(path=str(SCREENSHOTS / "gus-quota-refused.png"))
    finally:
        gus.context.close()
    hub.login("greta")
    hub.stop("greta")


def test_a_data_scientist_sees_no_gpu_profile(
    page: Page, hub: ClusterHub, screenshot: Callable[[str], Path]
) -> None:
    _sign_in(page, hub, "alice")
    page.wait_for_url(re.compile(r"/hub/spawn"))
    expect(page.locator('input[value="cpu-small"]')).to_be_visible()
    expect(page.locator('input[value="gpu-1"]')).to_have_count(0)
    screenshot("alice-spawn-page-no-gpu")


def test_a_person_outside_the_allowed_groups_is_told_so(
    page: Page, hub: ClusterHub, screenshot: Callable[[str], Path]
) -> None:
    _sign_in(page, hub, "mallory")
    expect(page.get_by_role("heading", name=re.compile("not currently authorized"))).to_be_visible()
    screenshot("mallory-not-allowed")
