"""The Deployments tab in Chromium, on the embedded workbench's real stack (the platform's
reconciler starting the real model server as a local process, the invocations gateway): alice
deploys her version to staging from its page, sees it ready, tries it, sends 20 % to a canary
of her next version, and rolls back to the revision before; the same tab in Russian. Each step
is photographed into ui-tests/screenshots/."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.publishing import PLATFORM_SCOPES, Kernel, register_in_kernel, server_token
from tests.workbench import Hub

pytestmark = pytest.mark.browser

#: a model server starts in a few seconds; a loaded machine takes longer
READY_TIMEOUT = 120_000
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
GOOD_ROW = {"dataframe_split": {"columns": COLUMNS, "data": [[5.1, 3.5, 1.4, 0.2]]}}
#: a column missing: the model server refuses it (400), which the charts count as an error
BAD_ROW = {"dataframe_split": {"columns": COLUMNS[:3], "data": [[5.1, 3.5, 1.4]]}}


def _send_traffic(workbench: Any, name: str) -> Counter[tuple[str, int]]:
    """Requests through the hub's gateway URL with alice's token, as an external caller sends
    them: good rows until the canary has answered some, and three rows the model refuses."""
    hub = Hub(workbench)
    token = hub.token(hub.login("alice"), "alice", ["access:services!service=deployments"])
    url = f"{hub.url}/services/deployments/api/v1/deployments/{name}/invocations"
    seen: Counter[tuple[str, int]] = Counter()

    def send(body: dict[str, Any]) -> None:
        answer = requests.post(
            url, json=body, headers={"Authorization": f"token {token}"}, timeout=60
        )
        seen[(answer.headers.get("X-Model-Version", ""), answer.status_code)] += 1

    deadline = time.monotonic() + 120  # the canary's workload may still be starting
    while sum(n for (v, _), n in seen.items() if v != "1") < 5 or sum(seen.values()) < 30:
        assert time.monotonic() < deadline, seen
        send(GOOD_ROW)
    for _ in range(3):
        send(BAD_ROW)
    return seen


def _until_charted(traffic: Locator, lines: int) -> None:
    """Read the traffic again until the requests chart has ``lines`` versions: the gateway
    reports a minute once it has ended (and within seconds after), so the first chart may take
    a minute to come, and a canary whose first answers fell in the next minute a minute more."""
    deadline = time.monotonic() + 180
    chart = traffic.get_by_role("img", name=re.compile("Requests per minute"))
    while not (
        chart.count() == 1 and f": {lines} lines," in (chart.get_attribute("aria-label") or "")
    ):
        assert time.monotonic() < deadline, traffic.inner_text()
        time.sleep(5)
        traffic.get_by_role("button", name="Refresh").click()
    expect(traffic.locator("figure[aria-busy='false']")).to_have_count(3, timeout=30_000)


@pytest.fixture(scope="module")
def versions(workbench: Any) -> Iterator[dict[str, str]]:
    """Two versions of one of alice's models, trained and registered in her own kernel."""
    uid = uuid.uuid4().hex[:6]
    model = f"alice-iris-{uid}"

    def train() -> list[str]:
        hub = Hub(workbench)
        kernel = Kernel(hub, "alice", server_token(hub, "alice"))
        try:
            return [register_in_kernel(kernel, model, f"alice/deploy-{uid}") for _ in range(2)]
        finally:
            kernel.close()

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        first, second = pool.submit(train).result()
    names = {"model": model, "first": first, "second": second, "deployment": f"iris-{uid}"}
    yield names
    # whatever a failed test left running is stopped
    hub = Hub(workbench)
    token = hub.token(hub.login("alice"), "alice", PLATFORM_SCOPES)
    headers = {"Authorization": f"token {token}"}
    url = f"{hub.url}/services/mlplat/api/v1/deployments/{names['deployment']}"
    found = requests.get(url, headers=headers, timeout=30)
    if found.status_code == 200:
        requests.delete(
            url, params={"revision": found.json()["revision"]}, headers=headers, timeout=30
        )


def _version_page(panel: Locator, page: Page, model: str, version: str) -> Locator:
    panel.get_by_role("tab", name=re.compile("^(Models|Модели)")).click()
    models = panel.get_by_role("tabpanel")
    models.get_by_role("button", name=re.compile("^(Refresh|Обновить)")).click()
    table = models.get_by_role("table", name=re.compile(re.escape(model)))
    table.get_by_role("button", name=f"v{version}").click()
    view = page.locator(".jp-mlplat-version-view").filter(has_text=model)
    expect(view).to_be_visible(timeout=30_000)
    return view


def test_alice_deploys_tries_shifts_a_canary_and_rolls_back(
    page: Page,
    workbench: Any,
    versions: dict[str, str],
    open_panel: Callable[[str], Locator],
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("alice")
    # the sidebar as wide as a person drags it to read a deployment
    page.evaluate(
        "() => { const p = document.querySelector('#jp-left-stack');"
        " if (p) { p.parentElement.style.minWidth = '460px'; } }"
    )
    name = versions["deployment"]

    # Given alice's version page, When she deploys it to staging
    view = _version_page(panel, page, versions["model"], versions["first"])
    view.get_by_role("button", name="Deploy…").click()
    dialog = page.get_by_role("dialog")
    field = dialog.get_by_label("Name")
    field.fill("Iris!")
    expect(dialog.get_by_text(re.compile("Only lowercase letters"))).to_be_visible()
    field.fill(name)
    expect(dialog.get_by_label("Stage")).to_have_value("staging")
    screenshot("deployments-dialog-en")
    dialog.get_by_role("button", name="Deploy", exact=True).click()

    # Then the Deployments tab shows it, and it becomes ready
    tab = panel.get_by_role("tabpanel")
    expect(tab.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible(
        timeout=30_000
    )
    title = tab.locator(".jp-mlplat-page-title")
    expect(title.locator("[data-phase]")).to_have_attribute(
        "data-phase", "ready", timeout=READY_TIMEOUT
    )
    screenshot("deployments-ready-en")

    # When she tries it with the example's row, Then the model answers with its latency
    tryit = tab.get_by_role("region", name="Try it")
    tryit.get_by_role("button", name="Send").click()
    said = tryit.locator(".jp-mlplat-try-answer, [role='alert']")
    expect(said.first).to_be_visible(timeout=30_000)
    tryit.scroll_into_view_if_needed()
    screenshot("deployments-try-it-en")
    assert tryit.get_by_role("alert").count() == 0, tryit.get_by_role("alert").inner_text()
    expect(tryit.get_by_text(re.compile(r"Answer in [\d.]+ ms \(HTTP 200\)"))).to_be_visible()
    expect(tryit.locator(".jp-mlplat-try-answer pre")).to_contain_text("predictions")
    expect(tryit.locator(".jp-mlplat-try-curl pre")).to_contain_text("Bearer mlp_…")

    # When she sends 20 % to version 2 as a canary
    canary = tab.get_by_role("group", name="Canary")
    canary.get_by_label("Version").select_option(versions["second"])
    canary.get_by_label("Share of traffic").fill("20")
    expect(canary.locator("output")).to_have_text("20 %")
    canary.get_by_role("button", name="Apply canary").click()
    expect(tab.get_by_text("Traffic changed: revision 2.")).to_be_visible(timeout=30_000)
    expect(tab.locator(".jp-mlplat-traffic-canary")).to_have_text("canary: 20 %")
    expect(tab.locator(".jp-mlplat-traffic-primary")).to_have_text("primary: 80 %")
    canary.scroll_into_view_if_needed()
    screenshot("deployments-canary-en")

    # When callers send requests, three of them rows the model refuses, Then the traffic
    # charts show requests, errors and latency for each version, the canary beside version 1
    seen = _send_traffic(workbench, name)
    traffic = tab.get_by_role("region", name="Traffic charts")
    _until_charted(traffic, lines=2)
    requests_chart = traffic.get_by_role("img", name=re.compile("Requests per minute"))
    expect(requests_chart).to_have_attribute("aria-label", re.compile(": 2 lines,"))
    errors_chart = traffic.get_by_role("img", name=re.compile(re.escape("Error rate (%)")))
    expect(errors_chart).to_be_visible()
    assert seen[("1", 400)] + seen[("2", 400)] == 3, seen
    traffic.scroll_into_view_if_needed()
    screenshot("deployments-traffic-en")

    # When she rolls back, Then she is asked, naming the revision it returns to
    tab.get_by_role("button", name="Roll back").click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_contain_text(f"Roll back “{name}” to revision 1?")
    expect(confirm).to_contain_text("made by alice: version 1 (primary, 100 %)")
    screenshot("deployments-rollback-en")
    confirm.get_by_role("button", name="Roll back").click()
    expect(tab.get_by_text("Rolled back: revision 3.")).to_be_visible(timeout=30_000)
    expect(tab.locator(".jp-mlplat-traffic-canary")).to_have_count(0)
    expect(tab.locator(".jp-mlplat-traffic-primary")).to_have_text("primary: 100 %")

    # The same tab in Russian
    panel = set_language(page, "alice", "ru_RU")
    try:
        panel.get_by_role("tab", name="Развёртывания").click()
        tab = panel.get_by_role("tabpanel")
        tab.get_by_role("button", name=re.compile(re.escape(name))).click()
        expect(tab.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible(
            timeout=30_000
        )
        expect(tab.get_by_role("group", name="Канареечная версия")).to_be_visible()
        expect(tab.get_by_text("Обслуживаемые версии")).to_be_visible()
        screenshot("deployments-ready-ru")
        # as wide as before the reload (the layout follows on the next resize)
        page.evaluate(
            "() => { const p = document.querySelector('#jp-left-stack');"
            " if (p) { p.parentElement.style.minWidth = '460px'; }"
            " window.dispatchEvent(new Event('resize')); }"
        )
        traffic = tab.get_by_role("region", name="Графики трафика")
        expect(traffic.get_by_text("Запросов в минуту")).to_be_visible(timeout=30_000)
        expect(traffic.locator("figure[aria-busy='false']")).to_have_count(3, timeout=30_000)
        traffic.scroll_into_view_if_needed()
        screenshot("deployments-traffic-ru")
        tab.get_by_role("button", name="Отправить").click()
        expect(tab.get_by_text(re.compile(r"Ответ за [\d.]+ мс \(HTTP 200\)"))).to_be_visible(
            timeout=30_000
        )
        tab.get_by_role("region", name="Попробовать").scroll_into_view_if_needed()
        screenshot("deployments-try-it-ru")
        # a value typed and not sent yet
        tab.get_by_role("region", name="Попробовать").locator("input").first.fill("7.25")

        # The deployment read beside the notebooks: the same one open, its charts wide, and
        # Try it as she left it
        tab.get_by_role("button", name="Открыть в основной области").click()
        wide = page.locator("#jp-main-dock-panel #jp-mlplat-tab-page-deployments")
        expect(wide.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible(
            timeout=30_000
        )
        expect(wide.locator("figure[aria-busy='false']")).to_have_count(3, timeout=30_000)
        moved = wide.get_by_role("region", name="Попробовать")
        expect(moved.locator("input").first).to_have_value("7.25", timeout=30_000)
        expect(moved.get_by_text(re.compile(r"Ответ за [\d.]+ мс \(HTTP 200\)"))).to_be_visible()
        expect(tab.get_by_text("Раздел «Развёртывания» открыт в основной области.")).to_be_visible()
        screenshot("deployments-main-area-ru")
        tab.get_by_role("button", name="Вернуть в боковую панель").click()
        expect(wide).to_have_count(0)
        tab = panel.get_by_role("tabpanel")

        # And she deletes it, after a confirmation
        tab.get_by_role("button", name="Удалить").click()
        page.get_by_role("dialog").get_by_role("button", name="Удалить").click()
        # back on the list, which no longer holds it
        expect(tab.get_by_role("heading", name="Мои развёртывания")).to_be_visible(timeout=30_000)
        expect(tab.get_by_role("button", name=re.compile(re.escape(name)))).to_have_count(0)
        screenshot("deployments-list-ru")
    finally:
        set_language(page, "alice", "en")


def test_an_admin_adds_a_deployment_size_and_a_bad_quantity_is_said_beside_it(
    page: Page,
    open_panel: Callable[[str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("adam")
    panel.get_by_role("tab", name="Admin").click()
    panel.get_by_label("Section", exact=True).select_option(label="Deployment sizes")
    sizes = panel.get_by_role("region", name="Deployment sizes")
    # the sizes the platform is seeded with
    listed = sizes.get_by_role("list", name="Size list")
    expect(listed).to_be_visible(timeout=30_000)
    expect(listed.get_by_role("listitem")).to_have_count(3)
    name = f"gpu-{uuid.uuid4().hex[:4]}"

    # When adam adds a size with a CPU that is no quantity
    sizes.get_by_role("button", name="New size").click()
    form = sizes.get_by_role("form", name="New deployment size")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Title").fill("For the big ones")
    form.get_by_label("CPU per replica").fill("lots")
    form.get_by_role("button", name="Add").click()
    # Then the form stays, the message beside the CPU
    cpu = form.get_by_label("CPU per replica")
    expect(cpu).to_have_attribute("aria-invalid", "true", timeout=30_000)
    screenshot("deployments-admin-size-refused-en")

    # When he corrects it, Then the size is listed
    cpu.fill("4")
    form.get_by_label("Memory per replica").fill("8Gi")
    form.get_by_role("button", name="Add").click()
    added = listed.get_by_role("listitem").filter(has_text=name)
    expect(added).to_contain_text("4 CPU, 8Gi memory per replica; replicas: 1")
    screenshot("deployments-admin-sizes-en")

    # And deleted again, after a confirmation
    added.get_by_role("button", name="For the big ones").click()
    sizes.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(listed.get_by_role("listitem").filter(has_text=name)).to_have_count(0, timeout=30_000)
