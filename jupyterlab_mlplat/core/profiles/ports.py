"""What the profiles service needs from the metadata store."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import StoredProfile


class ProfilesTx(UnitOfWork):
    @abstractmethod
    def list_profiles(self) -> list[StoredProfile]: ...

    @abstractmethod
    def get_profile(self, slug: str) -> StoredProfile | None:
        """The profile, locked against concurrent edits until the transaction ends."""

    @abstractmethod
    def save_profile(self, stored: StoredProfile) -> None: ...

    @abstractmethod
    def delete_profile(self, slug: str) -> None: ...


class ProfilesStore(Transactional[ProfilesTx], Protocol):
    def profiles(self) -> list[StoredProfile]:
        """Every profile, outside any transaction (the spawn page reads them often)."""
        ...
