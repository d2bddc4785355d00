"""Real-browser tests: the embedded workbench started with the README's first command, driven in
Debian's Chromium through Playwright. Screenshots land in ui-tests/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.workbench import Workbench, free_port_block, running_workbench

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
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
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """The README's first command, as a new user runs it (it may install and build first)."""
    data_dir = tmp_path_factory.mktemp("workbench")
    port = free_port_block(21000)
    env = {"MLPLAT_DATA_DIR": str(data_dir), "MLPLAT_HUB_PORT": str(port)}
    command = [str(ROOT / "scripts" / "run")]
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
