"""A notebook renamed before its first run, while its kernel is still starting: the run names it
by its new name and opens it; once the file is gone the run page says so, in English and in
Russian, instead of failing silently."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.workbench import fetch_in_page, give_to_home_owner

pytestmark = pytest.mark.browser

EXPERIMENT = "alice/renamed-before-run"
TRAINING = f"""\
import mlflow

mlflow.set_experiment({EXPERIMENT!r})
with mlflow.start_run(run_name="after-rename"):
    mlflow.log_metric("rmse", 0.5)
print("logged after rename")
"""

WORDS = {
    "en": {
        "experiments": "Experiments",
        "search": "Search experiments",
        "runs": "Runs",
        "overview": "Overview",
        "gone": "This notebook is no longer there: it was renamed, moved or deleted since the run.",
    },
    "ru": {
        "experiments": "Эксперименты",
        "search": "Поиск экспериментов",
        "runs": "Запуски",
        "overview": "Обзор",
        "gone": "Этого блокнота здесь больше нет: после запуска его переименовали, переместили "  # noqa: RUF001
        "или удалили.",
    },
}


def _notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "train",
        "metadata": {},
        "outputs": [],
        "source": TRAINING,
    }
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path.write_text(
        json.dumps(
            {
                "cells": [cell],
                "metadata": {"kernelspec": kernel},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def _sessions_api(url: str) -> bool:
    """alice's sessions, not her kernels or anything else of her server."""
    return urlsplit(url).path.endswith("/user/alice/api/sessions")


def _session_paths(page: Page, url: str) -> list[str]:
    """The notebooks of alice's sessions, as her server knows them."""
    _, sessions = fetch_in_page(page, f"{url}/user/alice/api/sessions")
    return [s["path"] for s in sessions] if isinstance(sessions, list) else []


def _run_page(
    page: Page, panel: Locator, words: dict[str, str], list_hit: Callable[..., Locator]
) -> Locator:
    """The run's page, opened from the runs table of its experiment."""
    panel.get_by_role("tab", name=words["experiments"]).click()
    search = panel.get_by_role("searchbox", name=words["search"])
    list_hit(search, panel, EXPERIMENT, EXPERIMENT).click()
    runs = panel.get_by_role("table", name=words["runs"])
    runs.get_by_role("button", name="after-rename").click()
    overview = page.get_by_role("region", name=words["overview"])
    expect(overview).to_be_visible(timeout=30_000)
    return overview


def test_a_notebook_renamed_before_its_first_run_is_named_and_opened_then_said_to_be_gone(
    page: Page,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    panel_of: Callable[[Page], Locator],
    set_language: Callable[[Page, str, str], Locator],
    list_hit: Callable[..., Locator],
    screenshot: Callable[[str], Path],
) -> None:
    home = workbench.data_dir / "home" / "alice"
    _notebook(home / "Untitled.ipynb")
    give_to_home_owner(home / "Untitled.ipynb", home)
    open_panel("alice")
    # the kernel starts slowly, as on a busy cluster: the request that starts its session is held
    # until the notebook has its new name, when JupyterLab had no session to tell of it
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(_sessions_api, hold)
    page.goto(f"{workbench.url}/user/alice/lab/tree/Untitled.ipynb?reset")
    expect(page.locator(".jp-Cell").first).to_contain_text("after-rename", timeout=60_000)
    for _ in range(120):
        if held:
            break
        page.wait_for_timeout(250)
    assert held, "the notebook did not ask for a kernel"

    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Rename Notebook…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("churn-model.ipynb")
    dialog.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("tab", name="churn-model.ipynb")).to_be_visible(timeout=30_000)
    assert "churn-model.ipynb" not in _session_paths(page, workbench.url)
    for route in held:
        route.continue_()
    page.unroute(_sessions_api, hold)

    # once started, the session is on the notebook's new path, where the run will ask for it
    # (other tests of this workbench may have left alice's other notebooks running)
    def renamed() -> bool:
        paths = _session_paths(page, workbench.url)
        return "churn-model.ipynb" in paths and "Untitled.ipynb" not in paths

    for _ in range(120):
        if renamed():
            break
        page.wait_for_timeout(500)
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
    assert renamed(), f"sessions: {_session_paths(page, workbench.url)}, tabs: {tabs}"

    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    expect(
        page.locator(".jp-OutputArea-output").filter(has_text="logged after rename")
    ).to_be_visible(timeout=120_000)

    panel = panel_of(page)
    overview = _run_page(page, panel, WORDS["en"], list_hit)
    expect(overview).to_contain_text("churn-model.ipynb")
    expect(overview).not_to_contain_text("Untitled")
    screenshot("run-notebook-renamed-en")
    page.get_by_role("tab", name="churn-model.ipynb").get_by_title("Close").click()
    page.get_by_role("dialog").get_by_role("button", name="Discard").click()
    expect(page.get_by_role("tab", name="churn-model.ipynb")).to_have_count(0)
    overview.get_by_role("button", name="Open notebook").click()
    expect(page.get_by_role("tab", name="churn-model.ipynb")).to_be_visible(timeout=30_000)

    # the notebook goes away (renamed, moved or deleted outside the page)
    page.get_by_role("tab", name="churn-model.ipynb").get_by_title("Close").click()
    discard = page.get_by_role("dialog").get_by_role("button", name="Discard")
    if discard.count():
        discard.click()
    (home / "churn-model.ipynb").unlink()
    for language, locale in (("en", "en"), ("ru", "ru_RU")):
        words = WORDS[language]
        panel = set_language(page, "alice", locale)
        try:
            overview = _run_page(page, panel, words, list_hit)
            expect(overview).to_contain_text("churn-model.ipynb")
            expect(overview.get_by_role("status")).to_have_text(words["gone"])
            expect(overview.get_by_role("button")).to_have_count(0)
            screenshot(f"run-notebook-gone-{language}")
        finally:
            if language != "en":
                set_language(page, "alice", "en")
