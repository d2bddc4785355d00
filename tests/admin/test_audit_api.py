"""The audit log over real HTTP, on SQLite and PostgreSQL: adam filters it by person, action,
object and dates, pages it newest first with a total, and exports exactly what he filtered as
CSV (the export recorded in the log); nobody else reads it, however the request is spelled."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from .conftest import ADAM, ALICE, GATEWAY, RITA, Platform

pytestmark = pytest.mark.asyncio

DAY = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _seed(platform: Platform) -> None:
    """Four days of changes by alice, rita and adam; one object id a spreadsheet would run."""
    for day in range(4):
        at = DAY + timedelta(days=day)
        platform.record(at, "alice", "deployment.created", "deployment", f"churn-{day}", size="s")
        platform.record(at + timedelta(minutes=1), "rita", "publication.approved",
                        "publication", str(day), comment=f"ok {day}")  # fmt: skip
    platform.record(DAY + timedelta(days=2, hours=1), "adam", "setting.changed", "setting",
                    "=HYPERLINK(\"http://evil\")", old=1, new=2)  # fmt: skip


async def test_filters_by_person_action_object_and_dates_newest_first(platform: Platform) -> None:
    _seed(platform)
    everything = await platform.call("GET", "api/v1/audit")
    assert everything["total"] == 9 + platform.seeded and everything["page"] == 1
    ids = [e["id"] for e in everything["entries"]]
    assert ids == sorted(ids, reverse=True)

    alice = await platform.call("GET", "api/v1/audit?actor=alice")
    assert alice["total"] == 4
    assert {e["actor"] for e in alice["entries"]} == {"alice"}
    assert [e["object_id"] for e in alice["entries"]] == [
        "churn-3",
        "churn-2",
        "churn-1",
        "churn-0",
    ]

    query = urlencode({"actor": "rita", "from": "2026-11-02", "until": "2026-11-03T23:59:59Z"})
    rita = await platform.call("GET", f"api/v1/audit?{query}")
    assert [e["object_id"] for e in rita["entries"]] == ["2", "1"]
    assert rita["entries"][0]["detail"] == {"comment": "ok 2"}

    one = await platform.call("GET", "api/v1/audit?object_type=deployment&object_id=churn-1")
    assert [(e["actor"], e["action"]) for e in one["entries"]] == [("alice", "deployment.created")]
    approved = await platform.call("GET", "api/v1/audit?action=publication.approved")
    assert approved["total"] == 4

    actions = (await platform.call("GET", "api/v1/audit/actions"))["actions"]
    assert actions == sorted(actions)
    assert {"deployment.created", "publication.approved", "setting.changed"} <= set(actions)


async def test_pages_of_fifty_with_the_total(platform: Platform) -> None:
    for n in range(62):
        platform.record(DAY + timedelta(seconds=n), "alice", "profile.updated", "profile", f"p{n}")
    first = await platform.call("GET", "api/v1/audit?actor=alice")
    second = await platform.call("GET", "api/v1/audit?actor=alice&page=2")
    assert (first["total"], first["pages"], first["page_size"]) == (62, 2, 50)
    assert [e["object_id"] for e in first["entries"]][:2] == ["p61", "p60"]
    assert [e["object_id"] for e in second["entries"]] == [f"p{n}" for n in range(11, -1, -1)]
    beyond = await platform.call("GET", "api/v1/audit?actor=alice&page=9")
    assert beyond["entries"] == [] and beyond["total"] == 62


@pytest.mark.parametrize(
    ("query", "reason", "field"),
    [
        ({"from": "2026-11-03", "until": "2026-11-02"}, "audit_range_invalid", "from"),
        ({"until": "next tuesday"}, "audit_time_invalid", "until"),
        ({"from": "2026-13-45"}, "audit_time_invalid", "from"),
        ({"actor": "a\u202eb"}, "text_invalid", "actor"),
        ({"object_id": "x" * 256}, "text_invalid", "object_id"),
    ],
)
async def test_a_wrong_filter_is_a_400_naming_the_field(
    platform: Platform, query: dict[str, str], reason: str, field: str
) -> None:
    for path in ("api/v1/audit", "api/v1/audit/export"):
        body = await platform.call("GET", f"{path}?{urlencode(query)}", expect=400)
        assert (body["reason"], body["params"]["field"]) == (reason, field), body
    # a refused export is not an export: nothing recorded
    log = await platform.call("GET", "api/v1/audit")
    assert log["total"] == platform.seeded, log


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "x", "\uff11"])
async def test_a_page_that_is_no_page_is_a_400(platform: Platform, page: str) -> None:
    body = await platform.call("GET", f"api/v1/audit?{urlencode({'page': page})}", expect=400)
    assert (body["reason"], body["params"]["name"]) == ("query_not_integer", "page")


async def test_the_export_is_exactly_the_filtered_log_as_csv_and_is_itself_audited(
    platform: Platform,
) -> None:
    _seed(platform)
    query = urlencode({"from": "2026-11-03T00:00:00Z", "until": "2026-11-03T23:59:59Z"})
    response = await platform.fetch("GET", f"api/v1/audit/export?{query}")
    assert response.code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=UTF-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit.csv"'
    text = response.body.decode()
    lines = text.split("\r\n")
    ids = [e["id"] for e in (await platform.call("GET", f"api/v1/audit?{query}"))["entries"]]
    assert lines[0] == "id,at,actor,action,object_type,object_id,request_id,detail"
    assert lines[1:] == [
        f"{ids[0]},2026-11-03T10:00:00+00:00,adam,setting.changed,setting,"
        '"\'=HYPERLINK(""http://evil"")",,"{""new"":2,""old"":1}"',
        f"{ids[1]},2026-11-03T09:01:00+00:00,rita,publication.approved,publication,2,,"
        '"{""comment"":""ok 2""}"',
        f"{ids[2]},2026-11-03T09:00:00+00:00,alice,deployment.created,deployment,churn-2,,"
        '"{""size"":""s""}"',
        "",
    ]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["object_id"] == '\'=HYPERLINK("http://evil")'

    exported = await platform.call("GET", "api/v1/audit?action=audit.exported")
    (entry,) = exported["entries"]
    assert (entry["actor"], entry["object_type"], entry["object_id"]) == ("adam", "audit", "log")
    assert entry["detail"] == {
        "from": "2026-11-03T00:00:00+00:00",
        "until": "2026-11-03T23:59:59+00:00",
    }
    # the next export of everything carries the first export's record, first
    again = (await platform.fetch("GET", "api/v1/audit/export")).body.decode().split("\r\n")
    # the header, the test's records and the log's own seeds, both exports, the last line end
    assert len(again) == 1 + 9 + platform.seeded + 2 + 1
    assert ",adam,audit.exported,audit,log," in again[1]


async def test_a_long_export_streams_every_record_once(platform: Platform) -> None:
    for n in range(1234):
        platform.record(DAY + timedelta(seconds=n), "alice", "profile.updated", "profile", f"p{n}")
    response = await platform.fetch("GET", "api/v1/audit/export?actor=alice")
    rows = list(csv.DictReader(io.StringIO(response.body.decode(), newline="")))
    assert [row["object_id"] for row in rows] == [f"p{n}" for n in range(1233, -1, -1)]


ADMIN_ROUTES = [
    ("GET", "api/v1/audit"),
    ("GET", "api/v1/audit?actor=alice&page=1"),
    ("GET", "api/v1/audit?from=2026-11-03&until=2026-11-01"),  # refused before it is read
    ("GET", "api/v1/audit/actions"),
    ("GET", "api/v1/audit/export"),
    ("GET", "api/v1/audit/export?actor=adam"),
    ("GET", "api/v1/settings"),
    ("PUT", "api/v1/settings/approvals_required"),
    ("PUT", "api/v1/settings/approvals%5Frequired"),
    ("GET", "api/v1/people"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("token", [ALICE, RITA])
async def test_only_admins_reach_the_console_however_spelled(
    platform: Platform, method: str, path: str, token: str
) -> None:
    _seed(platform)
    body = {"value": 3, "revision": 0} if method == "PUT" else None
    refused = await platform.call(method, path, body, expect=403, token=token)
    assert (refused["reason"], refused["params"]) == ("role_required", {"role": "admin"})
    assert "evil" not in str(refused) and "alice" not in str(refused).replace(token, "")
    # nothing was exported, nothing changed
    log = await platform.call("GET", "api/v1/audit")
    assert log["total"] == 9 + platform.seeded
    assert (await platform.call("GET", "api/v1/settings"))["settings"][0]["revision"] == 0


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES[:3])
async def test_a_hub_service_and_a_stranger_are_refused_too(
    platform: Platform, method: str, path: str
) -> None:
    service = await platform.call(method, path, expect=403, token=GATEWAY)
    assert service["reason"] == "token_lacks_access"
    unknown = await platform.fetch(method, path, token="forged")
    assert unknown.code == 401
    assert (await platform.fetch(method, path, token=None)).code == 401


@pytest.mark.parametrize(
    "path", ["api/v1/Audit", "api/v1/audit/", "api/v1//audit", "api/v1/audit/export/"]
)
async def test_other_spellings_are_no_route_for_anybody(platform: Platform, path: str) -> None:
    for token in (ALICE, ADAM):
        response = await platform.fetch("GET", path, token=token)
        assert response.code == 404, (path, response.code)


async def test_an_export_filtered_by_action_and_object_records_those_filters(
    platform: Platform,
) -> None:
    """The export's own record keeps its filters as detail, ``action`` and ``object_id``
    included: passed by those names they once collided with the record's own fields (a 500)."""
    _seed(platform)
    filters = {
        "actor": "rita",
        "action": "publication.approved",
        "object_type": "publication",
        "object_id": "2",
    }
    response = await platform.fetch("GET", f"api/v1/audit/export?{urlencode(filters)}")
    assert response.code == 200, response.body
    rows = list(csv.DictReader(io.StringIO(response.body.decode(), newline="")))
    assert [(row["actor"], row["object_id"]) for row in rows] == [("rita", "2")]
    exported = await platform.call("GET", "api/v1/audit?action=audit.exported")
    (entry,) = exported["entries"]
    assert (entry["action"], entry["object_id"], entry["detail"]) == (
        "audit.exported",
        "log",
        filters,
    )


async def test_without_a_hub_the_people_are_those_the_platform_has_seen(
    platform: Platform,
) -> None:
    """Standalone, there is no directory to ask: the console lists who used the platform with
    the roles their tokens carried, and links to no hub admin page (it was a 503 before)."""
    for token in (ADAM, ALICE):  # the sidebar says who it is at each start
        await platform.call("GET", "api/v1/me", token=token)
    found = await platform.call("GET", "api/v1/people")
    assert found["admin_url"] == ""
    people = {person["name"]: person for person in found["people"]}
    assert {"adam", "alice"} <= set(people)
    assert people["adam"]["groups"] == [] and people["adam"]["hub_roles"] == []
    assert "admin" in people["adam"]["roles"] and "admin" not in people["alice"]["roles"]


@pytest.mark.parametrize("route", ["api/v1/audit", "api/v1/audit/export"])
async def test_a_control_character_in_a_filter_is_refused_as_sent(
    platform: Platform, route: str
) -> None:
    """The web framework turns a query's control characters into spaces; the filters are read
    as sent, so ``deployment\\x12`` is refused naming the field, not searched as another name."""
    refused = await platform.call("GET", f"{route}?object_type=deployment%12", expect=400)
    assert (refused["reason"], refused["params"]["field"]) == ("text_invalid", "object_type")
