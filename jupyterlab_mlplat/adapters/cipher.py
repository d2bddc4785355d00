"""Secrets at rest with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``).

The key lives in a file readable only by the platform (generated on first start), never in the
database: a copy of the database alone does not reveal anybody's GitLab token.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from jupyterlab_mlplat.core.gitlab.errors import GitLabTokenUnreadable
from jupyterlab_mlplat.core.gitlab.ports import Cipher


def key_from_file(path: Path) -> bytes:
    """The key in ``path``, created (0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return path.read_bytes().strip()


class FernetCipher(Cipher):
    """``core.gitlab.ports.Cipher`` with Fernet (authenticated encryption)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_key_file(cls, path: str | Path) -> FernetCipher:
        return cls(key_from_file(Path(path)))

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken:
            raise GitLabTokenUnreadable(
                "Your saved GitLab token can no longer be read (the platform's key changed). "
                "Save it again in the Git tab."
            ) from None
