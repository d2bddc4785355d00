"""What can go wrong asking for analytics, each with its own reason for the sidebar."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import InvalidInput


class PeriodInvalid(InvalidInput):
    """The date range cannot be read: ``params.field`` (``from`` or ``to``) is not a date, the
    range ends before it starts, or it is longer than ``params.maximum_days``."""

    reason = "period_invalid"


class GroupingInvalid(InvalidInput):
    """``params.field`` names a grouping the figures do not have; ``params.allowed`` lists them."""

    reason = "grouping_invalid"
