"""What the Git service needs: git itself, in a folder of the person's files."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from .records import GitResult


@runtime_checkable
class GitRunner(Protocol):
    """git in a folder of the person's files.

    ``token``, when given, reaches git only through the process environment (an askpass
    helper): never the command line, a URL, a config file or a credential store.
    """

    async def run(
        self, folder: Path, *args: str, stdin: bytes | None = None, token: str | None = None
    ) -> GitResult: ...
