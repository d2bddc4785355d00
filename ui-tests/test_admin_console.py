"""adam filters the audit log by person and date in the Admin tab's console and exports it:
the downloaded file is exactly the filtered log, a formula-like cell defused; a reversed date
range is said beside the dates, in English and in Russian; alice sees no console at all."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from jupyterlab_mlplat.adapters.sql.schema import audit
from tests.workbench import Workbench

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
OpenPanel = Callable[[str], Locator]
SetLanguage = Callable[[Page, str, str], Locator]
#: days long past, so nothing the workbench writes today falls in the filtered range
DAY = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","x")'
#: the Russian date labels ("from", "until"): a Cyrillic letter es and pe-o
FROM_RU, UNTIL_RU = "\u0421", "\u041f\u043e"


@pytest.fixture(scope="module")
def seeded(workbench: Workbench) -> None:
    """Four days of records by alice and rita in the workbench's own log (append-only: written
    as the unit of work writes them, with the times the test needs)."""
    engine = sa.create_engine(f"sqlite:///{workbench.data_dir / 'platform' / 'mlplat.sqlite'}")
    with engine.begin() as connection:
        for day in range(4):
            at = DAY + timedelta(days=day)
            for actor, action, object_id in (
                ("alice", "deployment.created", f"churn-{day}" if day != 2 else FORMULA),
                ("rita", "publication.approved", str(day)),
            ):
                kind = action.split(".")[0]
                connection.execute(
                    sa.insert(audit).values(
                        at=at, actor=actor, action=action, object_type=kind,
                        object_id=object_id, detail={"day": day}, request_id=None,
                    )
                )  # fmt: skip
    engine.dispose()


def _audit_section(panel: Locator, tab: str, section_label: str, section: str) -> Locator:
    panel.get_by_role("tab", name=tab).click()
    panel.get_by_label(section_label, exact=True).select_option(label=section)
    return panel.get_by_role("region", name=section)


def test_adam_filters_the_audit_log_by_person_and_dates_and_exports_it(
    page: Page, open_panel: OpenPanel, screenshot: Shot, seeded: None
) -> None:
    panel = open_panel("adam")
    log = _audit_section(panel, "Admin", "Section", "Audit log")
    table = log.get_by_role("table", name="Audit records")
    expect(table).to_be_visible(timeout=30_000)

    # When adam asks for alice's records of two days, typed as an English UI writes days
    log.get_by_label("Person", exact=True).fill("alice")
    log.get_by_label("From", exact=True).fill("10/2/2026")
    log.get_by_label("Until", exact=True).fill("10/3/2026")
    log.get_by_role("button", name="Filter", exact=True).click()
    # Then exactly her two records of those days are listed, newest first
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2, timeout=30_000)
    expect(rows.nth(0)).to_contain_text(FORMULA)
    expect(rows.nth(1)).to_contain_text("churn-1")
    expect(log.get_by_text(re.compile(r"Page 1 of 1 · 2 records"))).to_be_visible()
    screenshot("admin-audit-filtered-en")

    # And the export is that log, with the formula-like cell defused
    with page.expect_download() as started:
        log.get_by_role("button", name="Export CSV", exact=True).click()
    download = started.value
    assert re.fullmatch(r"audit-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = Path(download.path()).read_bytes().decode("utf-8")
    rows_read = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [(r["actor"], r["action"], r["object_id"]) for r in rows_read] == [
        ("alice", "deployment.created", "'" + FORMULA),
        ("alice", "deployment.created", "churn-1"),
    ]
    assert text.startswith("id,at,actor,action,object_type,object_id,request_id,detail\r\n")
    assert rows_read[0]["detail"] == '{"day":2}'

    # And the export is on record, found by its action
    log.get_by_label("Person", exact=True).fill("adam")
    log.get_by_label("From", exact=True).fill("")
    log.get_by_label("Until", exact=True).fill("")
    log.get_by_label("Action", exact=True).select_option("audit.exported")
    log.get_by_role("button", name="Filter", exact=True).click()
    expect(rows.first).to_contain_text("audit.exported", timeout=30_000)

    # When the dates are the wrong way round, Then it is said beside them and nothing is asked
    log.get_by_label("From", exact=True).fill("10/4/2026")
    log.get_by_label("Until", exact=True).fill("10/1/2026")
    expect(log.get_by_role("alert")).to_have_text("“From” must not be later than “Until”.")
    expect(log.get_by_role("button", name="Filter", exact=True)).to_be_disabled()
    screenshot("admin-audit-range-en")

    # When a typed day is no day, Then Filter waits for one instead of taking the last good day
    log.get_by_label("Until", exact=True).fill("10/5/2026")
    expect(log.get_by_role("button", name="Filter", exact=True)).to_be_enabled()
    log.get_by_label("Until", exact=True).fill("10/32/2026")
    log.get_by_label("Until", exact=True).press("Tab")
    expect(log.get_by_text("There is no such day.")).to_be_visible()
    expect(log.get_by_role("button", name="Filter", exact=True)).to_be_disabled()
    screenshot("admin-audit-no-such-day-en")


def test_adam_works_the_console_in_the_main_area(
    page: Page, open_panel: OpenPanel, screenshot: Shot, seeded: None
) -> None:
    panel = open_panel("adam")
    _audit_section(panel, "Admin", "Section", "Audit log")
    panel.get_by_role("tabpanel", name="Admin").get_by_role(
        "button", name="Open in the main area"
    ).click()
    # the console opens beside the notebooks on the section it showed
    wide = page.locator("#jp-main-dock-panel #jp-mlplat-tab-page-admin")
    log = wide.get_by_role("region", name="Audit log")
    table = log.get_by_role("table", name="Audit records")
    expect(table.locator("tbody tr").first).to_be_visible(timeout=30_000)
    # every column of the log is on screen
    shown, room = table.bounding_box(), wide.bounding_box()
    assert shown and room and shown["x"] + shown["width"] <= room["x"] + room["width"]
    expect(panel.get_by_text("Admin is open in the main area.")).to_be_visible()
    screenshot("admin-main-area-audit-en")


def test_the_console_in_russian(
    page: Page, open_panel: OpenPanel, set_language: SetLanguage, screenshot: Shot, seeded: None
) -> None:
    open_panel("adam")
    panel = set_language(page, "adam", "ru_RU")
    try:
        log = _audit_section(panel, "Администрирование", "Раздел", "Журнал аудита")
        table = log.get_by_role("table", name="Записи аудита")
        expect(table).to_be_visible(timeout=30_000)
        log.get_by_label("Человек", exact=True).fill("rita")
        # the days typed and the records' times written as a Russian UI writes them, whatever
        # the browser's own locale (this Chromium's is English)
        log.get_by_label(FROM_RU, exact=True).fill("01.10.2026")
        log.get_by_label(UNTIL_RU, exact=True).fill("02.10.2026")
        log.get_by_role("button", name="Отфильтровать", exact=True).click()
        expect(table.locator("tbody tr")).to_have_count(2, timeout=30_000)
        expect(table.locator("tbody tr time").first).to_have_text(
            re.compile(r"^0[12]\.10\.2026, \d{2}:\d{2}$")
        )
        screenshot("admin-audit-filtered-ru")
        with page.expect_download() as started:
            log.get_by_role("button", name="Выгрузить CSV", exact=True).click()
        text = Path(started.value.path()).read_bytes().decode("utf-8")
        assert [r["object_id"] for r in csv.DictReader(io.StringIO(text, newline=""))] == [
            "1",
            "0",
        ]
        log.get_by_label(FROM_RU, exact=True).fill("03.10.2026")
        expect(log.get_by_role("alert")).to_have_text(
            f"Дата «{FROM_RU}» не может быть позже даты «{UNTIL_RU}»."
        )
        screenshot("admin-audit-range-ru")
        settings = _audit_section(panel, "Администрирование", "Раздел", "Настройки")
        expect(
            settings.get_by_label("Сколько одобрений нужно для публикации", exact=True)
        ).to_have_value("1", timeout=30_000)
        screenshot("admin-settings-ru")
    finally:
        set_language(page, "adam", "en")


def test_a_data_scientist_sees_no_console(page: Page, open_panel: OpenPanel) -> None:
    panel = open_panel("alice")
    expect(panel.get_by_role("tab", name="Experiments")).to_be_visible(timeout=30_000)
    expect(panel.get_by_role("tab", name="Admin")).to_have_count(0)
