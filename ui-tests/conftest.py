"""Real-browser tests: the embedded workbench started with the README's first command, driven in
Debian's Chromium through Playwright. Screenshots land in ui-tests/screenshots/."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

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


@dataclass
class Workbench:
    url: str
    password: str
    data_dir: Path
    log: Path


def _free_port_block() -> int:
    for base in range(21000, 32000, 211):
        try:
            for port in (base, base + 1, base + 81, base + 101):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports for the workbench")


@pytest.fixture(scope="session")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    data_dir = tmp_path_factory.mktemp("workbench")
    port = _free_port_block()
    log = data_dir / "workbench.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            env={**os.environ, "MLPLAT_DATA_DIR": str(data_dir), "MLPLAT_HUB_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # the first run may install and build
        while True:
            try:
                if requests.get(f"{url}/services/mlplat/api/v1/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the workbench did not start:\n{log.read_text()[-4000:]}")
            time.sleep(1)
        password = (data_dir / "secrets" / "demo-password").read_text().strip()
        assert password in log.read_text(), "the first command must print the demo password"
        yield Workbench(url, password, data_dir, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the whole process group: the hub, its proxy, the platform and user servers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


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
