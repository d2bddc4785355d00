"""What can be wrong with a question to the audit log, each with its own reason so the admin
console says it in the admin's language next to the filter concerned."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import InvalidInput


class AuditTimeInvalid(InvalidInput):
    """``params.field`` (``from`` or ``until``) is not a date or a time; ``params.value``
    repeats what was sent (cut to 40 characters)."""

    reason = "audit_time_invalid"


class AuditRangeInvalid(InvalidInput):
    """``from`` is after ``until`` (``params.field`` is ``from``, ``params.from`` and
    ``params.until`` the two instants)."""

    reason = "audit_range_invalid"
