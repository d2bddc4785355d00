"""Whose address a key's "last used from" records: behind the hub's proxy (a loopback
connection) the one the proxy appended to X-Forwarded-For, never what a client wrote before it;
from anywhere else the connection's own."""

from __future__ import annotations

from unittest import mock

from aiohttp.test_utils import make_mocked_request

from jupyterlab_mlplat.gateways.invocations import caller_address


def request(peer: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 40000) if name == "peername" else default
    )
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return make_mocked_request("POST", "/x", headers=headers, transport=transport)


def test_behind_the_proxy_the_address_it_saw() -> None:
    assert caller_address(request("127.0.0.1", "6.6.6.6, 10.1.2.3")) == "10.1.2.3"
    assert caller_address(request("127.0.0.1", "10.1.2.3")) == "10.1.2.3"
    assert caller_address(request("127.0.0.1")) == "127.0.0.1"


def test_a_direct_caller_cannot_claim_another_address() -> None:
    assert caller_address(request("10.9.8.7", "1.1.1.1")) == "10.9.8.7"
