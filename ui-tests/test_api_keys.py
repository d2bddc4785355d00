"""alice makes an API key in the Deployments tab, as an external system's owner would: the secret
is shown once and stays on screen, whichever view of the tab she moves to, until she says she
copied it; the key reads the catalog from outside through the hub; revoked, it no longer does.
The panel in Russian."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.workbench import Workbench

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
OpenPanel = Callable[[str], Locator]
SetLanguage = Callable[..., Locator]

#: what a secret looks like (apikeys: ``mlp_`` + 8-character prefix + ``_`` + the rest)
SECRET = re.compile(r"^mlp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}$")


def _catalog_status(workbench: Workbench, secret: str) -> int:
    """An external system's read of the catalog through the hub's public address."""
    return requests.get(
        f"{workbench.url}/services/mlplat/api/v1/catalog/search",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    ).status_code


def test_alice_makes_a_key_keeps_its_secret_on_screen_uses_and_revokes_it(
    page: Page,
    open_panel: OpenPanel,
    screenshot: Shot,
    workbench: Workbench,
    set_language: SetLanguage,
) -> None:
    name = f"nightly-{uuid.uuid4().hex[:6]}"
    panel = open_panel("alice")
    panel.get_by_role("tab", name="Deployments").click()
    keys = panel.get_by_role("region", name="API keys")
    expect(keys.get_by_role("button", name="Create key")).to_be_visible(timeout=30_000)

    # When she makes a key that reads the catalog
    keys.get_by_label("Name").fill(name)
    keys.get_by_label("Read the catalog").check()
    keys.get_by_role("button", name="Create key").click()

    # Then its secret is shown, with the warning that it is shown only once
    shown = keys.get_by_role("region", name="New API key")
    expect(shown).to_contain_text("shown only this once", timeout=30_000)
    secret = shown.locator("pre").inner_text().strip()
    assert SECRET.match(secret), secret
    shown.scroll_into_view_if_needed()
    screenshot("api-key-created-en")

    # When she opens the tab in the main area before copying it, Then it is still there, and
    # still there when the tab comes back to the sidebar
    panel.get_by_role("tabpanel", name="Deployments").get_by_role(
        "button", name="Open in the main area"
    ).click()
    wide = page.locator("#jp-main-dock-panel #jp-mlplat-tab-page-deployments")
    expect(wide.get_by_role("region", name="New API key").locator("pre")).to_have_text(
        secret, timeout=30_000
    )
    screenshot("api-key-main-area-en")
    panel.get_by_role("button", name="Back to the sidebar").click()
    expect(wide).to_have_count(0)
    keys = panel.get_by_role("region", name="API keys")
    expect(keys.get_by_role("region", name="New API key").locator("pre")).to_have_text(secret)

    # And an external system reads the catalog with it, through the hub
    assert _catalog_status(workbench, secret) == 200

    # When she says she copied it, Then the secret is gone from the page; the list names the
    # key by its prefix only
    keys.get_by_role("button", name="I have copied it").click()
    expect(keys.get_by_role("region", name="New API key")).to_have_count(0)
    assert secret not in page.content()
    item = keys.get_by_role("listitem").filter(has_text=name)
    expect(item).to_contain_text(secret[: len("mlp_") + 8])

    # The panel in Russian
    panel = set_language(page, "alice", "ru_RU")
    try:
        panel.get_by_role("tab", name="Развёртывания").click()
        keys = panel.get_by_role("region", name="API-ключи")
        item = keys.get_by_role("listitem").filter(has_text=name)
        expect(item).to_be_visible(timeout=30_000)
        item.scroll_into_view_if_needed()
        screenshot("api-keys-ru")

        # When she revokes it, after a confirmation, Then the catalog refuses it
        item.get_by_role("button", name="Отозвать…").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(secret[: len("mlp_") + 8])
        dialog.get_by_role("button", name="Отозвать").click()
        expect(dialog).to_have_count(0)
        expect(item.get_by_role("button", name="Отозвать…")).to_have_count(0, timeout=30_000)
        assert _catalog_status(workbench, secret) == 401
    finally:
        set_language(page, "alice", "en")
