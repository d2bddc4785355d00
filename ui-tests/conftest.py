"""Real-browser tests: the embedded workbench started with the README's first command, driven in
Debian's Chromium through Playwright. Screenshots land in ui-tests/screenshots/."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.standins.gitlab.server import FakeGitLab
from tests.workbench import (
    Workbench,
    fetch_in_page,
    free_port_block,
    running_workbench,
    workbench_dir,
)

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# a session that hangs says where (tests/watchdog.py)
pytest_plugins = ["tests.watchdog"]
CHROMIUM = os.environ.get("MLPLAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def gitlab() -> Iterator[FakeGitLab]:
    """The organisation's GitLab: a stand-in speaking the v4 API and git over smart HTTP. It starts
    before the workbench, whose platform is given its URL; tests add their users and tokens."""
    with FakeGitLab() as fake:
        yield fake
    assert fake.failures == [], "the GitLab stand-in itself failed"


@pytest.fixture(scope="session")
def workbench(tmp_path_factory: pytest.TempPathFactory, gitlab: FakeGitLab) -> Iterator[Workbench]:
    """The README's first command, as a new user runs it (it may install and build first)."""
    port = free_port_block(21000)
    command = [str(ROOT / "scripts" / "run")]
    with workbench_dir("workbench") as data_dir:
        env = {
            "MLPLAT_DATA_DIR": str(data_dir),
            "MLPLAT_HUB_PORT": str(port),
            "MLPLAT_GITLAB_URL": gitlab.url,
        }
        with running_workbench(command, data_dir, port, env=env, timeout=600) as workbench:
            assert workbench.password in workbench.log.read_text(), "the banner shows the password"
            yield workbench


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save what the browser shows, for people to look at (CI keeps ui-tests/screenshots/)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def open_panel(page: Page, workbench: Workbench) -> Callable[[str], Locator]:
    """Log in through the hub's form, spawn the default profile, open the ML Platform panel."""

    def open_(user: str) -> Locator:
        page.goto(f"{workbench.url}/hub/login")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill(workbench.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/hub/(spawn|home)|/user/"))
        if "/hub/spawn" in page.url:
            expect(page.get_by_text("Small CPU")).to_be_visible()
            expect(page.get_by_role("radio").first).to_be_checked()
            page.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=120_000)
        # JupyterLab restores the layout a previous test left; start each test from a fresh one
        page.goto(f"{workbench.url}/user/{user}/lab?reset")
        return show_panel(page)

    return open_


def show_panel(page: Page) -> Locator:
    """Open the panel unless the restored layout already shows it: its sidebar tab toggles it, so
    a click on the tab of an open panel closes it. Whether JupyterLab restores the panel open
    depends on whether it saved the layout before the page was left, so decide only once the
    layout is restored: the splash screen, once shown, stays until then."""
    tab = page.get_by_role("tab", name=re.compile("ML Platform|ML-платформа"))
    panel = page.locator("#jp-mlplat-sidebar")
    expect(tab).to_be_visible(timeout=60_000)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=60_000)
    if not panel.is_visible():
        tab.click()
    expect(panel).to_be_visible()
    return panel


@pytest.fixture
def panel_of() -> Callable[[Page], Locator]:
    return show_panel


def search_hit(
    search: Locator, where: Locator, text: str, name: str, *, exact: bool = False
) -> Locator:
    """Type ``text`` into a list's search box and give the button ``name`` in ``where`` once
    that search's answer is on screen. Until it comes (a pause in typing, then the request),
    the list shows the answer to what was typed before, and it is redrawn when the new one
    comes: a click at that moment can land on another item moved into the place, or on
    nothing. A search for a word nothing has first takes the button away, so once it is there
    again it is in the answer to ``text``."""
    hit = where.get_by_role("button", name=name, exact=exact)
    search.fill("qqzzxnothing")
    expect(hit).to_have_count(0, timeout=30_000)
    search.fill(text)
    expect(hit).to_be_visible(timeout=30_000)
    return hit


@pytest.fixture
def catalog_hit() -> Callable[..., Locator]:
    """``search_hit`` in the Catalog tab (its one search box)."""

    def find(tab: Locator, text: str, name: str, *, exact: bool = False) -> Locator:
        return search_hit(tab.get_by_role("searchbox"), tab, text, name, exact=exact)

    return find


@pytest.fixture
def list_hit() -> Callable[..., Locator]:
    return search_hit


@pytest.fixture
def set_language(workbench: Workbench) -> Callable[..., Locator]:
    """Switch a person's JupyterLab to a language (``ru_RU``, ``en``) as Settings → Language
    does, through the setting it writes, and reload the page with the panel open: from a fresh
    layout, or, with ``keep_layout`` naming a page that is open (its tracker's namespace and a
    word of what it shows), as JupyterLab's own switch reloads, keeping what was open. A test
    that switches puts ``en`` back when done: the setting outlives the page."""

    def set_(
        page: Page, user: str, locale: str, *, keep_layout: tuple[str, str] | None = None
    ) -> Locator:
        said, _ = fetch_in_page(
            page,
            f"{workbench.url}/user/{user}/lab/api/settings/"
            "@jupyterlab/translation-extension:plugin",
            "PUT",
            {"raw": json.dumps({"locale": locale})},
        )
        assert said == 204, f"the language setting was refused ({said})"
        if keep_layout:
            # JupyterLab keeps what is open in the workspace a moment after it changes; a
            # reload before that loses any tab, a notebook's too
            namespace, showing = keep_layout
            workspace = f"{workbench.url}/user/{user}/lab/api/workspaces/default"
            deadline = time.monotonic() + 30
            while not any(
                key.startswith(f"{namespace}:") and showing in key
                for key in _kept_pages(page, workspace)
            ):
                assert time.monotonic() < deadline, _kept_pages(page, workspace)
                page.wait_for_timeout(250)
            page.goto(f"{workbench.url}/user/{user}/lab")
        else:
            page.goto(f"{workbench.url}/user/{user}/lab?reset")
        return show_panel(page)

    return set_


def _kept_pages(page: Page, url: str) -> list[str]:
    """The names of what the workspace holds to restore (``namespace:{arguments}``), as the
    lab itself reads them."""
    _, workspace = fetch_in_page(page, url)
    return list((workspace or {}).get("data") or {})
