"""The Git tab in a Russian JupyterLab: what git or the server refuses is told in Russian, from
the refusal's reason code, never in the server's English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser


def test_a_git_refusal_is_told_in_russian(
    page: Page,
    open_panel: Callable[[str], Locator],
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    open_panel("adam")
    panel = set_language(page, "adam", "ru_RU")
    try:
        panel.get_by_role("tab", name="Git").click()
        folder = panel.get_by_label("Папка", exact=True)

        # a folder that does not exist: 404, reason git_no_such_folder
        folder.fill("нет-такой-папки")
        panel.get_by_role("button", name="Показать", exact=True).click()
        expect(panel.get_by_text("Такой папки нет")).to_be_visible(timeout=30_000)
        expect(panel.get_by_text("Папки «нет-такой-папки» нет.")).to_be_visible()
        expect(panel).not_to_contain_text("There is no")
        screenshot("adam-git-no-such-folder-ru")

        # a folder outside the home: 403, reason git_outside_home
        folder.fill("../..")
        panel.get_by_role("button", name="Показать", exact=True).click()
        expect(
            panel.get_by_text(
                "«../..» находится вне вашей домашней папки; git работает только внутри неё."
            )
        ).to_be_visible(timeout=30_000)
        expect(panel).not_to_contain_text("outside")
        screenshot("adam-git-outside-home-ru")
    finally:
        set_language(page, "adam", "en")
