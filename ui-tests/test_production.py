"""Production in Chromium, on the embedded workbench's real stack: a version alice registered in
her kernel and rita approved is in the catalog; alice deploys it to production from the Catalog
page's Deploy…, sees it ready in the Deployments tab and calls it with Try it (the real model
server, through the invocations gateway). In Russian, production refuses what it may not serve,
in the person's words: her unpublished version, which only staging takes, and a version
deprecated while her catalog page still showed it published (the platform's own refusal)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.publishing import (
    PLATFORM_SCOPES,
    Kernel,
    Platform,
    publish,
    register_in_kernel,
    server_token,
)
from tests.workbench import Hub

pytestmark = pytest.mark.browser

#: a model server starts in a few seconds; a loaded machine takes longer
READY_TIMEOUT = 120_000

CARD = {
    "description": "## Intended use\n\nSorts **iris** flowers by their petals, for the parks team.",
    "language": "en",
    "license": "MIT",
    "tags": ["parks"],
}


@dataclass
class Released:
    model: str
    #: the catalog name: catalog.<catalog> in MLflow
    catalog: str
    deployment: str
    #: alice's versions: published (the champion), published (deprecated in a test), unpublished
    published: str
    to_deprecate: str
    unpublished: str
    #: rita's publication of the version the Russian test deprecates
    deprecate_publication: int


@pytest.fixture(scope="module")
def released(workbench: Any) -> Iterator[Released]:
    """Three versions of one of alice's models, trained and registered in her own kernel; rita
    approves the first two, which publishes them as catalog versions 1 and 2."""
    uid = uuid.uuid4().hex[:6]
    model = f"alice-parks-{uid}"
    catalog = f"parks-{uid}"

    def release() -> Released:
        hub = Hub(workbench)
        kernel = Kernel(hub, "alice", server_token(hub, "alice"))
        try:
            versions = [register_in_kernel(kernel, model, f"alice/prod-{uid}") for _ in range(3)]
        finally:
            kernel.close()
        publications = [
            publish(
                hub,
                author="alice",
                reviewer="rita",
                model=model,
                version=version,
                card={"catalog_name": catalog, **CARD},
            )
            for version in versions[:2]
        ]
        return Released(
            model=model,
            catalog=catalog,
            deployment=f"parks-prod-{uid}",
            published=versions[0],
            to_deprecate=versions[1],
            unpublished=versions[2],
            deprecate_publication=publications[1]["id"],
        )

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        names = pool.submit(release).result()
    yield names
    # whatever a failed test left running is stopped
    for deployment in (names.deployment, f"{names.deployment}-v2"):
        _delete(workbench, deployment)


def _delete(workbench: Any, deployment: str) -> None:
    """alice deletes her deployment, if it is there."""
    hub = Hub(workbench)
    token = hub.token(hub.login("alice"), "alice", PLATFORM_SCOPES)
    headers = {"Authorization": f"token {token}"}
    url = f"{hub.url}/services/mlplat/api/v1/deployments/{deployment}"
    found = requests.get(url, headers=headers, timeout=30)
    if found.status_code == 200:
        requests.delete(
            url, params={"revision": found.json()["revision"]}, headers=headers, timeout=30
        )


def _widen(page: Page) -> None:
    """The sidebar as wide as a person drags it to read a deployment."""
    page.evaluate(
        "() => { const p = document.querySelector('#jp-left-stack');"
        " if (p) { p.parentElement.style.minWidth = '460px'; } }"
    )


def _catalog_model(
    panel: Locator,
    page: Page,
    catalog: str,
    tab: str,
    search: str,
    catalog_hit: Callable[..., Locator],
) -> Locator:
    """The catalog page of ``catalog``, found by its name in the Catalog tab."""
    panel.get_by_role("tab", name=tab).click()
    found = panel.get_by_role("tabpanel")
    expect(found.get_by_role("searchbox", name=search)).to_be_visible()
    catalog_hit(found, catalog, catalog, exact=True).click()
    article = page.locator("#jp-main-dock-panel").get_by_role(
        "article", name=re.compile(re.escape(catalog))
    )
    expect(article.locator(".jp-mlplat-catalog-version")).to_have_count(2, timeout=30_000)
    return article


def _version(article: Locator, label: str) -> Locator:
    return article.locator(".jp-mlplat-catalog-version").filter(
        has=article.page.get_by_text(label, exact=True)
    )


def test_alice_deploys_a_published_version_to_production_and_tries_it(
    page: Page,
    released: Released,
    open_panel: Callable[[str], Locator],
    catalog_hit: Callable[..., Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("alice")
    _widen(page)

    # Given the catalog page of the model rita approved, When alice deploys its version 1
    article = _catalog_model(
        panel, page, released.catalog, "Catalog", "Search the catalog", catalog_hit
    )
    first = _version(article, "Version 1")
    first.get_by_role("button", name="Deploy…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Deploy version 1 of “catalog.{released.catalog}”")
    # a catalog version goes to production only: staging takes a person's own versions
    stage = dialog.get_by_label("Stage")
    expect(stage).to_have_value("production")
    expect(stage.locator("option[value='staging']")).to_be_disabled()
    dialog.get_by_label("Name").fill(released.deployment)
    screenshot("production-dialog-en")
    dialog.get_by_role("button", name="Deploy", exact=True).click()

    # Then the Deployments tab shows it in production, and it becomes ready
    tab = panel.get_by_role("tabpanel")
    heading = tab.get_by_role("heading", name=re.compile(re.escape(released.deployment)))
    expect(heading).to_be_visible(timeout=30_000)
    expect(panel.get_by_role("tab", name="Deployments")).to_have_attribute("aria-selected", "true")
    title = tab.locator(".jp-mlplat-page-title")
    expect(title.locator("[data-phase]")).to_have_attribute(
        "data-phase", "ready", timeout=READY_TIMEOUT
    )
    expect(tab).to_contain_text("production")
    expect(tab).to_contain_text(f"catalog.{released.catalog}")
    screenshot("production-ready-en")

    # When she tries it with the example's rows, Then the model answers through the gateway
    tryit = tab.get_by_role("region", name="Try it")
    tryit.get_by_role("button", name="Send").click()
    said = tryit.locator(".jp-mlplat-try-answer, [role='alert']")
    expect(said.first).to_be_visible(timeout=30_000)
    assert tryit.get_by_role("alert").count() == 0, tryit.get_by_role("alert").inner_text()
    expect(tryit.get_by_text(re.compile(r"Answer in [\d.]+ ms \(HTTP 200\)"))).to_be_visible()
    expect(tryit.locator(".jp-mlplat-try-answer pre")).to_contain_text("predictions")
    expect(tryit.locator(".jp-mlplat-try-curl pre")).to_contain_text(
        f"/deployments/{released.deployment}/invocations"
    )
    tryit.scroll_into_view_if_needed()
    screenshot("production-try-it-en")

    # And the catalog's page of the model lists the deployment, and opens its page
    panel.get_by_role("tab", name="Catalog").click()
    article.get_by_role("button", name="Refresh").click()
    served = article.locator(".jp-mlplat-catalog-deployments li")
    expect(served).to_have_text(
        [f"{released.deployment} serves version 1 (production, primary, ready)"], timeout=30_000
    )
    served.scroll_into_view_if_needed()
    screenshot("production-catalog-deployments-en")
    served.get_by_role("button", name=released.deployment).click()
    expect(panel.get_by_role("tab", name="Deployments")).to_have_attribute("aria-selected", "true")
    expect(heading).to_be_visible()

    # And the lineage of alice's own version names it, through the version's catalog copy
    panel.get_by_role("tab", name="Models").click()
    models = panel.get_by_role("tabpanel")
    models.get_by_role("button", name="Refresh").click()
    table = models.get_by_role("table", name=re.compile(re.escape(released.model)))
    table.get_by_role("button", name=f"v{released.published}").click()
    chain = (
        page.locator(".jp-mlplat-version-view")
        .filter(has_text=released.model)
        .get_by_role("region", name="Lineage")
    )
    expect(chain.locator(".jp-mlplat-lineage-deployments li")).to_have_text(
        [
            f"{released.deployment} catalog.{released.catalog} version 1 "
            "(production, primary, ready)"
        ],
        timeout=30_000,
    )
    chain.scroll_into_view_if_needed()
    screenshot("production-lineage-en")

    # And the card of her next version starts from the one rita approved
    table.get_by_role("button", name=f"v{released.unpublished}").click()
    view = page.locator(".jp-mlplat-version-view").filter(
        has_text=f"{released.model}, version {released.unpublished}"
    )
    view.get_by_role("button", name="Write a model card").click()
    form = view.get_by_role("form", name="Model card")
    expect(form.get_by_label("Name in the catalog")).to_have_value(released.catalog, timeout=30_000)
    expect(form.get_by_label("Overview and intended use")).to_have_value(CARD["description"])
    expect(form.get_by_label("License")).to_have_value(CARD["license"])
    screenshot("production-next-card-en")


def test_production_refuses_what_it_may_not_serve_in_russian(
    page: Page,
    released: Released,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    set_language: Callable[[Page, str, str], Locator],
    catalog_hit: Callable[..., Locator],
    screenshot: Callable[[str], Path],
) -> None:
    open_panel("alice")
    panel = set_language(page, "alice", "ru_RU")
    try:
        _widen(page)
        # Given her unpublished version's page, When she deploys it: only staging takes it
        panel.get_by_role("tab", name="Модели").click()
        models = panel.get_by_role("tabpanel")
        table = models.get_by_role("table", name=re.compile(re.escape(released.model)))
        table.get_by_role("button", name=f"v{released.unpublished}").click()
        view = page.locator(".jp-mlplat-version-view").filter(has_text=released.model)
        expect(view).to_be_visible(timeout=30_000)
        view.get_by_role("button", name="Развернуть…").click()
        dialog = page.get_by_role("dialog")
        stage = dialog.get_by_label("Среда")
        expect(stage).to_have_value("staging")
        expect(stage.locator("option[value='production']")).to_be_disabled()
        expect(
            dialog.get_by_text(
                "В production попадают только опубликованные версии, а эта не опубликована."  # noqa: RUF001
            )
        ).to_be_visible()
        screenshot("production-unpublished-ru")
        dialog.get_by_role("button", name="Отмена").click()
        expect(dialog).to_have_count(0)

        # Given the catalog page showing version 2 published, When rita deprecates it meanwhile
        article = _catalog_model(
            panel, page, released.catalog, "Каталог", "Поиск по каталогу", catalog_hit
        )
        second = _version(article, "Версия 2")
        expect(second.get_by_role("button", name="Развернуть…")).to_be_visible()
        # (and a deployment of hers serves version 2 already, made from a notebook)
        serving = f"{released.deployment}-v2"
        Platform(Hub(workbench), "alice").call(
            "POST",
            "deployments",
            {
                "name": serving,
                "stage": "production",
                "model_name": f"catalog.{released.catalog}",
                "version": "2",
            },
            201,
        )
        _deprecate(workbench, released.deprecate_publication)

        # Then she is told that her deployment serves a deprecated version; Open shows it
        told = page.locator(".Toastify__toast").filter(
            has_text=f"её обслуживает ваше развёртывание {serving}."
        )
        expect(told).to_be_visible(timeout=60_000)
        screenshot("production-serving-deprecated-ru")
        told.get_by_role("button", name="Открыть").click()
        expect(panel.get_by_role("tab", name="Развёртывания")).to_have_attribute(
            "aria-selected", "true"
        )
        expect(
            panel.get_by_role("tabpanel").get_by_role("heading", name=re.compile(serving))
        ).to_be_visible(timeout=30_000)
        _delete(workbench, serving)

        # And alice deploys it to production from the page she still has open
        second.get_by_role("button", name="Развернуть…").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Имя").fill(f"{released.deployment}-old")
        dialog.get_by_role("button", name="Развернуть", exact=True).click()

        # Then the platform refuses it, said in Russian beside the stage, and nothing is made
        refusal = (
            f"Версия 2 модели «{released.catalog}» устарела: "
            "production обслуживает только опубликованные версии."
        )
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text(refusal)).to_be_visible(timeout=30_000)
        expect(dialog.locator(".jp-mlplat-field.jp-mod-invalid")).to_contain_text("Среда")
        screenshot("production-deprecated-refused-ru")
        dialog.get_by_role("button", name="Отмена").click()
        mine = Platform(Hub(workbench), "alice").call("GET", "deployments")
        assert f"{released.deployment}-old" not in {d["name"] for d in mine["deployments"]}
    finally:
        set_language(page, "alice", "en")


def _deprecate(workbench: Any, publication: int) -> None:
    """rita deprecates a published version, as her Catalog page's Deprecate… does."""
    rita = Platform(Hub(workbench), "rita", reviewer=True)
    current = rita.call("GET", f"publications/{publication}")["publication"]
    rita.call(
        "POST",
        f"publications/{publication}/deprecate",
        {"revision": current["revision"], "comment": "Superseded by version 1's retraining."},
    )
