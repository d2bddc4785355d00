"""The Experiments tab as a new user meets it in the default sidebar width: the list refreshes by
itself and on a click, the runs table and the tab strip fit (in English and Russian), dates are
written in the UI language, and a metric logged once is drawn as a bar, not a lone point."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.workbench import Hub

pytestmark = pytest.mark.browser

WALK = Path("/work/walk/issue11")


def _shot(page: Page, name: str) -> None:
    WALK.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(WALK / f"{name}.png"))


class Mlflow:
    """MLflow's REST API through the hub's gateway, as a person's own script would call it."""

    def __init__(self, workbench: Any, user: str) -> None:
        hub = Hub(workbench)
        session = hub.login(user)
        response = session.post(
            f"{workbench.url}/hub/api/users/{user}/tokens",
            json={"note": "ui test"},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", "")},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        self.url = f"{workbench.url}/services/mlflow/api/2.0/mlflow"
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def __call__(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{self.url}/{path}", json=body, headers=self.headers, timeout=30)
        assert response.ok, response.text
        return response.json()  # type: ignore[no-any-return]

    def experiment(self, name: str) -> str:
        return str(self("experiments/create", {"name": name})["experiment_id"])

    def run(self, experiment: str, name: str, metrics: dict[str, list[float]]) -> str:
        now = int(time.time() * 1000)
        run = self(
            "runs/create", {"experiment_id": experiment, "run_name": name, "start_time": now}
        )
        run_id = str(run["run"]["info"]["run_id"])
        self(
            "runs/log-batch",
            {
                "run_id": run_id,
                "params": [{"key": "alpha", "value": "0.5"}],
                "metrics": [
                    {"key": key, "value": value, "step": step, "timestamp": now + step}
                    for key, values in metrics.items()
                    for step, value in enumerate(values)
                ],
            },
        )
        self("runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": now + 65_000})
        return run_id


def _switch_language(page: Page, language: str) -> None:
    page.get_by_role("menuitem", name=re.compile("Settings|Настройки")).click()
    page.locator(".lm-Menu-item", has_text=re.compile("^(Language|Язык)")).click()
    page.get_by_role("menuitem", name=re.compile(language)).click()
    page.get_by_role(
        "button", name=re.compile("Change and reload|Изменить и перезагрузить")
    ).click()


def _clipped(locator: Locator) -> list[str]:
    """The texts of the elements whose content is wider than their box (cut off)."""
    return locator.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )


def _fits(page: Page, panel: Locator, lang: str) -> None:
    table = panel.get_by_role("table", name=re.compile("Runs|Запуски"))
    expect(table).to_be_visible(timeout=30_000)
    assert _clipped(table.locator("thead th")) == [], f"header cells cut off ({lang})"
    scroller = panel.locator(".jp-mlplat-table-scroll")
    assert _clipped(scroller) == [], f"the runs table is wider than the sidebar ({lang})"
    # the tab strip wraps rather than cut a label: every tab whole and inside the strip
    tabs = panel.get_by_role("tab")
    assert _clipped(tabs) == [], f"tab labels cut off ({lang})"
    strip = panel.get_by_role("tablist")
    outside = tabs.evaluate_all(
        """(els, strip) => els.filter(e => {
            const box = e.getBoundingClientRect(), s = strip.getBoundingClientRect();
            return box.left < s.left - 1 || box.right > s.right + 1;
        }).map(e => e.textContent)""",
        strip.element_handle(),
    )
    assert outside == [], f"tabs outside the strip ({lang}): {outside}"


def test_the_list_refreshes_by_itself_and_on_a_click(
    page: Page, workbench: Any, open_panel: Callable[[str], Locator]
) -> None:
    mlflow = Mlflow(workbench, "alice")
    prefix = f"alice/outside-{secrets.token_hex(2)}"
    panel = open_panel("alice")
    panel.get_by_role("tab", name="Experiments").click()
    panel.get_by_role("searchbox", name="Search experiments").fill(prefix)
    expect(panel.get_by_text(re.compile("No experiment matches"))).to_be_visible(timeout=30_000)

    # made from a console, not from the sidebar: it shows up without reopening anything
    mlflow.experiment(f"{prefix}-console")
    expect(panel.get_by_role("button", name=f"{prefix}-console")).to_be_visible(timeout=25_000)

    # right after a refresh, another one shows at once on the Refresh button, not 10 s later
    page.wait_for_timeout(500)
    mlflow.experiment(f"{prefix}-button")
    refresh = panel.get_by_role("button", name="Refresh")
    expect(refresh.locator("svg")).to_have_count(1)  # JupyterLab's refresh icon
    refresh.click()
    expect(panel.get_by_role("button", name=f"{prefix}-button")).to_be_visible(timeout=5_000)
    _shot(page, "experiments-list-refreshed-en")


def test_runs_table_and_tabs_fit_the_sidebar_and_dates_follow_the_ui_language(
    page: Page,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    panel_of: Callable[[Page], Locator],
    list_hit: Callable[..., Locator],
) -> None:
    mlflow = Mlflow(workbench, "adam")
    name = f"adam/fit-{secrets.token_hex(2)}"
    experiment = mlflow.experiment(name)
    mlflow.run(
        experiment, "a-rather-long-run-name-42", {"accuracy": [0.91], "loss": [0.9, 0.5, 0.2]}
    )
    panel = open_panel("adam")
    try:
        for lang in ("en", "ru"):
            if lang == "ru":
                _switch_language(page, "Русский")
                expect(page.get_by_role("tab", name="ML-платформа")).to_be_visible(timeout=60_000)
                panel = panel_of(page)
            panel.get_by_role("tab", name=re.compile("^(Experiments|Эксперименты)$")).click()
            list_hit(panel.get_by_role("searchbox"), panel, name, name).click()
            _fits(page, panel, lang)
            _shot(page, f"runs-table-default-width-{lang}")
            started = panel.locator("td.jp-mlplat-col-started").first
            title = started.get_attribute("title") or ""
            if lang == "ru":
                # "3 dek. 2026 g." in Cyrillic: a Russian date, whatever the browser says
                assert re.search(r"\d{4}\s*\u0433\.", title), title
            else:
                assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", title), title

            # the run page: a value logged once is a bar, a history a line
            panel.get_by_role("button", name="a-rather-long-run-name-42").click()
            view = page.locator(".jp-mlplat-run-view")
            bar = view.locator("figure.jp-mlplat-chart-bar", has_text="accuracy")
            expect(bar.locator("canvas")).to_be_visible(timeout=30_000)
            expect(bar.locator("canvas")).to_have_attribute(
                "aria-label", re.compile("^(Bar chart of|Столбчатая диаграмма) accuracy")
            )
            line = view.locator("figure.jp-mlplat-chart-line", has_text="loss")
            expect(line.locator("canvas")).to_be_visible()
            if lang == "ru":
                started_fact = view.locator("dd").nth(2)
                expect(started_fact).to_have_text(re.compile(r"\d{4}\s*\u0433\."))
            view.get_by_role(
                "heading", name=re.compile("Metric history|История метрик")
            ).scroll_into_view_if_needed()
            _shot(page, f"run-page-single-value-bar-{lang}")
            page.locator(
                "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon"
            ).click()
            panel.get_by_role(
                "button", name=re.compile("Back to experiments|списку экспериментов")
            ).click()
    finally:
        if page.get_by_role("tab", name="ML-платформа").count():
            _switch_language(page, "English")
            expect(page.get_by_role("tab", name="ML Platform")).to_be_visible(timeout=60_000)


def test_a_comparison_tells_overlapping_runs_apart_and_draws_single_values_as_bars(
    page: Page,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    list_hit: Callable[..., Locator],
) -> None:
    mlflow = Mlflow(workbench, "alice")
    name = f"alice/overlap-{secrets.token_hex(2)}"
    experiment = mlflow.experiment(name)
    same = [0.9, 0.6, 0.4, 0.3, 0.25]
    for run, accuracy in (("twin-a", 0.91), ("twin-b", 0.87)):
        mlflow.run(experiment, run, {"accuracy": [accuracy], "loss": same})
    panel = open_panel("alice")
    panel.get_by_role("tab", name="Experiments").click()
    search = panel.get_by_role("searchbox", name="Search experiments")
    list_hit(search, panel, name, name).click()
    panel.get_by_role("checkbox", name="Select run twin-a").check()
    panel.get_by_role("checkbox", name="Select run twin-b").check()
    panel.get_by_role("button", name=re.compile("^Compare")).click()
    comparison = page.get_by_label("Comparison of 2 runs")
    bar = comparison.locator("figure.jp-mlplat-chart-bar", has_text="accuracy")
    expect(bar.locator("canvas")).to_be_visible(timeout=30_000)
    line = comparison.locator("figure.jp-mlplat-chart-line", has_text="loss")
    expect(line.locator("canvas")).to_have_attribute(
        "aria-label", "Line chart of loss: 2 lines, 10 points"
    )
    line.scroll_into_view_if_needed()
    _shot(page, "compare-overlapping-runs-en")
