"""Who sees a deployment, decided once (``rules.visible``) for every read that names one: the
deployments' pages and changes, the drift charts, the traffic charts. Its owner and admins see
it; anyone else, person or service, is told it is not there, with the same answer as for a
name nobody uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jupyterlab_mlplat.core.deployments import rules
from jupyterlab_mlplat.core.deployments.errors import DeploymentNotFound
from jupyterlab_mlplat.core.deployments.records import (
    Deployment,
    DeploymentSpec,
    Resources,
    ServedVersion,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.kernel.identity import ROUTE_DEPLOYMENTS_SCOPE, Identity, Role

ALICE = Identity("alice", ("data-scientists",))
BOB = Identity("bob", ("data-scientists",))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
#: a service holding every role and the routes' scope is still no person
SERVICE = Identity(
    "alice",
    roles=(Role.DATA_SCIENTIST, Role.ADMIN),
    kind="service",
    grants=frozenset({ROUTE_DEPLOYMENTS_SCOPE}),
)
AT = datetime(2026, 12, 3, tzinfo=UTC)
CHURN = Deployment(
    name="churn-api",
    owner="alice",
    stage=Stage.STAGING,
    spec=DeploymentSpec(
        "churn-model", (ServedVersion("1", Traffic.PRIMARY, 100),), "small", Resources()
    ),
    revision=1,
    created_at=AT,
    updated_at=AT,
)


class Directory:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def deployment(self, name: str) -> Deployment | None:
        self.asked.append(name)
        return CHURN if name == CHURN.name else None


@pytest.mark.parametrize("who", [ALICE, ADAM])
def test_the_owner_and_admins_see_it(who: Identity) -> None:
    assert rules.visible(who, "churn-api", Directory().deployment) is CHURN


@pytest.mark.parametrize("who", [BOB, SERVICE])
def test_anyone_else_is_told_it_is_not_there_as_for_a_free_name(who: Identity) -> None:
    with pytest.raises(DeploymentNotFound) as theirs:
        rules.visible(who, "churn-api", Directory().deployment)
    with pytest.raises(DeploymentNotFound) as nobodys:
        rules.visible(who, "free-name", Directory().deployment)
    assert theirs.value.params == {"name": "churn-api"}
    assert theirs.value.message.replace("churn-api", "free-name") == nobodys.value.message


@pytest.mark.parametrize("name", ["", "a/../b", "Churn", "x\x00y", "-x", "n" * 10_000])
def test_text_no_deployment_could_be_called_is_looked_up_nowhere(name: str) -> None:
    directory = Directory()
    with pytest.raises(DeploymentNotFound) as refused:
        rules.visible(ADAM, name, directory.deployment)
    assert directory.asked == []
    assert len(str(refused.value.params["name"])) <= 100
