"""The audit log's pure rules: the console's filters, and the CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from jupyterlab_mlplat.core.audit.errors import AuditRangeInvalid, AuditTimeInvalid
from jupyterlab_mlplat.core.audit.rules import audit_filter, csv_chunks, neutralised
from jupyterlab_mlplat.core.kernel.audit import AuditRecord
from jupyterlab_mlplat.core.kernel.errors import TextInvalid


def test_filters_read_every_rfc_3339_spelling_and_leave_unsent_ones_out() -> None:
    found = audit_filter(actor="alice", since="2026-12-01", until="2026-12-02t10:00:00z")
    assert found.actor == "alice" and found.action is None and found.object_id is None
    assert found.since == datetime(2026, 12, 1, tzinfo=UTC)
    assert found.until == datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert found.detail() == {
        "actor": "alice",
        "from": "2026-12-01T00:00:00+00:00",
        "until": "2026-12-02T10:00:00+00:00",
    }


def test_from_after_until_names_from() -> None:
    with pytest.raises(AuditRangeInvalid) as caught:
        audit_filter(since="2026-12-03", until="2026-12-02T23:59:59+03:00")
    assert caught.value.field == "from" and caught.value.params["field"] == "from"


@pytest.mark.parametrize("field", ["from", "until"])
def test_a_time_that_is_no_time_names_its_field(field: str) -> None:
    with pytest.raises(AuditTimeInvalid) as caught:
        audit_filter(**{"since" if field == "from" else "until": "yesterday"})
    assert caught.value.params == {"field": field, "value": "yesterday"}


@pytest.mark.parametrize("field", ["actor", "action", "object_type", "object_id"])
def test_an_empty_text_filter_is_refused_naming_it(field: str) -> None:
    """The console sends only the filters given; the document promises 1 or more characters."""
    with pytest.raises(TextInvalid) as caught:
        audit_filter(**{field: ""})
    assert caught.value.params == {"field": field, "rule": "empty"}


@pytest.mark.parametrize("field", ["from", "until"])
def test_an_empty_time_is_refused_naming_it(field: str) -> None:
    with pytest.raises(AuditTimeInvalid) as caught:
        audit_filter(**{"since" if field == "from" else "until": ""})
    assert caught.value.params["field"] == field


def test_a_filter_with_control_characters_is_refused_naming_it() -> None:
    with pytest.raises(TextInvalid) as caught:
        audit_filter(object_id="churn\x1b[2J")
    assert caught.value.params["field"] == "object_id"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("churn-api", "churn-api"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_prefixed(cell: str, shown: str) -> None:
    assert neutralised(cell) == shown


def test_the_csv_is_rfc_4180_with_every_column_and_a_header() -> None:
    at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    records = [
        AuditRecord("adam", "setting.changed", "setting", "approvals_required",
                    {"old": 1, "new": 2}, "req-1", id=2, at=at),
        AuditRecord("alice", "deployment.created", "deployment", "=1+1",
                    {"comment": 'say "hi", then\nleave'}, None, id=1, at=at),
    ]  # fmt: skip
    text = "".join(csv_chunks([records[:1], records[1:], []]))
    assert text == (
        "id,at,actor,action,object_type,object_id,request_id,detail\r\n"
        "2,2026-12-03T09:30:00+00:00,adam,setting.changed,setting,approvals_required,req-1,"
        '"{""new"":2,""old"":1}"\r\n'
        "1,2026-12-03T09:30:00+00:00,alice,deployment.created,deployment,'=1+1,,"
        '"{""comment"":""say \\""hi\\"", then\\nleave""}"\r\n'
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[2][5] == "'=1+1" and rows[2][7] == '{"comment":"say \\"hi\\", then\\nleave"}'
