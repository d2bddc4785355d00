"""The hub's spawn page keeps what it says: a profile that cannot start now is shown disabled
with its reason, in the browser's language, and a person none of whose profiles can start is told
what to do instead of being shown a Start button."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.workbench import Hub, Workbench

pytestmark = pytest.mark.browser

ADMIN_SCOPES = ["access:services!service=mlplat", "custom:mlplat:admin"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
#: where the walk-through of the issue keeps the pictures it looked at
WALK = Path("/work/walk/issue11")

#: a profile no machine running these tests has room for
TOO_BIG = {
    "slug": "too-big",
    "display_name": "Too big",
    "description": "More CPU than any machine here has.",
    "image": "quay.io/jupyter/scipy-notebook:2026-11-16",
    "cpu_guarantee": "1024",
    "cpu_limit": "1024",
    "order": 40,
}

#: what each language says (the browser's Accept-Language picks it)
WORDS = {
    "en-US": {
        "cannot": "cannot start now: this machine has",
        "ask_admin": "ask a platform admin for a smaller profile",
        "can": "can start now",
        "none": "None of the workspace profiles open to you can start now.",
        "refused": "The Too big profile cannot start now: this machine has",
    },
    "ru-RU": {
        "cannot": "нельзя запустить сейчас: у этой машины",  # noqa: RUF001
        "ask_admin": "попросите администратора платформы о профиле поменьше",  # noqa: RUF001
        "can": "можно запустить сейчас",
        "none": "Сейчас нельзя запустить ни один из доступных вам профилей рабочей среды.",
        "refused": "Профиль Too big нельзя запустить сейчас: у этой машины",  # noqa: RUF001
    },
}


class Platform:
    """The platform's profile API as adam: add a profile for a test, and put things back."""

    def __init__(self, workbench: Workbench) -> None:
        hub = Hub(workbench)
        self.url = f"{workbench.url}/services/mlplat/api/v1/profiles"
        self.headers = {
            "Authorization": f"token {hub.token(hub.login('adam'), 'adam', ADMIN_SCOPES)}"
        }

    def records(self) -> list[dict[str, Any]]:
        answer = requests.get(self.url, headers=self.headers, timeout=30)
        answer.raise_for_status()
        return list(answer.json()["profiles"])

    def create(self, profile: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(self.url, json=profile, headers=self.headers, timeout=30)
        answer.raise_for_status()
        return dict(answer.json())

    def replace(self, profile: dict[str, Any], revision: int) -> dict[str, Any]:
        answer = requests.put(
            f"{self.url}/{profile['slug']}",
            json={"profile": profile, "revision": revision},
            headers=self.headers,
            timeout=30,
        )
        answer.raise_for_status()
        return dict(answer.json())

    def delete(self, slug: str, revision: int) -> None:
        answer = requests.delete(
            f"{self.url}/{slug}", params={"revision": revision}, headers=self.headers, timeout=30
        )
        answer.raise_for_status()


@pytest.fixture
def too_big(workbench: Workbench) -> Iterator[Platform]:
    platform = Platform(workbench)
    created = platform.create(TOO_BIG)
    try:
        yield platform
    finally:
        platform.delete("too-big", created["revision"])


def _spawn_page(browser: Browser, workbench: Workbench, user: str, locale: str) -> Page:
    """The spawn page as ``user`` sees it in a browser set to ``locale``; a server left running
    by another test is stopped first, since the hub sends people with one past the page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
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
    page.goto(f"{workbench.url}/hub/spawn")
    return page


def _keep(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if WALK.parent.is_dir():
        WALK.mkdir(exist_ok=True)
        shutil.copy(path, WALK / path.name)


@pytest.mark.parametrize("locale", sorted(WORDS))
@pytest.mark.usefixtures("too_big")
def test_a_profile_that_cannot_start_is_disabled_with_its_reason(
    browser: Browser, workbench: Workbench, locale: str
) -> None:
    words = WORDS[locale]
    page = _spawn_page(browser, workbench, "alice", locale)
    try:
        blocked = page.locator("label.mlplat-profile", has_text="Too big")
        expect(blocked.get_by_role("radio")).to_be_disabled()
        expect(blocked).to_contain_text(words["cannot"])
        expect(blocked).to_contain_text("1024")
        expect(blocked).to_contain_text(words["ask_admin"])
        # a click on it chooses nothing: the default stays chosen
        blocked.click(force=True)
        expect(blocked.get_by_role("radio")).not_to_be_checked()
        small = page.locator("label.mlplat-profile", has_text="Small CPU")
        expect(small.get_by_role("radio")).to_be_enabled()
        expect(small.get_by_role("radio")).to_be_checked()
        expect(small).to_contain_text(words["can"])
        expect(page.get_by_role("button", name="Start")).to_be_visible()
        _keep(page, f"spawn-page-cannot-start-{locale}")

        # a page loaded before the machine filled up still offers the choice: the hub refuses
        # the start and says why on its spawn page, which stays in the browser's language
        page.evaluate("document.getElementById('profile-item-too-big').disabled = false")
        blocked.get_by_role("radio").check()
        page.get_by_role("button", name="Start").click()
        error = page.locator(".spawn-error-msg")
        expect(error).to_contain_text(words["refused"])
        expect(error).to_contain_text(words["ask_admin"])
        expect(page).to_have_url(re.compile(r"/hub/spawn"))
        expect(small).to_contain_text(words["can"])
        _keep(page, f"spawn-page-refused-{locale}")
    finally:
        page.context.close()


@pytest.fixture
def ivan_sees_only_too_big(workbench: Workbench, too_big: Platform) -> Iterator[None]:
    """Every shipped profile closed to the instructors for one test, so that ivan's only profile
    is the one nothing here can hold; put back afterwards."""
    others = ["data-scientists", "reviewers", "admins"]
    before = [r for r in too_big.records() if r["profile"]["slug"] != "too-big"]
    changed = []
    try:
        for record in before:
            if not record["profile"]["allowed_groups"]:
                saved = too_big.replace(
                    {**record["profile"], "allowed_groups": others}, record["revision"]
                )
                changed.append((record["profile"], saved["revision"]))
        yield
    finally:
        for profile, revision in changed:
            too_big.replace(profile, revision)


@pytest.mark.parametrize("locale", sorted(WORDS))
@pytest.mark.usefixtures("ivan_sees_only_too_big")
def test_a_person_whose_profiles_cannot_start_is_told_what_to_do_not_shown_start(
    browser: Browser, workbench: Workbench, locale: str
) -> None:
    words = WORDS[locale]
    page = _spawn_page(browser, workbench, "ivan", locale)
    try:
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(words["none"])
        expect(alert).to_contain_text(words["ask_admin"])
        expect(page.get_by_role("radio")).to_have_count(1)
        expect(page.get_by_role("radio")).to_be_disabled()
        expect(page.get_by_role("button", name="Start")).to_be_hidden()
        _keep(page, f"spawn-page-nothing-can-start-{locale}")
    finally:
        page.context.close()
