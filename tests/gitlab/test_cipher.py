"""Tokens at rest: encrypted with a key kept outside the database, unreadable with another key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.cipher import FernetCipher, key_from_file
from jupyterlab_mlplat.core.kernel.errors import Unavailable

TOKEN = b"glpat-0123456789abcdefghij"


def test_the_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "token.key"
    key = key_from_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_from_file(path) == key


def test_round_trip_and_no_plaintext_in_the_ciphertext(tmp_path: Path) -> None:
    cipher = FernetCipher.from_key_file(tmp_path / "token.key")
    sealed = cipher.encrypt(TOKEN)
    assert TOKEN not in sealed
    assert cipher.decrypt(sealed) == TOKEN
    assert cipher.encrypt(TOKEN) != sealed  # a fresh IV every time


def test_another_key_cannot_read_it_and_says_what_to_do(tmp_path: Path) -> None:
    sealed = FernetCipher.from_key_file(tmp_path / "a.key").encrypt(TOKEN)
    with pytest.raises(Unavailable, match="Save it again"):
        FernetCipher.from_key_file(tmp_path / "b.key").decrypt(sealed)
