"""A data scientist tracks a notebook, runs it, finds the runs in the sidebar and compares two."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.workbench import give_to_home_owner

pytestmark = pytest.mark.browser

TRAINING = """\
import mlflow

for name, alpha in (("first", 0.1), ("second", 0.5)):
    with mlflow.start_run(run_name=name):
        mlflow.log_param("alpha", alpha)
        for step in range(5):
            mlflow.log_metric("rmse", alpha + 1 / (step + 1), step=step)
print("logged", 2, "runs")
"""


def _notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "execution_count": None,
                        "id": "train",
                        "metadata": {},
                        "outputs": [],
                        "source": TRAINING,
                    }
                ],
                "metadata": {
                    "kernelspec": {
                        "display_name": "Python 3",
                        "language": "python",
                        "name": "python3",
                    }
                },
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def test_alice_tracks_a_notebook_sees_her_runs_and_compares_them(
    page: Page,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    panel_of: Callable[[Page], Locator],
    screenshot: Callable[[str], Path],
    list_hit: Callable[..., Locator],
) -> None:
    home = workbench.data_dir / "home" / "alice"
    _notebook(home / "churn" / "train.ipynb")
    give_to_home_owner(home / "churn" / "train.ipynb", home)
    panel = open_panel("alice")
    page.goto(f"{workbench.url}/user/alice/lab/tree/churn/train.ipynb?reset")
    expect(page.get_by_text("logged", exact=False).first).to_be_attached(timeout=60_000)
    panel = panel_of(page)
    panel.get_by_role("tab", name="Experiments").click()

    panel.get_by_role("button", name="Track this notebook").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("textbox")).to_have_value("alice/churn")
    dialog.get_by_role("button", name="Add tracking cell").click()
    expect(page.locator(".jp-Cell").first).to_contain_text('mlflow.set_experiment("alice/churn")')

    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    expect(page.locator(".jp-OutputArea-output").filter(has_text="logged 2 runs")).to_be_visible(
        timeout=120_000
    )
    screenshot("alice-tracked-notebook")

    search = panel.get_by_role("searchbox", name="Search experiments")
    list_hit(search, panel, "alice/churn", "alice/churn", exact=True).click()
    runs = panel.get_by_role("table", name="Runs")
    expect(runs.get_by_role("checkbox")).to_have_count(2, timeout=30_000)
    expect(runs).to_contain_text("alice")
    expect(runs).to_contain_text("train.ipynb")  # from the run context provider
    panel.get_by_role("checkbox", name="Select run first").check()
    panel.get_by_role("checkbox", name="Select run second").check()
    screenshot("alice-runs-table")

    panel.get_by_role("button", name=re.compile("Compare")).click()
    comparison = page.get_by_label("Comparison of 2 runs")
    expect(comparison).to_be_visible(timeout=30_000)
    expect(comparison.get_by_text("alpha")).to_be_visible()
    expect(comparison.locator("canvas").first).to_be_visible()
    screenshot("alice-compare")


def test_a_private_experiment_disappears_for_everybody_else(
    page: Page,
    browser: Any,
    workbench: Any,
    open_panel: Callable[[str], Locator],
    panel_of: Callable[[Page], Locator],
    screenshot: Callable[[str], Path],
    list_hit: Callable[..., Locator],
) -> None:
    home = workbench.data_dir / "home" / "alice"
    _notebook(home / "secret" / "model.ipynb")
    give_to_home_owner(home / "secret" / "model.ipynb", home)
    open_panel("alice")
    page.goto(f"{workbench.url}/user/alice/lab/tree/secret/model.ipynb?reset")
    expect(page.get_by_text("logged", exact=False).first).to_be_attached(timeout=60_000)
    panel = panel_of(page)
    panel.get_by_role("tab", name="Experiments").click()
    panel.get_by_role("button", name="Track this notebook").click()
    page.get_by_role("dialog").get_by_role("button", name="Add tracking cell").click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    expect(page.locator(".jp-OutputArea-output").filter(has_text="logged 2 runs")).to_be_visible(
        timeout=120_000
    )
    search = panel.get_by_role("searchbox", name="Search experiments")
    list_hit(search, panel, "alice/secret", "alice/secret").click()
    private = panel.get_by_role("checkbox", name="Private: only you can see this experiment")
    private.check()
    expect(private).to_be_checked()
    expect(private).to_be_enabled(timeout=30_000)
    screenshot("alice-private-experiment")

    rita = browser.new_context(viewport={"width": 1400, "height": 850}).new_page()
    rita.goto(f"{workbench.url}/hub/login")
    rita.get_by_label("Username").fill("rita")
    rita.get_by_label("Password").fill(workbench.password)
    rita.get_by_role("button", name="Sign in").click()
    rita.wait_for_url(re.compile(r"/hub/(spawn|home)|/user/"))
    if "/hub/spawn" in rita.url:
        rita.get_by_role("button", name="Start").click()
    rita.wait_for_url(re.compile(r"/user/rita/lab"), timeout=120_000)
    rita.goto(f"{workbench.url}/user/rita/lab?reset")
    ritas = panel_of(rita)
    ritas.get_by_role("tab", name="Experiments").click()
    ritas.get_by_role("searchbox", name="Search experiments").fill("alice/")
    # the filtered answer has arrived once "Default" (which does not match) is gone
    expect(ritas.get_by_role("button", name="Default", exact=True)).to_have_count(0, timeout=30_000)
    expect(ritas.get_by_role("button", name="alice/secret")).to_have_count(0)
    rita.screenshot(path=str(Path(__file__).parent / "screenshots" / "rita-no-private.png"))
    rita.context.close()
