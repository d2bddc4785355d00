"""What each feature's part of the SQL store is given by ``SqlStore``, which mixes them all in:
declared once here so that each part is type-checked on its own, without a copy of these stubs
in every feature's module."""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa


class StorePart:
    """A feature's reads (its ``…Index``) as a mixin of ``SqlStore``."""

    engine: sa.Engine

    def _translated(self) -> AbstractContextManager[None]:  # pragma: no cover - the store's
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[sa.Connection]:  # pragma: no cover - the store's
        raise NotImplementedError
