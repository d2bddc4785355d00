"""What the people view needs: the hub's users and groups, and the roles the platform saw."""

from __future__ import annotations

from typing import Protocol

from jupyterlab_mlplat.core.accounts.records import UserRecord

from .records import Directory


class HubDirectory(Protocol):
    async def directory(self) -> Directory:
        """Every user and group of the hub (``Unavailable`` when it does not answer or
        refuses: the platform's role lacks a scope)."""


class SeenPeople(Protocol):
    def platform_users(self) -> list[UserRecord]:
        """Everybody the platform has served, with the roles their token last carried."""
