"""What the accounts service needs from the metadata store."""

from __future__ import annotations

from abc import abstractmethod

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import UserRecord


class AccountsTx(UnitOfWork):
    @abstractmethod
    def get_user(self, name: str) -> UserRecord | None: ...

    @abstractmethod
    def add_user(self, user: UserRecord) -> bool:
        """Record a person seen for the first time; False when another request recorded them
        first (a sidebar's first load sends several at once), and nothing is written."""

    @abstractmethod
    def save_user(self, user: UserRecord) -> None: ...


AccountsStore = Transactional[AccountsTx]
