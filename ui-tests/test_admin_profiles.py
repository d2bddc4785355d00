"""An admin edits a workspace profile in the sidebar's Admin tab; the hub's spawn page shows the
edit at once, with no restart."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect

from tests.workbench import Hub, Workbench

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
OpenPanel = Callable[[str], Locator]
#: the sidebar writes resource ranges with an en dash, as typographers do
DASH = "\N{EN DASH}"
ADMIN_SCOPES = ["access:services!service=mlplat", "custom:mlplat:admin"]


def screenshot_path(name: str) -> Path:
    """Where the ``screenshot`` fixture puts its files, for a page of a second browser context."""
    path = Path(__file__).resolve().parent / "screenshots" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    return path


class Platform:
    """The platform's profile API as adam, to check what was stored and to put it back."""

    def __init__(self, workbench: Workbench) -> None:
        hub = Hub(workbench)
        self.url = f"{workbench.url}/services/mlplat/api/v1"
        self.token = hub.token(hub.login("adam"), "adam", ADMIN_SCOPES)

    def record(self, slug: str) -> dict[str, Any]:
        answer = requests.get(
            f"{self.url}/profiles", headers={"Authorization": f"token {self.token}"}, timeout=10
        )
        answer.raise_for_status()
        return next(r for r in answer.json()["profiles"] if r["profile"]["slug"] == slug)

    def replace(self, profile: dict[str, Any], revision: int) -> None:
        answer = requests.put(
            f"{self.url}/profiles/{profile['slug']}",
            json={"profile": profile, "revision": revision},
            headers={"Authorization": f"token {self.token}"},
            timeout=10,
        )
        answer.raise_for_status()


@pytest.fixture
def large_cpu(workbench: Workbench) -> Iterator[tuple[Platform, dict[str, Any]]]:
    """The "Large CPU" record as it was; put back afterwards, since other tests read the spawn
    page."""
    platform = Platform(workbench)
    before = platform.record("cpu-large")
    yield platform, before
    now = platform.record("cpu-large")
    if now["profile"] != before["profile"]:
        platform.replace(before["profile"], now["revision"])


def test_adam_edits_a_profile_and_alice_sees_it_on_the_spawn_page(
    page: Page,
    browser: Browser,
    workbench: Workbench,
    open_panel: OpenPanel,
    screenshot: Shot,
    large_cpu: tuple[Platform, dict[str, Any]],
) -> None:
    platform, before = large_cpu
    description = f"For training on bigger data; edited in the Admin tab ({time.time_ns()})."

    # adam opens the Admin tab: every profile, with its resources, groups and last editor
    panel = open_panel("adam")
    panel.get_by_role("tab", name="Admin").click()
    profiles = panel.get_by_role("list", name="Profile list")
    expect(profiles).to_be_visible(timeout=30_000)
    large = profiles.get_by_role("listitem").filter(has_text="cpu-large")
    expect(large).to_contain_text(f"CPU 4{DASH}8 · memory 16Gi{DASH}32Gi")
    expect(large).to_contain_text("Open to everyone")
    expect(profiles.get_by_role("listitem").filter(has_text="Small CPU")).to_contain_text("default")
    screenshot("adam-admin-profiles")

    # he opens "Large CPU"; the preview shows the pod it gives
    large.get_by_role("button", name="Large CPU").click()
    editor = panel.get_by_role("region", name="Edit “Large CPU”")
    expect(editor).to_be_visible()
    screenshot("adam-profile-editor")
    cpu_row = editor.get_by_role("table", name="Pod resources").get_by_role(
        "row", name=re.compile("^cpu")
    )
    expect(cpu_row).to_have_text(re.compile(r"cpu\s*4\s*8"))

    # an invalid CPU limit: the message sits under the input, and a save stores nothing
    cpu_limit = editor.get_by_label("CPU limit", exact=True)
    cpu_limit.fill("lots")
    expect(cpu_limit).to_have_accessible_description(re.compile("“lots” is not a CPU quantity"))
    expect(editor.get_by_role("region", name="Pod preview")).to_contain_text(
        "No pod: the profile is not valid yet."
    )
    editor.get_by_role("button", name="Save").click()
    summary = editor.get_by_role("alert")
    expect(summary).to_contain_text("Not saved: fix these and save again.")
    expect(summary).to_contain_text("CPU limit: “lots” is not a CPU quantity")
    expect(summary).to_be_focused()
    screenshot("adam-profile-not-saved")
    summary.get_by_role("button", name="CPU limit").click()
    expect(cpu_limit).to_be_focused()
    expect(cpu_limit).to_have_value("lots")
    screenshot("adam-profile-invalid")
    stored = platform.record("cpu-large")
    assert stored["revision"] == before["revision"]
    assert stored["profile"]["cpu_limit"] == before["profile"]["cpu_limit"]

    # a valid limit and a new description: the preview follows, the save goes through
    cpu_limit.fill("6")
    expect(cpu_limit).not_to_have_accessible_description(re.compile("CPU quantity"))
    editor.get_by_label("Description", exact=True).fill(description)
    expect(cpu_row).to_have_text(re.compile(r"cpu\s*4\s*6"))
    editor.get_by_role("region", name="Pod preview").scroll_into_view_if_needed()
    screenshot("adam-profile-preview")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Profile “Large CPU” saved")).to_be_visible()
    page.wait_for_timeout(800)  # the notification slides in
    expect(large).to_contain_text(f"CPU 4{DASH}6")
    expect(large).to_contain_text("Updated by adam")
    screenshot("adam-profile-saved")
    stored = platform.record("cpu-large")
    assert stored["revision"] == before["revision"] + 1
    assert stored["profile"]["description"] == description

    # alice's spawn page, read from the platform at this request, shows the edit
    alice = browser.new_context(viewport={"width": 1400, "height": 850})
    try:
        spawn_page = alice.new_page()
        _sign_in_without_a_server(spawn_page, workbench, "alice")
        spawn_page.goto(f"{workbench.url}/hub/spawn")
        choice = spawn_page.locator("label.mlplat-profile", has_text="Large CPU")
        expect(choice).to_contain_text(description)
        expect(choice).to_contain_text("CPU: 4 to 6")
        choice.scroll_into_view_if_needed()
        spawn_page.screenshot(path=str(screenshot_path("alice-spawn-after-edit")))
    finally:
        alice.close()


#: what adam reads in each language (JupyterLab's Settings → Language)
WORDS = {
    "en": {
        "locale": "en",
        "admin": "Admin",
        "list": "Profile list",
        "editor": "Edit “Large CPU”",
        "quota": "Servers per user",
        "guarantee": "CPU guarantee",
        "limit": "CPU limit",
        "at_least_1": "Enter 1 or more.",
        "above": "The CPU guarantee is above the CPU limit.",
    },
    "ru": {
        "locale": "ru_RU",
        "admin": "Администрирование",
        "list": "Список профилей",
        "editor": "Изменение «Large CPU»",
        "quota": "Серверов на пользователя",
        "guarantee": "Гарантия CPU",
        "limit": "Лимит CPU",
        "at_least_1": "Значение должно быть не меньше 1.",
        "above": "Гарантия CPU больше лимита CPU.",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_field_error_shows_at_its_field_in_the_ui_language(
    page: Page,
    open_panel: OpenPanel,
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Shot,
    large_cpu: tuple[Platform, dict[str, Any]],
    language: str,
) -> None:
    """A quota of 0 and a CPU guarantee above the limit: each message in the form's own words,
    translated, under the input it is about (both inputs, for a rule relating two), in the one
    style of a field's message; pydantic's English never shows."""
    words = WORDS[language]
    platform, before = large_cpu
    open_panel("adam")
    panel = set_language(page, "adam", words["locale"])
    try:
        panel.get_by_role("tab", name=words["admin"]).click()
        profiles = panel.get_by_role("list", name=words["list"])
        expect(profiles).to_be_visible(timeout=30_000)
        profiles.get_by_role("listitem").filter(has_text="cpu-large").get_by_role(
            "button", name="Large CPU"
        ).click()
        editor = panel.get_by_role("region", name=words["editor"])
        expect(editor).to_be_visible()
        field_errors = editor.locator(".jp-mlplat-form-fields .jp-mlplat-field-error")

        # a quota of 0: told at the quota, as the form says it
        quota = editor.get_by_label(words["quota"], exact=True)
        quota.fill("0")
        expect(quota).to_have_accessible_description(words["at_least_1"])
        expect(quota).to_have_attribute("aria-invalid", "true")
        expect(field_errors).to_have_text([words["at_least_1"]])
        expect(editor).not_to_contain_text("Input should")
        quota.evaluate("input => input.scrollIntoView({block: 'center'})")
        screenshot(f"adam-profile-quota-zero-{language}")
        quota.fill("")
        expect(field_errors).to_have_count(0)

        # the limit lowered under the guarantee (4): told at both inputs, not only in the preview
        guarantee = editor.get_by_label(words["guarantee"], exact=True)
        limit = editor.get_by_label(words["limit"], exact=True)
        limit.fill("2")
        for field in (guarantee, limit):
            expect(field).to_have_accessible_description(words["above"])
            expect(field).to_have_attribute("aria-invalid", "true")
        expect(field_errors).to_have_text([words["above"], words["above"]])
        limit.evaluate("input => input.scrollIntoView({block: 'center'})")
        screenshot(f"adam-profile-guarantee-above-limit-{language}")
        assert platform.record("cpu-large")["revision"] == before["revision"]
    finally:
        set_language(page, "adam", "en")


def _sign_in_without_a_server(page: Page, workbench: Workbench, user: str) -> None:
    """Sign in through the hub's form; a server left running by another test is stopped, since
    the hub sends people with a running server past the spawn page."""
    page.goto(f"{workbench.url}/hub/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(workbench.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/hub/(spawn|home)|/user/"))
    page.goto(f"{workbench.url}/hub/home")
    stop = page.get_by_role("button", name="Stop My Server")
    if stop.is_visible():
        stop.click()
        expect(page.get_by_role("button", name="Start My Server")).to_be_visible(timeout=60_000)
