"""The audit log's pure rules: reading the console's filters and writing records as CSV.

The CSV is RFC 4180 (the ``csv`` module: quotes doubled, CRLF line ends) and safe to open in a
spreadsheet: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is one Excel, LibreOffice and Google Sheets would run as a formula (OWASP's "CSV injection").
Audit records carry text people chose (an object's name, a comment, a model card's title), so
such a cell gets a leading ``'``: the spreadsheet shows the text, runs nothing, and a reader
still sees what was written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.audit import AuditRecord
from jupyterlab_mlplat.core.kernel.errors import TextInvalid
from jupyterlab_mlplat.core.kernel.times import parse_instant

from .errors import AuditRangeInvalid, AuditTimeInvalid
from .records import AuditFilter

#: the longest filter value of each text column (the log's own column widths)
LIMITS = {"actor": 255, "action": 100, "object_type": 100, "object_id": 255}
#: the export's columns, in order (``detail`` as compact JSON with sorted keys)
COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "request_id", "detail")
#: what a spreadsheet reads as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if not value:  # the console sends only the filters given; the document says 1 or more
        raise TextInvalid(
            f"{field} must not be empty", field, params={"field": field, "rule": "empty"}
        )
    return naming.text(value, field=field, limit=LIMITS[field])


def audit_filter(
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> AuditFilter:
    """The console's filters as sent (None: not given; an empty one is refused, as the
    document says, rather than read as not given): each text checked as text
    people read, each time read as RFC 3339 (a bare date is its midnight UTC), and ``from``
    not after ``until`` — each refusal names its field."""
    start, end = _time(since, "from"), _time(until, "until")
    if start is not None and end is not None and start > end:
        raise AuditRangeInvalid(
            "from must not be after until",
            "from",
            params={"field": "from", "from": start.isoformat(), "until": end.isoformat()},
        )
    return AuditFilter(
        actor=_text(actor, "actor"),
        action=_text(action, "action"),
        object_type=_text(object_type, "object_type"),
        object_id=_text(object_id, "object_id"),
        since=start,
        until=end,
    )


def _time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        raise AuditTimeInvalid(
            f"{field} must be an ISO 8601 date or time, e.g. 2026-12-01T12:00:00Z",
            field,
            params={"field": field, "value": value[:40]},
        ) from None


def neutralised(cell: str) -> str:
    """The cell as a spreadsheet shows it without running it (see the module's docstring)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_cells(record: AuditRecord) -> list[str]:
    detail = json.dumps(record.detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    cells = [
        str(record.id),
        record.at.isoformat() if record.at else "",
        record.actor,
        record.action,
        record.object_type,
        record.object_id,
        record.request_id or "",
        detail,
    ]
    return [neutralised(cell) for cell in cells]


def csv_chunks(batches: Iterable[Iterable[AuditRecord]]) -> Iterator[str]:
    """The header, then one chunk of CSV text per batch of records: the export is written as
    it is read, never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_cells(record) for record in batch)
        if buffer.tell():
            yield buffer.getvalue()
