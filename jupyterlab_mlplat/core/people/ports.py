"""What the people view needs: the hub's users, groups and roles."""

from __future__ import annotations

from typing import Protocol

from .records import Directory


class HubDirectory(Protocol):
    async def directory(self) -> Directory:
        """Every user, group and role of the hub (``Unavailable`` when it does not answer or
        refuses: the platform's role lacks a scope)."""
