"""The invocations gateway end to end over real HTTP: model servers as processes, the control
plane's routes and the hub's token check as a stand-in of their wire shapes (conftest.py).

Each test reads Given / When / Then.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web

from .conftest import PREFIX, ControlStandin, eventually, free_socket, person

pytestmark = pytest.mark.asyncio

KEY = "mlp_abcd1234_" + "s" * 40
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
#: two iris flowers, of class 0 and 1 (the constant model says 0 for both)
ROWS = {
    "dataframe_split": {"columns": COLUMNS, "data": [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]]}
}
ANSWER = {"predictions": [0, 1]}
#: the second flower in the Open Inference Protocol v2
V2 = {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [6.2, 2.9, 4.3, 1.3]}]}


@pytest.fixture
def churn(control: ControlStandin, pool):  # type: ignore[no-untyped-def]
    """alice's deployment ``churn`` served by version 1, and her key that may call it."""
    v1 = pool["1"]
    control.route("churn", "alice", [("1", "primary", 100, v1.url)])
    control.key(KEY, "alice", ["churn"], key_id=1)
    return v1


async def test_a_key_gets_the_model_servers_answer_in_both_protocols(churn, gateway_factory):
    gateway = await gateway_factory()

    status, headers, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
    assert (status, answer) == (200, ANSWER)
    assert headers["X-Model-Version"] == "1"
    assert len(headers["X-Request-Id"]) >= 8

    status, _, answer = await gateway.call("churn", V2, auth=f"Bearer {KEY}", protocol="v2")
    assert status == 200, answer
    assert answer["outputs"][0]["data"] == [1]

    # the hub's prefix reaches the same paths, and the v2 metadata and readiness are each
    # the model server's own answer to that path
    status, _, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}", prefix=PREFIX)
    assert status == 200
    for prefix in ("", PREFIX.rstrip("/")):
        metadata = await _get(gateway, f"{prefix}/v2/models/churn")
        assert metadata["inputs"] and "ready" not in metadata, metadata
        assert await _get(gateway, f"{prefix}/v2/models/churn/ready") == {"ready": True}
    # a verb a path does not take is refused as this API refuses
    async with gateway.http.post(
        gateway.url + "/v2/models/churn/ready", headers={"Authorization": f"Bearer {KEY}"}
    ) as response:
        assert response.status == 405
        assert (await response.json())["reason"] == "method_not_allowed"


async def _get(gateway, path: str):  # type: ignore[no-untyped-def]
    async with gateway.http.get(
        gateway.url + path, headers={"Authorization": f"Bearer {KEY}"}
    ) as response:
        assert response.status == 200, path
        assert response.headers["X-Model-Version"] == "1"
        return await response.json()


async def test_a_callers_request_id_is_kept_and_a_forged_one_replaced(churn, gateway_factory):
    gateway = await gateway_factory()
    _, headers, _ = await gateway.call(
        "churn", ROWS, auth=f"Bearer {KEY}", headers={"X-Request-Id": "client-id-0001"}
    )
    assert headers["X-Request-Id"] == "client-id-0001"
    _, headers, _ = await gateway.call(
        "churn", ROWS, auth=f"Bearer {KEY}", headers={"X-Request-Id": "bad id\tforged"}
    )
    assert headers["X-Request-Id"] != "bad id\tforged"


async def test_without_credentials_the_answer_is_401_with_a_challenge(churn, gateway_factory):
    gateway = await gateway_factory()
    for auth in (None, "Basic abc", "Bearer "):
        status, headers, answer = await gateway.call("churn", ROWS, auth=auth)
        assert status == 401
        assert answer["reason"] == "token_missing"
        assert "Bearer" in headers["WWW-Authenticate"]


async def test_unknown_and_revoked_keys_are_refused_within_the_cache_bound(
    churn, control: ControlStandin, gateway_factory
):
    gateway = await gateway_factory(key_cache_seconds=1.0)

    status, _, answer = await gateway.call("churn", ROWS, auth="Bearer mlp_nope0000_" + "x" * 40)
    assert (status, answer["reason"]) == (401, "key_unknown")

    # Given the key works
    assert (await gateway.call("churn", ROWS, auth=f"Bearer {KEY}"))[0] == 200
    # When its owner revokes it on the platform
    control.keys[KEY] = "key_revoked"

    # Then it is refused with the platform's reason (the bound, key_cache_seconds plus one
    # answer, is shown on a clock of the test's own in test_key_cache.py, not on this machine's)
    async def refused() -> bool:
        status, _, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        return status == 401 and answer["reason"] == "key_revoked"

    await eventually(refused)

    control.keys[KEY] = "key_expired"
    await eventually(refused_with(gateway, "key_expired"))


def refused_with(gateway, reason: str):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        status, _, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        return status == 401 and answer["reason"] == reason

    return check


async def test_a_flood_of_checks_of_one_key_costs_the_platform_one_call(
    churn, control: ControlStandin, gateway_factory
):
    gateway = await gateway_factory()
    answers = await asyncio.gather(
        *(gateway.call("churn", ROWS, auth=f"Bearer {KEY}") for _ in range(50))
    )
    assert {a[0] for a in answers} == {200}
    assert control.checks == 1


async def test_a_key_out_of_scope_is_403(churn, control: ControlStandin, gateway_factory, pool):
    gateway = await gateway_factory()
    other = pool["2"]
    control.route("fraud", "alice", [("1", "primary", 100, other.url)])

    # alice's key does not name fraud
    status, _, answer = await gateway.call("fraud", ROWS, auth=f"Bearer {KEY}")
    assert (status, answer["reason"]) == (403, "key_out_of_scope")
    # bob's key names alice's churn: it acts as bob, who does not own it
    control.key("mlp_bob00000_" + "b" * 40, "bob", ["churn"], key_id=2)
    status, _, answer = await gateway.call("churn", ROWS, auth="Bearer mlp_bob00000_" + "b" * 40)
    assert (status, answer["reason"]) == (403, "key_out_of_scope")
    # a name in no key's scope says nothing of whether the deployment exists
    status, _, answer = await gateway.call("no-such", ROWS, auth=f"Bearer {KEY}")
    assert (status, answer["reason"]) == (403, "key_out_of_scope")


async def test_a_flood_gets_429_with_retry_after(churn, control: ControlStandin, gateway_factory):
    rate = 5
    control.key(KEY, "alice", ["churn"], key_id=1, rate_limit=rate)
    gateway = await gateway_factory(rate_burst_seconds=1.0)
    started = time.monotonic()
    answers = await asyncio.gather(
        *(gateway.call("churn", ROWS, auth=f"Bearer {KEY}") for _ in range(20))
    )
    elapsed = time.monotonic() - started
    statuses = Counter(a[0] for a in answers)
    # a burst of one second's rate, plus what the rate gave back while they were admitted: a
    # loaded machine admits twenty slowly, and the bucket's own arithmetic is shown on a clock
    # of the test's own in test_routing.py
    assert rate <= statuses[200] <= rate + int(rate * elapsed), (statuses, elapsed)
    assert statuses[429] == 20 - statuses[200] > 0, (statuses, elapsed)
    _, headers, answer = next(a for a in answers if a[0] == 429)
    assert answer["reason"] == "rate_limited"
    assert answer["params"]["rate_limit"] == 5
    assert int(headers["Retry-After"]) >= 1
    # after waiting, the key gets through again
    await asyncio.sleep(0.25)
    assert (await gateway.call("churn", ROWS, auth=f"Bearer {KEY}"))[0] == 200


async def test_a_canary_gets_its_share(control: ControlStandin, pool, gateway_factory):
    v1, v2 = pool["1"], pool["2"]
    control.route("churn", "alice", [("1", "primary", 80, v1.url), ("2", "canary", 20, v2.url)])
    control.key(KEY, "alice", ["churn"], key_id=1)
    gateway = await gateway_factory()
    n = 600
    versions: Counter[str] = Counter()
    for start in range(0, n, 50):
        answers = await asyncio.gather(
            *(gateway.call("churn", ROWS, auth=f"Bearer {KEY}") for _ in range(min(50, n - start)))
        )
        versions.update(a[1]["X-Model-Version"] for a in answers if a[0] == 200)
    assert sum(versions.values()) == n
    # binomial(600, 0.2): sd ≈ 9.8 requests; ±5 points is ±3 sd
    assert 0.15 <= versions["2"] / n <= 0.25, versions


async def test_a_rollout_reaches_the_gateway_through_the_feed(
    churn, control: ControlStandin, pool, gateway_factory
):
    gateway = await gateway_factory(route_poll_seconds=0.2)
    assert (await gateway.call("churn", ROWS, auth=f"Bearer {KEY}"))[1]["X-Model-Version"] == "1"
    v2 = pool["2"]
    control.route("churn", "alice", [("2", "primary", 100, v2.url)], revision=2)

    async def on_v2() -> bool:
        _, headers, _ = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        return headers.get("X-Model-Version") == "2"

    await eventually(on_v2)
    # deleted: the gateway forgets it
    control.delete("churn")

    async def gone() -> bool:
        status, _, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        return status == 404 and answer["reason"] == "deployment_not_found"

    await eventually(gone)


async def test_shadow_answers_are_compared_and_never_returned(
    control: ControlStandin, pool, gateway_factory, caplog: pytest.LogCaptureFixture
):
    v1, same, other = pool["1"], pool["2"], pool["3"]
    control.key(KEY, "alice", ["churn"], key_id=1)
    # no copy is dropped for want of a slot here (that is the next test's): on a loaded
    # machine copies can pile up behind a stalled event loop
    gateway = await gateway_factory(shadow_concurrency=64)

    # Given version 2 (the same model) shadows version 1
    control.route("churn", "alice", [("1", "primary", 100, v1.url), ("2", "shadow", 0, same.url)])
    with caplog.at_level(logging.INFO, logger="mlplat.invocations"):
        for _ in range(20):
            status, headers, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
            assert (status, headers["X-Model-Version"]) == (200, "1")
            assert answer == ANSWER
        # Then every copy was answered and agreed (and if not, the gateway's log says why)
        await eventually(lambda: _accounted(gateway, "2", 20))
    said = [r.getMessage() for r in caplog.records if "shadow copy" in r.getMessage()]
    assert await _outcomes(gateway, "2") == {"agree": 20.0}, said
    # And a v2 prediction is copied as well, a read of the model's metadata is not
    for _ in range(5):
        assert (await gateway.call("churn", V2, auth=f"Bearer {KEY}", protocol="v2"))[0] == 200
        await _get(gateway, "/v2/models/churn")
    await eventually(lambda: _metric(gateway, "agree", "2", 25.0))
    await asyncio.sleep(0.3)
    assert not await _metric(gateway, "agree", "2", 26.0)

    # Given version 3 (a model that always says 0) shadows instead
    control.route(
        "churn", "alice", [("1", "primary", 100, v1.url), ("3", "shadow", 0, other.url)], revision=2
    )
    await asyncio.sleep(0.5)
    for _ in range(10):
        status, headers, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        assert answer == ANSWER  # never the shadow's [0, 0]
    await eventually(lambda: _metric(gateway, "disagree", "3", 10.0))
    text = await gateway.metrics()
    assert 'mlplat_gateway_shadow_agreement_ratio{deployment="churn",version="3"} 0.0' in text
    assert 'mlplat_gateway_shadow_agreement_ratio{deployment="churn",version="2"} 1.0' in text
    assert 'mlplat_gateway_shadow_duration_seconds_count{deployment="churn",version="3"}' in text


async def _outcomes(gateway, version: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """How many copies to ``version`` of churn ended each way so far."""
    prefix = 'mlplat_gateway_shadow_requests_total{deployment="churn",outcome="'
    found = {}
    for row in (await gateway.metrics()).splitlines():
        if row.startswith(prefix) and f'version="{version}"' in row:
            found[row[len(prefix) :].split('"', 1)[0]] = float(row.split()[-1])
    return found


async def _accounted(gateway, version: str, copies: int) -> bool:  # type: ignore[no-untyped-def]
    return sum((await _outcomes(gateway, version)).values()) >= copies


async def _metric(gateway, outcome: str, version: str, value: float) -> bool:  # type: ignore[no-untyped-def]
    return (await _outcomes(gateway, version)).get(outcome, 0.0) >= value


async def test_shadow_copies_beyond_the_limit_are_dropped_and_counted(
    control: ControlStandin, pool, gateway_factory
):
    v1, v2 = pool["1"], pool["2"]
    control.key(KEY, "alice", ["churn"], key_id=1)
    control.route("churn", "alice", [("1", "primary", 100, v1.url), ("2", "shadow", 0, v2.url)])
    gateway = await gateway_factory(shadow_concurrency=1)
    answers = await asyncio.gather(
        *(gateway.call("churn", ROWS, auth=f"Bearer {KEY}") for _ in range(40))
    )
    assert {a[0] for a in answers} == {200}
    await asyncio.sleep(0.3)
    assert 'outcome="dropped"' in await gateway.metrics()


async def test_a_shadow_that_does_not_answer_is_counted_failed_and_the_log_says_why(
    control: ControlStandin, pool, gateway_factory, caplog: pytest.LogCaptureFixture
):
    closed = socket.socket()  # bound, never listening: a connection to it is refused
    closed.bind(("127.0.0.1", 0))
    nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    control.key(KEY, "alice", ["churn"], key_id=1)
    control.route(
        "churn", "alice", [("1", "primary", 100, pool["1"].url), ("2", "shadow", 0, nowhere)]
    )
    gateway = await gateway_factory()
    with caplog.at_level(logging.INFO, logger="mlplat.invocations"):
        for _ in range(3):
            status, headers, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
            assert (status, headers["X-Model-Version"], answer) == (200, "1", ANSWER)
        await eventually(lambda: _metric(gateway, "failed", "2", 3.0))
    closed.close()
    said = [r.getMessage() for r in caplog.records if "shadow copy" in r.getMessage()]
    assert len(said) == 3, said
    assert all("deployment churn version 2 failed (ClientConnectorError)" in m for m in said), said
    assert not await _metric(gateway, "agree", "2", 1.0)


async def test_a_connection_the_model_server_closed_is_sent_again_not_taken_for_a_dead_server(
    control: ControlStandin, gateway_factory
):
    """A kept-alive connection can be closed by the model server just as the gateway sends on
    it (the server's idle timeout); the request then fails with "server disconnected" although
    the server is up. With a single target nothing else could answer, so the request is sent
    again to the same server, once, on another connection."""
    answer = json.dumps(ANSWER).encode()
    closing = {"first"}  # which connections the server closes unanswered: "first" or "every"
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        number = connections
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # the requests of this connection, until the client closes it
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                if "every" in closing or number == 1:
                    break
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(answer)}\r\n\r\n".encode()
                    + answer
                )
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        control.route("churn", "alice", [("1", "primary", 100, url)])
        control.key(KEY, "alice", ["churn"], key_id=1)
        gateway = await gateway_factory()
        status, headers, body = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        assert status == 200, body
        assert (headers["X-Model-Version"], body) == ("1", ANSWER)
        assert connections == 2
        assert 'mlplat_gateway_retries_total{deployment="churn"} 1.0' in await gateway.metrics()

        # a server that closes every connection is asked once more, not forever
        closing.add("every")
        before = connections
        status, _, body = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
        assert (status, body["reason"]) == (503, "model_server_unreachable")
        # the kept connection (closed unanswered), then one resend on a new one
        assert connections - before == 1
    finally:
        server.close()
        await server.wait_closed()


async def test_a_request_waiting_for_a_busy_connection_waits_within_its_answer_time(
    control: ControlStandin, gateway_factory
):
    """The connect timeout bounds opening a connection (an unreachable server is known fast),
    not the wait for one of the kept connections when they are all busy: a request queued
    behind a slow answer waits within ``upstream_timeout``, and is not refused as if the
    server could not be reached."""

    async def slow(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(2.0)
        return web.json_response(ANSWER)

    app = web.Application()
    app.router.add_post("/invocations", slow)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = free_socket()
    await web.SockSite(runner, sock).start()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        control.route("churn", "alice", [("1", "primary", 100, url)])
        control.key(KEY, "alice", ["churn"], key_id=1)
        gateway = await gateway_factory(upstream_connections=1, upstream_connect_timeout=0.5)
        answers = await asyncio.gather(
            *(gateway.call("churn", ROWS, auth=f"Bearer {KEY}") for _ in range(2))
        )
        assert [(status, body) for status, _, body in answers] == [(200, ANSWER)] * 2
    finally:
        await runner.cleanup()


async def test_a_target_killed_mid_load_fails_no_request(
    control: ControlStandin, model_servers, gateway_factory
):
    v1, v2 = model_servers("churn", "1"), model_servers("churn", "2")
    control.route("churn", "alice", [("1", "primary", 50, v1.url), ("2", "canary", 50, v2.url)])
    control.key(KEY, "alice", ["churn"], key_id=1)
    gateway = await gateway_factory()

    statuses: Counter[int] = Counter()
    stop = asyncio.Event()

    async def load() -> None:
        while not stop.is_set():
            status, _, _ = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
            statuses[status] += 1

    workers = [asyncio.create_task(load()) for _ in range(8)]
    await asyncio.sleep(0.5)
    v2.kill()  # the route still names it: the gateway must find out by itself
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*workers)
    assert statuses[200] > 50
    assert set(statuses) == {200}, statuses
    assert "mlplat_gateway_retries_total" in await gateway.metrics()


async def test_model_server_errors(churn, control: ControlStandin, gateway_factory, model_servers):
    gateway = await gateway_factory()
    auth = f"Bearer {KEY}"
    # the client's mistakes: the model server's 400 passes through as it was written
    status, _, answer = await gateway.call("churn", {"rows": [[1, 2, 3, 4]]}, auth=auth)
    assert (status, answer["error_code"], answer["reason"]) == (
        400,
        "BAD_REQUEST",
        "unknown_format",
    )
    assert "'rows'" in answer["message"]
    status, _, answer = await gateway.call("churn", b"{not json", auth=auth)
    assert (status, answer["reason"]) == (400, "malformed_json")
    wrong = {"dataframe_split": {"columns": COLUMNS[:3], "data": [[5.1, 3.5, 1.4]]}}
    status, _, answer = await gateway.call("churn", wrong, auth=auth)
    assert (status, answer["reason"]) == (400, "missing_column")
    assert COLUMNS[3] in answer["message"]
    # the model server's own failure: 502, without its text
    failing = model_servers("churn", "9", failing=True)
    control.route("churn", "alice", [("9", "primary", 100, failing.url)], revision=2)
    await asyncio.sleep(0.5)
    status, _, answer = await gateway.call("churn", {"explode": True}, auth=auth)
    assert (status, answer["reason"]) == (502, "model_server_failed")
    assert answer["params"]["status"] == 500
    assert "Traceback" not in json.dumps(answer)
    # nothing ready
    control.route("churn", "alice", [], revision=3)
    await asyncio.sleep(0.5)
    status, _, answer = await gateway.call("churn", ROWS, auth=auth)
    assert (status, answer["reason"]) == (503, "deployment_not_ready")


async def test_every_target_down_is_503_not_500(
    control: ControlStandin, gateway_factory, model_servers
):
    alone = model_servers("churn", "1")
    control.route("churn", "alice", [("1", "primary", 100, alone.url)])
    control.key(KEY, "alice", ["churn"], key_id=1)
    gateway = await gateway_factory()
    assert (await gateway.call("churn", ROWS, auth=f"Bearer {KEY}"))[0] == 200
    alone.kill()
    status, _, answer = await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
    assert (status, answer["reason"]) == (503, "model_server_unreachable")
    assert answer["request_id"]


async def test_bad_paths_and_names(churn, gateway_factory):
    gateway = await gateway_factory()
    status, _, answer = await gateway.call("Churn_1", ROWS, auth=f"Bearer {KEY}")
    assert (status, answer["reason"]) == (400, "deployment_name_invalid")
    async with gateway.http.get(gateway.url + "/api/v1/nothing") as response:
        assert response.status == 404
        assert (await response.json())["reason"] == "unknown_route"
    async with gateway.http.get(gateway.url + "/api/v1/deployments/churn/invocations") as response:
        assert response.status == 405
        assert (await response.json())["reason"] == "method_not_allowed"
    # /metrics is the operator's: not under the hub's prefix
    async with gateway.http.get(gateway.url + PREFIX + "metrics") as response:
        assert response.status == 404


async def test_people_call_their_own_deployments_with_a_hub_token(
    churn, control: ControlStandin, gateway_factory
):
    control.people.update(
        {
            "alice-token": person("alice"),
            "bob-token": person("bob"),
            "adam-token": person("adam", admin=True),
            "rita-token": {**person("rita"), "scopes": ["read:users!user=rita"]},
            "cron-token": {**person("cron"), "kind": "service"},
        }
    )
    gateway = await gateway_factory()
    assert (await gateway.call("churn", ROWS, auth="token alice-token"))[0] == 200
    assert (await gateway.call("churn", ROWS, auth="Bearer alice-token"))[0] == 200
    assert (await gateway.call("churn", ROWS, auth="token adam-token"))[0] == 200
    status, _, answer = await gateway.call("churn", ROWS, auth="token bob-token")
    assert (status, answer["reason"]) == (404, "deployment_not_found")
    status, _, answer = await gateway.call("churn", ROWS, auth="token rita-token")
    assert (status, answer["reason"]) == (403, "token_lacks_access")
    assert "access to the deployments service" in answer["message"]
    assert "access:services!service=deployments" in answer["message"]
    # a hub service, even one with access, calls with an API key
    status, _, answer = await gateway.call("churn", ROWS, auth="token cron-token")
    assert (status, answer["reason"]) == (403, "token_lacks_access")
    assert "with an API key" in answer["message"]
    status, headers, answer = await gateway.call("churn", ROWS, auth="token wrong")
    assert (status, answer["reason"]) == (401, "token_refused")
    assert "wrong, expired or revoked" in answer["message"]
    assert "WWW-Authenticate" in headers


async def test_metrics_by_deployment_version_and_status(churn, gateway_factory):
    gateway = await gateway_factory()
    await gateway.call("churn", ROWS, auth=f"Bearer {KEY}")
    await gateway.call("churn", {"rows": []}, auth=f"Bearer {KEY}")
    await gateway.call("churn", ROWS, auth=None)
    text = await gateway.metrics()
    assert 'mlplat_gateway_requests_total{deployment="churn",status="200",version="1"} 1.0' in text
    assert 'mlplat_gateway_requests_total{deployment="churn",status="400",version="1"} 1.0' in text
    assert 'mlplat_gateway_requests_total{deployment="",status="401",version=""} 1.0' in text
    assert 'mlplat_gateway_request_duration_seconds_bucket{deployment="churn",le="0.005"' in text
    assert 'mlplat_gateway_in_flight{deployment="churn"} 0.0' in text


async def test_requests_are_sampled_for_drift_into_the_object_store(
    churn, gateway_factory, tmp_path: Path
):
    gateway = await gateway_factory(
        drift_sample_rate=1.0, drift_flush_rows=5, drift_flush_seconds=0.5
    )
    for i in range(7):
        body = {"dataframe_split": {"columns": COLUMNS, "data": [[float(i), 3.5, 1.4, 0.2]]}}
        await gateway.call("churn", body, auth=f"Bearer {KEY}")
    await gateway.call("churn", {"rows": []}, auth=f"Bearer {KEY}")  # refused: not sampled
    # a v2 prediction is sampled too, under its protocol; the model's metadata is no request
    assert (await gateway.call("churn", V2, auth=f"Bearer {KEY}", protocol="v2"))[0] == 200
    await _get(gateway, "/v2/models/churn")
    folder = tmp_path / "objects" / "drift" / "churn" / "1"

    async def written() -> bool:
        return sum(len(p.read_text().splitlines()) for p in folder.glob("*.jsonl")) == 8

    await eventually(written)
    files = sorted(folder.glob("*.jsonl"))
    assert len(files) >= 2  # 5 rows at once (or about), the rest after half a second
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    mlflow = [line for line in lines if line["protocol"] == "mlflow"]
    assert [line["payload"]["dataframe_split"]["data"][0][0] for line in mlflow] == list(range(7))
    assert [line["payload"] for line in lines if line["protocol"] == "v2"] == [V2]
    assert all(line["time"].endswith("+00:00") and line["request_id"] for line in lines)
    assert 'outcome="written"' in await gateway.metrics()
