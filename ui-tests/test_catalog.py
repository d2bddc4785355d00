"""The Catalog tab in Chromium, on models published the way people publish them (alice trains
and registers in her kernel and submits with a card, rita approves): the catalog finds a model
by a word of its Russian card in another form of the word, in a Russian UI; and a card's
script, javascript: link and event attributes do nothing once drawn."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.publishing import Kernel, publish, register_in_kernel, server_token
from tests.workbench import Hub

pytestmark = pytest.mark.browser

RUSSIAN_CARD = {
    "description": (
        "Прогнозирует отток абонентов городской телефонной сети по истории их платежей "
        "и обращений в службу поддержки. Учёт помесячный."
    ),
    "limitations": "Не подходит для **корпоративных** клиентов.",  # noqa: RUF001
    "language": "ru",
    "license": "MIT",
    "tags": ["телеком"],
}

ENGLISH_CARD = {
    "description": "Forecasts the **demand** for buses on each city route, by the hour.",
    "language": "en",
    "license": "Apache-2.0",
    "tags": ["transport"],
}

#: everything a card's author could try to run in a reader's browser
HOSTILE_CARD = {
    "description": (
        "**Bold words** and a [harmless link](https://example.org/docs).\n\n"
        "<script>window.__mlplatPwned = 'script'</script>\n\n"
        "[click me](javascript:window.__mlplatPwned='link')\n\n"
        '<img src="x" onerror="window.__mlplatPwned=\'onerror\'">\n\n'
        '<a href="#" onclick="window.__mlplatPwned=\'onclick\'">handler</a>\n\n'
        "<iframe src=\"javascript:window.parent.__mlplatPwned='iframe'\"></iframe>\n"
    ),
    "language": "en",
    # no license: the facet says so in words
    "license": "",
}


@dataclass
class Published:
    russian: str
    hostile: str
    #: published twice: version 2 is the champion, version 1 the one before
    curated: str


@pytest.fixture(scope="module")
def published(workbench: Any) -> Published:
    """Two catalog models: one with a Russian card, one with a hostile card."""
    hub = Hub(workbench)
    uid = uuid.uuid4().hex[:6]
    names = Published(russian=f"churn-{uid}", hostile=f"hostile-{uid}", curated=f"curated-{uid}")
    kernel = Kernel(hub, "alice", server_token(hub, "alice"))
    try:
        for name, card in (
            (names.russian, RUSSIAN_CARD),
            (names.hostile, HOSTILE_CARD),
            (names.curated, ENGLISH_CARD),
            (names.curated, ENGLISH_CARD),
        ):
            model = f"alice-{name}"
            version = register_in_kernel(kernel, model, f"alice/{name}")
            publish(
                hub,
                author="alice",
                reviewer="rita",
                model=model,
                version=version,
                card={"catalog_name": name, **card},
            )
    finally:
        kernel.close()
    return names


def _page(page: Page) -> Locator:
    """Where a catalog model's page opens: the main area, beside the notebooks."""
    return page.locator("#jp-main-dock-panel")


def _catalog(panel: Locator, label: str) -> Locator:
    panel.get_by_role("tab", name=label).click()
    return panel.get_by_role("tabpanel")


def test_the_catalog_finds_a_model_by_a_word_of_its_russian_card(
    page: Page,
    published: Published,
    open_panel: Callable[[str], Locator],
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    open_panel("alice")
    panel = set_language(page, "alice", "ru_RU")
    try:
        tab = _catalog(panel, "Каталог")
        search = tab.get_by_role("searchbox", name="Поиск по каталогу")
        # "абонент" is not in the card; "абонентов" is: a search finds a word in its forms
        search.fill("абонент")
        hits = tab.get_by_role("list", name="Модели каталога")
        expect(hits.get_by_role("button", name=published.russian)).to_be_visible(timeout=30_000)
        expect(hits.get_by_role("button", name=published.hostile)).to_have_count(0)
        expect(tab.get_by_role("group", name="Лицензия")).to_be_visible()
        # the hit's summary: the card's words, the searched one marked in its found form
        hit = hits.get_by_role("listitem").filter(has_text=published.russian)
        expect(hit.locator(".jp-mlplat-catalog-description mark")).to_have_text("абонентов")
        expect(hit.locator(".jp-mlplat-catalog-champion")).to_have_text("Чемпион: версия 1")
        screenshot("alice-catalog-search-ru")
        # a form of the word the card does not use finds it as well: the embedded stack
        # (SQLite) looks a word up by its stem, as PostgreSQL does on a cluster (the list is
        # emptied first, so what it shows next is that search's answer)
        search.fill("вертолёт")
        expect(hits.get_by_role("button", name=published.russian)).to_have_count(0)
        search.fill("абоненты")
        expect(hits.get_by_role("button", name=published.russian)).to_be_visible(timeout=30_000)
        expect(hits.get_by_role("button", name=published.hostile)).to_have_count(0)
        # the form it found is marked: the answer says how the words found begin (their stems)
        expect(hit.locator(".jp-mlplat-catalog-description mark")).to_have_text("абонентов")
        screenshot("alice-catalog-search-other-form-ru")
        # and a word the card writes with "ё" (embedded stack: SQLite), typed without its dots
        search.fill("вертолёт")
        expect(hits.get_by_role("button", name=published.russian)).to_have_count(0)
        search.fill("учет")
        hit = hits.get_by_role("listitem").filter(has_text=published.russian)
        mark = hit.locator(".jp-mlplat-catalog-description mark")
        expect(mark).to_have_text("Учёт", timeout=30_000)
        # the card says it at its end: the summary starts a little before it, so it is among
        # the lines a hit shows, not cut off after them
        shown, found = (
            hit.locator(".jp-mlplat-catalog-description").bounding_box(),
            mark.bounding_box(),
        )
        assert shown and found and found["y"] + found["height"] <= shown["y"] + shown["height"] + 1
        expect(hit.locator(".jp-mlplat-catalog-description")).to_contain_text("…")
        screenshot("alice-catalog-search-yo-ru")

        hits.get_by_role("button", name=published.russian).click()
        model = _page(page).get_by_role("article", name=f"Модель каталога {published.russian}")
        expect(model.get_by_text("Описание и назначение")).to_be_visible()
        expect(model.get_by_text("Прогнозирует отток абонентов", exact=False)).to_be_visible()
        expect(
            model.locator(".jp-mlplat-card-text strong", has_text="корпоративных")
        ).to_be_visible()
        expect(model.get_by_role("button", name="Вставить в блокнот")).to_be_visible()
        expect(
            model.get_by_text(f'"models:/catalog.{published.russian}@champion"', exact=False)
        ).to_be_visible()
        screenshot("alice-catalog-model-ru")

        # a word of no card finds nothing, said in Russian
        model.get_by_role("button", name="← Назад в каталог").click()
        search = tab.get_by_role("searchbox", name="Поиск по каталогу")
        search.fill("вертолёт")
        nothing = "В каталоге нет моделей по запросу «вертолёт»."  # noqa: RUF001
        expect(tab.get_by_text(nothing)).to_be_visible(timeout=30_000)
    finally:
        set_language(page, "alice", "en")


def test_a_cards_script_links_and_handlers_do_nothing(
    page: Page,
    published: Published,
    open_panel: Callable[[str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("alice")
    tab = _catalog(panel, "Catalog")
    tab.get_by_role("searchbox", name="Search the catalog").fill(published.hostile)
    expect(tab.get_by_role("button", name=published.hostile)).to_be_visible()
    # the hit's summary is the card's words as text: no Markdown syntax, nothing of the HTML
    expect(tab.locator(".jp-mlplat-catalog-hit")).to_have_count(1)
    summary = tab.locator(".jp-mlplat-catalog-hit .jp-mlplat-catalog-description")
    expect(summary).to_have_text("Bold words and a harmless link. click me handler")
    expect(summary.locator("*")).to_have_count(0)
    # a card without a license is counted as one
    expect(tab.get_by_role("group", name="License")).to_contain_text("No license")
    screenshot("alice-catalog-search-en")
    tab.get_by_role("button", name=published.hostile).click()
    model = _page(page).get_by_role("article", name=f"Catalog model {published.hostile}")
    card = model.locator(".jp-mlplat-card-text").first
    # the Markdown is drawn (bold, a link that stays a link) ...
    expect(card.locator("strong", has_text="Bold words")).to_be_visible(timeout=30_000)
    expect(card.get_by_role("link", name="harmless link")).to_have_attribute(
        "href", "https://example.org/docs"
    )
    # ... and nothing that runs survives the sanitizer
    expect(card.locator("script")).to_have_count(0)
    expect(card.locator("iframe")).to_have_count(0)
    expect(card.locator("[onerror], [onclick]")).to_have_count(0)
    hrefs = card.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and re.match(r"\s*javascript:", h, re.I)], hrefs
    screenshot("alice-catalog-card-sanitized")
    for name in ("click me", "handler"):
        link = card.get_by_text(name, exact=True)
        if link.count():
            link.click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__mlplatPwned") is None
    # the page is still the lab, not somewhere a link took it
    assert "/lab" in page.url


def test_a_reviewer_moves_the_champion_back_and_deprecates_with_a_comment(
    page: Page,
    published: Published,
    open_panel: Callable[[str], Locator],
    catalog_hit: Callable[..., Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("rita")
    # a notebook to insert the snippet into: the launcher's first card is a new notebook
    page.locator(".jp-LauncherCard", has_text="Python 3").first.click()
    # the notebook's cells whether or not it is in front: the model's page opens over it
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    expect(cells).to_have_count(1, timeout=60_000)
    tab = _catalog(panel, "Catalog")
    catalog_hit(tab, "demand buses", published.curated).click()
    model = _page(page).get_by_role("article", name=f"Catalog model {published.curated}")
    versions = model.get_by_role("region", name="Versions")
    expect(versions.locator(".jp-mlplat-catalog-version")).to_have_count(2, timeout=30_000)
    newer, older = versions.locator(".jp-mlplat-catalog-version").all()

    model.get_by_role("button", name="Insert into the notebook").click()
    expect(model.get_by_text("Inserted after the active cell.")).to_be_visible()
    expect(cells).to_have_count(2)
    expect(cells.nth(1)).to_contain_text(
        f'mlflow.pyfunc.load_model("models:/catalog.{published.curated}@champion")'
    )
    expect(newer.locator(".jp-mlplat-catalog-champion")).to_have_text("Champion")

    older.get_by_role("button", name="Make champion again…").click()
    form = older.get_by_role("form", name="Make version 1 the champion again")
    confirm = form.get_by_role("button", name="Move the champion")
    expect(confirm).to_be_disabled()
    form.get_by_role("textbox").fill("Version 2 misroutes night buses.")
    confirm.click()
    expect(form).to_have_count(0, timeout=60_000)
    expect(older.locator(".jp-mlplat-catalog-champion")).to_have_text("Champion")
    expect(newer.locator(".jp-mlplat-catalog-champion")).to_have_count(0)
    history = model.get_by_role("region", name="Alias history")
    newest = history.get_by_role("listitem").first
    expect(newest).to_contain_text("Champion: version 2 → version 1")
    expect(newest).to_contain_text("rita")
    expect(newest).to_contain_text("moved by hand")
    expect(newest).to_contain_text("Version 2 misroutes night buses.")

    newer.get_by_role("button", name="Deprecate…").click()
    form = newer.get_by_role("form", name="Deprecate version 2")
    form.get_by_role("textbox").fill("Superseded: misroutes night buses.")
    form.get_by_role("button", name="Deprecate").click()
    expect(newer.locator(".jp-mlplat-catalog-status")).to_have_text("Deprecated", timeout=60_000)
    expect(newer.get_by_role("button", name="Deprecate…")).to_have_count(0)
    expect(model.get_by_role("alert")).to_have_count(0)
    screenshot("rita-catalog-champion-moved")


def test_an_open_catalog_page_comes_back_after_the_language_switch_reloads_the_lab(
    page: Page,
    published: Published,
    open_panel: Callable[[str], Locator],
    set_language: Callable[..., Locator],
    catalog_hit: Callable[..., Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("alice")
    tab = _catalog(panel, "Catalog")
    catalog_hit(tab, published.curated, published.curated).click()
    english = _page(page).get_by_role("article", name=f"Catalog model {published.curated}")
    expect(english).to_be_visible(timeout=30_000)
    # a reload restores the page; the tab, chosen after it, searches beside it (it said
    # "Searching the catalog…" for ever: its model read only the open page)
    kept = ("mlplat-catalog-page", published.curated)
    reloaded = set_language(page, "alice", "en", keep_layout=kept)
    expect(english).to_be_visible(timeout=60_000)
    tab = _catalog(reloaded, "Catalog")
    expect(tab.get_by_role("searchbox", name="Search the catalog")).to_be_visible(timeout=30_000)
    screenshot("alice-catalog-tab-beside-restored-page")
    try:
        set_language(page, "alice", "ru_RU", keep_layout=kept)
        russian = _page(page).get_by_role("article", name=f"Модель каталога {published.curated}")
        expect(russian).to_be_visible(timeout=60_000)
        expect(page.get_by_role("tab", name=f"Каталог: {published.curated}")).to_be_visible()
        expect(russian.get_by_text("Описание и назначение")).to_be_visible()
        screenshot("alice-catalog-model-restored-ru")
    finally:
        set_language(page, "alice", "en")
