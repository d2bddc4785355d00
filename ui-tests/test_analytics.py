"""The Analytics tab in Chromium on the embedded workbench (issue 14, item 8): adam sees every
team's usage, the most idle servers and the team figures of three October days and downloads
the usage as CSV (a real file: the header and the rows the table shows); alice, in Russian, sees
only her own figures and her team's sums; a range in the wrong order is refused beside the dates
without a request, and one longer than a year by the platform, both said in Russian. Adam's
Admin tab shows the idle thresholds with the hub's idle culler.

The figures are seeded as the sampler and the unit of work write them (daily usage sums, audit
records of a publication and a deployment) on days long past, so nothing the workbench does
today (its own sampler runs every minute) falls in the range asked.

The days are typed as people write them in the UI language (12.10.2026 in Russian, 10/12/2026 in
English), not as the browser's date input would draw them in the browser's own locale (issue 11,
item 12): an impossible day is said at its field and changes nothing."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from jupyterlab_mlplat.adapters.sql.schema import audit, usage_daily, users
from tests.workbench import Workbench

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
OpenPanel = Callable[[str], Locator]
SetLanguage = Callable[..., Locator]

#: three days no other test writes into (the admin console's audit seeds are Oct 1-4)
FIRST, LAST = date(2026, 10, 12), date(2026, 10, 14)
SHOTS = Path("/work/shots/V")
#: the Russian range labels ("from", "to") and the sentences that hold a lone Cyrillic letter
FROM_RU, TO_RU = "С", "По"  # noqa: RUF001
REVERSED_RU = "Дата «По» не может быть раньше даты «С»."  # noqa: RUF001
WEEK_RU = "неделя с 12 окт. 2026 г."  # noqa: RUF001
EVERY_TEAM_RU = "Все команды: вы администратор."  # noqa: RUF001
TOTAL_EN = "Total, Oct 12, 2026 – Oct 14, 2026"  # noqa: RUF001
ALICE_SCOPE_EN = "Your figures and your teams’: data-scientists."  # noqa: RUF001
SHOWN_RU = "Показано: 12 окт. 2026 г. – 14 окт. 2026 г."  # noqa: RUF001
CALENDAR_RU = "Выбрать день в календаре"
SCOPE_RU = "Ваши показатели и показатели ваших команд: data-scientists."
PATTERN_RU = "ДД.ММ.ГГГГ"  # noqa: RUF001


#: records whether Chromium opened its picker for the unseen date input or refused (it throws
#: when the input is not rendered or the click was not the person's)
PICKER_WATCH = """() => {
    const show = HTMLInputElement.prototype.showPicker;
    window.mlplatPickers = [];
    HTMLInputElement.prototype.showPicker = function () {
        try {
            show.call(this);
            window.mlplatPickers.push('shown');
        } catch (error) {
            window.mlplatPickers.push(error.name);
            throw error;
        }
    };
}"""


def _ru(day: date) -> str:
    """A day as a Russian UI writes it: 12.10.2026."""
    return day.strftime("%d.%m.%Y")


def _en(day: date) -> str:
    """A day as an English UI writes it (Intl's ``en``): 10/12/2026."""
    return f"{day.month}/{day.day}/{day.year}"


def _default_range() -> tuple[date, date]:
    """The range the tab asks when it opens: the last 30 days, today (UTC) included."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=29), today


def _day(seed: date, hour: int) -> datetime:
    return datetime(seed.year, seed.month, seed.day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(workbench: Workbench) -> None:
    """alice (data-scientists) ran a GPU workspace 10 hours a day, 3 of them idle; adam (admins)
    a small CPU one for 2 hours on the middle day. alice's publication 9001 was submitted on the
    first day, approved 3 hours later by rita and published a day after it was submitted; she
    created a deployment on the second day."""
    engine = sa.create_engine(f"sqlite:///{workbench.data_dir / 'platform' / 'mlplat.sqlite'}")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for name, roles, groups in (
            ("alice", ["data_scientist"], ["data-scientists"]),
            ("adam", ["admin"], ["admins"]),
        ):
            # the platform records a person at their first request; this test may come first
            connection.execute(
                sa.insert(users)
                .prefix_with("OR IGNORE")
                .values(name=name, roles=roles, groups=groups, first_seen=now, last_seen=now)
            )
        for offset in range(3):
            connection.execute(
                sa.insert(usage_daily).values(
                    day=FIRST + timedelta(days=offset), kind="workspace", owner="alice",
                    name="", profile="gpu-small", minutes=600.0,
                    cpu_requested_core_minutes=1200.0, cpu_used_core_minutes=240.0,
                    memory_requested_gib_minutes=4800.0, memory_used_gib_minutes=2400.0,
                    gpu_minutes=600.0, idle_minutes=180.0, idle_gpu_minutes=180.0,
                )
            )  # fmt: skip
        connection.execute(
            sa.insert(usage_daily).values(
                day=FIRST + timedelta(days=1), kind="workspace", owner="adam", name="",
                profile="cpu-small", minutes=120.0, cpu_requested_core_minutes=60.0,
                cpu_used_core_minutes=30.0, memory_requested_gib_minutes=240.0,
                memory_used_gib_minutes=60.0, gpu_minutes=0.0, idle_minutes=0.0,
                idle_gpu_minutes=0.0,
            )
        )  # fmt: skip
        for at, actor, action, kind, object_id in (
            (_day(FIRST, 8), "alice", "publication.created", "publication", "9001"),
            (_day(FIRST, 9), "alice", "publication.submitted", "publication", "9001"),
            (_day(FIRST, 12), "rita", "publication.approved", "publication", "9001"),
            (_day(FIRST + timedelta(days=1), 9), "rita", "publication.published", "publication",
             "9001"),
            (_day(FIRST + timedelta(days=1), 10), "alice", "deployment.created", "deployment",
             "churn-october"),
        ):  # fmt: skip
            connection.execute(
                sa.insert(audit).values(
                    at=at, actor=actor, action=action, object_type=kind, object_id=object_id,
                    detail={}, request_id=None,
                )
            )  # fmt: skip
    engine.dispose()


def _analytics(panel: Locator, tab: str) -> Locator:
    panel.get_by_role("tab", name=tab, exact=True).click()
    return panel.get_by_role("tabpanel", name=tab)


def _range(tab: Locator, first: str, last: str, labels: tuple[str, str]) -> None:
    tab.get_by_label(labels[0], exact=True).fill(first)
    tab.get_by_label(labels[1], exact=True).fill(last)


def _cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


def _shoot(screenshot: Shot, name: str, *below: tuple[str, Locator]) -> None:
    """The panel as shown, then scrolled to each part ``below`` (a narrow sidebar shows a
    screenful at a time: the tables must be looked at too), also copied to SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for suffix, part in (("", None), *below):
        if part is not None:
            part.scroll_into_view_if_needed()
        taken = screenshot(f"{name}{suffix}")
        (SHOTS / taken.name).write_bytes(taken.read_bytes())


def test_adam_sees_every_team_and_downloads_the_usage(
    page: Page, open_panel: OpenPanel, screenshot: Shot, seeded: None
) -> None:
    panel = open_panel("adam")
    tab = _analytics(panel, "Analytics")
    expect(tab.get_by_text("Every team: you are an administrator.")).to_be_visible()

    # When adam asks for the three October days
    _range(tab, _en(FIRST), _en(LAST), ("From", "To"))
    usage = tab.get_by_role("region", name="Resource usage")
    table = usage.get_by_role("table", name="Usage per Team")
    # Then both teams are listed, the busiest first: hours, CPU and memory used / requested
    expect(table.locator("tbody tr")).to_have_count(2, timeout=30_000)
    assert _cells(table.locator("tbody tr").nth(0)) == [
        "data-scientists", "30", "20%", "50%", "30", "9.0", "9.0",
    ]  # fmt: skip
    assert _cells(table.locator("tbody tr").nth(1)) == [
        "admins", "2.0", "50%", "25%", "0", "0", "0",
    ]  # fmt: skip
    # and the charts are drawn (Chart.js' lazy chunk loaded), labelled for a screen reader
    expect(usage.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
    expect(usage.get_by_role("img", name=re.compile("for 2 groups"))).to_be_visible()

    # And the most idle server is alice's default workspace
    idle = tab.get_by_role("table", name="Most idle servers")
    expect(idle.locator("tbody tr")).to_have_count(1)
    assert _cells(idle.locator("tbody tr").first) == [
        "alice", "(default) workspace", "gpu-small", "9.0", "9.0", "20%",
    ]  # fmt: skip

    # And the team figures count alice's publication (24 h lead time, 3 h turnaround) and
    # deployment in the week of October 12, with the total of the range
    teams = tab.get_by_role("table", name="Team figures")
    expect(teams.locator("tbody tr")).to_have_count(1)
    row = _cells(teams.locator("tbody tr").first)
    assert row[:2] == ["data-scientists", "week of Oct 12, 2026"]
    assert row[4:8] == ["1", "24", "3.0", "1"]
    expect(teams.locator("tfoot tr")).to_contain_text(TOTAL_EN)
    _shoot(screenshot, "analytics-adam-en", ("-usage", table), ("-teams", teams))

    # When adam downloads the usage per person
    usage.get_by_label("Group by", exact=True).select_option("person")
    expect(usage.get_by_role("table", name="Usage per Person").locator("tbody tr")).to_have_count(
        2, timeout=30_000
    )
    with page.expect_download() as started:
        usage.get_by_role("button", name="Export usage CSV", exact=True).click()
    download = started.value
    # Then the file is the table's rows as CSV, named by report and range
    assert download.suggested_filename == "analytics-usage-2026-10-12-2026-10-14.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.split("\r\n", 1)[0].split(",")[:2] == ["key", "server_hours"]
    assert [(r["key"], float(r["server_hours"])) for r in rows] == [("alice", 30.0), ("adam", 2.0)]
    assert float(rows[0]["cpu_efficiency"]) == pytest.approx(0.2)
    _shoot(screenshot, "analytics-adam-person-en")

    # When adam asks for days nothing ran (before the platform's first sample, say), Then each
    # part says so in words, and when the first samples come, rather than drawing empty charts
    _range(tab, "9/1/2026", "9/3/2026", ("From", "To"))
    expect(usage.get_by_text(re.compile("^No usage in this range yet"))).to_contain_text(
        "sampled every minute", timeout=30_000
    )
    expect(usage.locator("figure")).to_have_count(0)
    expect(tab.get_by_text(re.compile("^No server was idle in this range"))).to_be_visible()
    expect(
        tab.get_by_text("Nothing was tracked, registered, published or deployed in this range.")
    ).to_be_visible()
    _shoot(screenshot, "analytics-empty-en")


def test_adam_reads_the_analytics_in_the_main_area_in_both_languages(
    page: Page, open_panel: OpenPanel, set_language: SetLanguage, screenshot: Shot, seeded: None
) -> None:
    panel = open_panel("adam")
    tab = _analytics(panel, "Analytics")
    tab.get_by_role("button", name="Open in the main area").click()
    # the tab is drawn in the main area, and the sidebar says where it went
    wide = page.locator("#jp-main-dock-panel #jp-mlplat-tab-page-analytics")
    expect(wide.get_by_text("Every team: you are an administrator.")).to_be_visible()
    expect(tab.get_by_text("Analytics is open in the main area.")).to_be_visible()
    _range(wide, _en(FIRST), _en(LAST), ("From", "To"))
    table = wide.get_by_role("table", name="Usage per Team")
    expect(table.locator("tbody tr")).to_have_count(2, timeout=30_000)
    teams = wide.get_by_role("table", name="Team figures")
    expect(teams.locator("tbody tr")).to_have_count(1)
    # every column is on screen: in the sidebar the tables ran past its edge
    for part in (table, teams):
        shown, room = part.bounding_box(), wide.bounding_box()
        assert shown and room and shown["x"] + shown["width"] <= room["x"] + room["width"], (
            shown,
            room,
        )
    expect(wide.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
    screenshot("analytics-main-area-en")

    # a language switch reloads the lab: the page is there again, in Russian
    try:
        panel = set_language(page, "adam", "ru_RU", keep_layout=("mlplat-tab-pages", "analytics"))
        expect(wide.get_by_text(EVERY_TEAM_RU)).to_be_visible(timeout=60_000)
        expect(page.get_by_role("tab", name="Аналитика", exact=True).last).to_be_visible()
        _range(wide, _ru(FIRST), _ru(LAST), (FROM_RU, TO_RU))
        expect(
            wide.get_by_role("table", name="Использование, группировка: Команда").locator(
                "tbody tr"
            )
        ).to_have_count(2, timeout=30_000)
        expect(wide.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
        screenshot("analytics-main-area-ru")
        # and it goes back to the sidebar when asked
        sidebar = _analytics(panel, "Аналитика")
        sidebar.get_by_role("button", name="Вернуть в боковую панель").click()
        expect(wide).to_have_count(0)
        expect(sidebar.get_by_text(EVERY_TEAM_RU)).to_be_visible()
    finally:
        set_language(page, "adam", "en")


def test_alice_in_russian_sees_her_own_and_her_teams(
    page: Page, open_panel: OpenPanel, set_language: SetLanguage, screenshot: Shot, seeded: None
) -> None:
    open_panel("alice")
    panel = set_language(page, "alice", "ru_RU")
    try:
        tab = _analytics(panel, "Аналитика")
        expect(tab.get_by_text(SCOPE_RU)).to_be_visible()
        # the range the tab opened with is written as a Russian UI writes days, whatever the
        # browser's own locale (this Chromium's is English)
        first, last = tab.get_by_label(FROM_RU, exact=True), tab.get_by_label(TO_RU, exact=True)
        opened = _default_range()
        expect(first).to_have_value(_ru(opened[0]))
        expect(last).to_have_value(_ru(opened[1]))
        expect(first).to_have_attribute("placeholder", PATTERN_RU)
        expect(tab.get_by_role("button", name=CALENDAR_RU)).to_have_count(2)
        _range(tab, _ru(FIRST), _ru(LAST), (FROM_RU, TO_RU))
        expect(tab.get_by_role("status").filter(has_text="Показано")).to_have_text(
            SHOWN_RU, timeout=30_000
        )

        # her team's sums only: adam's team is not hers
        usage = tab.get_by_role("region", name="Использование ресурсов")
        table = usage.get_by_role("table", name="Использование, группировка: Команда")
        expect(table.locator("tbody tr")).to_have_count(1, timeout=30_000)
        assert _cells(table.locator("tbody tr").first) == [
            "data-scientists", "30", "20\u00a0%", "50\u00a0%", "30", "9,0", "9,0",
        ]  # fmt: skip
        expect(usage.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
        teams = tab.get_by_role("table", name="Показатели команд")
        expect(teams.locator("tbody tr")).to_have_count(1)
        assert _cells(teams.locator("tbody tr").first)[:2] == [
            "data-scientists",
            WEEK_RU,
        ]
        _shoot(screenshot, "analytics-alice-ru", ("-usage", table), ("-teams", teams))

        # When she types a day that does not exist, Then it is said at the field, in Russian,
        # and the figures stay those of the range before
        first.fill("31.02.2026")
        first.press("Tab")
        expect(first).to_have_attribute("aria-invalid", "true")
        described = (first.get_attribute("aria-describedby") or "").split()
        said = tab.locator(f'[id="{described[0]}"]')
        expect(said).to_have_text("Такого дня нет.")
        expect(said).to_have_class("jp-mlplat-field-error")
        expect(tab.get_by_role("status").filter(has_text="Показано")).to_have_text(SHOWN_RU)
        expect(table.locator("tbody tr")).to_have_count(1)
        # and no download is offered for the range before, which it would take unseen
        download = usage.get_by_role("button", name="Выгрузить использование в CSV", exact=True)
        expect(download).to_be_disabled()
        tab.get_by_text(SCOPE_RU).scroll_into_view_if_needed()
        _shoot(screenshot, "analytics-impossible-day-ru")
        # and a day picked in the browser's calendar (its own date input, unseen, behind the
        # button) is written the Russian way and taken
        page.evaluate(PICKER_WATCH)
        tab.get_by_role("button", name=CALENDAR_RU).first.click()
        assert page.evaluate("window.mlplatPickers") == ["shown"]  # Chromium opened its picker
        page.keyboard.press("Escape")
        second = FIRST + timedelta(days=1)
        first.locator("xpath=following-sibling::input[@type='date']").fill(
            second.isoformat(), force=True
        )
        expect(first).to_have_value(_ru(second))
        expect(first).not_to_have_attribute("aria-invalid", "true")
        expect(said).to_have_count(0)
        expect(download).to_be_enabled()
        expect(tab.get_by_role("status").filter(has_text="Показано")).to_have_text(
            SHOWN_RU.replace("12 окт.", "13 окт."), timeout=30_000
        )

        # per person: herself alone
        usage.get_by_label("Группировать по", exact=True).select_option("person")
        people = usage.get_by_role("table", name="Использование, группировка: Человек")
        expect(people.locator("tbody tr")).to_have_count(1, timeout=30_000)
        expect(people.locator("tbody tr").first).to_contain_text("alice")

        # When the last day is before the first, Then it is said beside the dates and the
        # download waits for a range that reads
        tab.get_by_label(TO_RU, exact=True).fill("01.10.2026")
        expect(tab.get_by_role("alert")).to_have_text(REVERSED_RU)
        expect(
            usage.get_by_role("button", name="Выгрузить использование в CSV", exact=True)
        ).to_be_disabled()
        _shoot(screenshot, "analytics-range-ru")

        # When the range is longer than a year, Then the platform's refusal is said in Russian
        _range(tab, "01.01.2024", _ru(LAST), (FROM_RU, TO_RU))
        expect(tab.get_by_role("alert")).to_have_text(
            "Период длиннее 366 дн.: выберите не больше года.", timeout=30_000
        )
    finally:
        set_language(page, "alice", "en")


def test_adam_in_russian_and_the_idle_thresholds(
    page: Page, open_panel: OpenPanel, set_language: SetLanguage, screenshot: Shot, seeded: None
) -> None:
    open_panel("adam")
    panel = set_language(page, "adam", "ru_RU")
    try:
        tab = _analytics(panel, "Аналитика")
        expect(tab.get_by_text(EVERY_TEAM_RU)).to_be_visible()
        _range(tab, _ru(FIRST), _ru(LAST), (FROM_RU, TO_RU))
        table = tab.get_by_role("table", name="Использование, группировка: Команда")
        expect(table.locator("tbody tr")).to_have_count(2, timeout=30_000)
        expect(tab.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
        _shoot(screenshot, "analytics-adam-ru")

        panel.get_by_role("tab", name="Администрирование", exact=True).click()
        panel.get_by_label("Раздел", exact=True).select_option(label="Настройки")
        idle = panel.get_by_role("group", name="Пороги простоя")
        expect(idle.get_by_label("Простой: доля запрошенного CPU", exact=True)).to_have_value(
            "0.05", timeout=30_000
        )
        expect(
            idle.get_by_label("Простой GPU: минут до уведомления владельца", exact=True)
        ).to_have_value("60")
        _shoot(screenshot, "admin-idle-ru", ("-thresholds", idle))
    finally:
        set_language(page, "adam", "en")


def test_alice_in_english(
    page: Page, open_panel: OpenPanel, screenshot: Shot, seeded: None
) -> None:
    panel = open_panel("alice")
    tab = _analytics(panel, "Analytics")
    expect(tab.get_by_text(ALICE_SCOPE_EN)).to_be_visible()
    # the range the tab opened with, as an English UI writes days
    first = tab.get_by_label("From", exact=True)
    opened = _default_range()
    expect(first).to_have_value(_en(opened[0]))
    expect(tab.get_by_label("To", exact=True)).to_have_value(_en(opened[1]))
    expect(first).to_have_attribute("placeholder", "MM/DD/YYYY")
    _range(tab, _en(FIRST), _en(LAST), ("From", "To"))
    expect(first).to_have_value("10/12/2026")
    table = tab.get_by_role("table", name="Usage per Team")
    expect(table.locator("tbody tr")).to_have_count(1, timeout=30_000)
    expect(tab.locator("figure[aria-busy='false']")).to_have_count(2, timeout=30_000)
    _shoot(
        screenshot, "analytics-alice-en", ("-teams", tab.get_by_role("table", name="Team figures"))
    )


def test_the_minutes_sampled_of_alices_running_workspace_reach_her_tab(
    page: Page, open_panel: OpenPanel, screenshot: Shot
) -> None:
    """Nothing seeded: the platform's own sampler (a pass a minute) measures the workspace
    alice's sign-in started, and the default range (the last 30 days, today included) shows it
    as her team's usage and her own profile's."""
    panel = open_panel("alice")
    tab = _analytics(panel, "Analytics")
    usage = tab.get_by_role("region", name="Resource usage")
    usage.get_by_label("Group by", exact=True).select_option("profile")
    table = usage.get_by_role("table", name="Usage per Profile")
    deadline = time.monotonic() + 180  # two passes of the sampler at most, on a loaded machine
    while not table.is_visible() and time.monotonic() < deadline:
        page.wait_for_timeout(10_000)
        tab.get_by_role("button", name="Refresh", exact=True).click()
    expect(table.locator("tbody tr").first).to_be_visible()
    profiles = [_cells(row)[0] for row in table.locator("tbody tr").all()]
    assert "cpu-small" in profiles, profiles  # the default profile of the spawn page
    _shoot(screenshot, "analytics-sampled-en", ("-usage", table))
