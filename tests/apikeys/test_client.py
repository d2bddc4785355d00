"""``ApiKeysClient.check``, the gateway's one call, against a real platform: a key that may be
used comes back with its scopes, and each refusal is the core's typed error again (reason and
params kept), so the gateway can answer its caller with the same reason."""

from __future__ import annotations

import pytest

from jupyterlab_mlplat.client.apikeys import ApiKeysClient
from jupyterlab_mlplat.core.apikeys.errors import KeyExpired, KeyRevoked, KeyUnknown
from jupyterlab_mlplat.core.kernel.errors import TokenLacksAccess

from .conftest import ALICE, GATEWAY, Platform

pytestmark = pytest.mark.asyncio


async def test_the_gateway_checks_keys_and_gets_typed_refusals(platform: Platform) -> None:
    made = await platform.create(deployments=["alices-model"], rate_limit=3)
    gateway = ApiKeysClient(platform.url, GATEWAY)
    answer = await gateway.check(made["secret"], "192.0.2.10")
    assert (answer.id, answer.owner, answer.rate_limit) == (made["key"]["id"], "alice", 3.0)
    assert answer.scopes.deployments == ["alices-model"] and not answer.scopes.catalog_read
    assert "mlp_" not in repr(gateway)

    with pytest.raises(KeyUnknown):
        await gateway.check("mlp_abcdefgh_" + "x" * 43, "192.0.2.10")
    platform.clock.advance(days=400)
    with pytest.raises(KeyExpired) as expired:
        await gateway.check(made["secret"], "192.0.2.10")
    assert expired.value.params == {"prefix": made["key"]["prefix"]}
    platform.clock.advance(days=-400)
    await platform.call("DELETE", f"api/v1/apikeys/{made['key']['id']}")
    with pytest.raises(KeyRevoked):
        await gateway.check(made["secret"], "192.0.2.10")
    with pytest.raises(TokenLacksAccess):  # a person's own token is not the gateway's
        await ApiKeysClient(platform.url, ALICE).check(made["secret"], "192.0.2.10")
