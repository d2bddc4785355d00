"""The catalog's refusals, each with its own reason the sidebar translates."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import Conflict, InvalidInput, NotFound


class CatalogEntryNotFound(NotFound):
    """No published model of that name (``params.name``)."""

    reason = "catalog_entry_not_found"


class CatalogVersionNotFound(NotFound):
    """The catalog model has no such version (``params.name``, ``params.version``)."""

    reason = "catalog_version_not_found"


class CatalogQueryInvalid(InvalidInput):
    """A search the catalog does not take; ``params.field`` names the parameter and
    ``params.rule`` says why: ``too_long`` (``params.limit`` characters), ``control`` (a
    control character), ``too_many`` (values; ``params.limit``), ``duplicate`` (a facet value
    named twice) or ``sort`` (not a known one)."""

    reason = "catalog_query_invalid"


class CatalogVersionExists(Conflict):
    """The catalog model already lists this version (``params.name``, ``params.version``)."""

    reason = "catalog_version_exists"
