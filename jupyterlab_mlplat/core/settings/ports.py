"""What live settings need of the store: the rows admins changed, with compare-and-set."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import StoredSetting


class SettingsTx(UnitOfWork):
    @abstractmethod
    def setting_for_update(self, key: str) -> StoredSetting | None:
        """The stored row, locked until the transaction ends (a second admin waits)."""

    @abstractmethod
    def save_setting(self, stored: StoredSetting) -> None: ...


class SettingsStore(Transactional[SettingsTx], Protocol):
    def stored_settings(self) -> dict[str, StoredSetting]:
        """Every stored row, by key: one small read, done each time a value is used."""
