"""API keys behind the embedded workbench's real hub and proxy: alice makes a key with her hub
token, an external caller reads the catalog with it through the hub's proxy, the same key is
refused on every route it must never reach, and alice's own token is refused on the gateway's
check. Nothing here is a stand-in: JupyterHub vouches for the tokens, the proxy forwards the
Authorization header as the outside world sends it."""

from __future__ import annotations

import requests

from tests.publishing import Platform
from tests.workbench import Hub


def test_a_key_reads_the_catalog_through_the_hub_and_nothing_else(embedded_hub: Hub) -> None:
    alice = Platform(embedded_hub, "alice")
    made = alice.call("POST", "apikeys", {"name": "hub test", "catalog_read": True}, 201)
    secret, prefix = made["secret"], made["key"]["prefix"]
    try:
        outside = {"Authorization": f"Bearer {secret}"}
        base = f"{embedded_hub.url}/services/mlplat/api/v1"
        found = requests.get(f"{base}/catalog/search", headers=outside, timeout=30)
        assert found.status_code == 200, found.text
        assert "hits" in found.json()
        for path in ("profiles", "apikeys", "publications", "me"):
            refused = requests.get(f"{base}/{path}", headers=outside, timeout=30)
            assert refused.status_code in (403, 404), (path, refused.text)
            if refused.status_code == 403:
                assert refused.json()["reason"] == "key_not_accepted", path
        assert secret not in embedded_hub.log.read_text()

        check = {"secret": secret, "address": "198.51.100.1"}
        refused = alice.call("POST", "apikeys/check", check, 403)
        assert refused["reason"] == "token_lacks_access"
        listed = {k["prefix"]: k for k in alice.call("GET", "apikeys")["keys"]}
        assert listed[prefix]["last_used_at"] is not None
    finally:
        alice.call("DELETE", f"apikeys/{made['key']['id']}")
    gone = requests.get(
        f"{embedded_hub.url}/services/mlplat/api/v1/catalog/search",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert (gone.status_code, gone.json()["reason"]) == (401, "key_revoked")
