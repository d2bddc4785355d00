"""git in these tests sees no global or system configuration: a fresh user's machine."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def pristine_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
