"""The sidebar API does what its OpenAPI document says, as schemathesis checks it (every
operation, every check), inside a real Jupyter server in hub mode: the platform behind it trusts
the embedded hub's tokens, MLflow is the workbench's behind its gateway, Try it calls the
workbench's invocations gateway, GitLab a stand-in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.contract import fuzz
from tests.contract.conftest import Person, free_port, start_platform_under_hub
from tests.standins.gitlab.server import FakeGitLab
from tests.workbench import Hub

#: a run of every phase takes 1.5 min on an idle machine and took 6 min in a clean clone's
#: CI with three other sessions sharing its two cores: the suite's 600 s for one test is
#: for a test that has hung, and a fuzzer's run on a slower machine has not
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(1500)]

#: (see the platform's: random cases are most of a run's CPU, the edges are the coverage phase's)
MAX_EXAMPLES = {"admin": 10, "data_scientist": 3}
#: the admin's run walks every phase; a data scientist's is about refusals (see the platform's)
REFUSALS = ("examples", "fuzzing")
#: Most of the sidebar's operations forward the platform's with the same inputs, read by the
#: same code (``jupyterlab_mlplat.api``). The platform's admin run walks those inputs' edges
#: (the coverage phase, hundreds of cases an operation); here they get the document's examples
#: and random cases, which is what tests the forwarding: statuses, bodies, errors passed on.
#: The coverage phase stays for the sidebar's own operations (MLflow, git, models).
FORWARDED = fuzz.forwarded_operations("sidebar.json", "platform.json")


@pytest.fixture(params=sorted(MAX_EXAMPLES))
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def platform_port() -> int:
    return free_port()


@pytest.fixture
def extension_config(
    platform_port: int, people: dict[str, Person], embedded_hub: Hub, role: str
) -> dict[str, Any]:
    person = people[role]
    return {
        "platform_url": f"http://127.0.0.1:{platform_port}/services/mlplat/",
        "platform_token": person.token,
        "request_timeout": 10.0,
        "mlflow_url": f"{embedded_hub.url}/services/mlflow",
        "mlflow_token": person.token,
        "gateway_url": f"{embedded_hub.url}/services/deployments/",
        "user_name": person.user,
    }


async def test_the_sidebar_api_does_what_its_document_says(
    jp_serverapp: Any,
    jp_fetch: Any,  # starts the server's HTTP listener on jp_http_port
    jp_http_port: int,
    jp_base_url: str,
    role: str,
    platform_port: int,
    embedded_hub: Hub,
    gitlab: FakeGitLab,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    running = start_platform_under_hub(
        tmp_path / "platform",
        postgres_url,
        hub=embedded_hub,
        gitlab_url=gitlab.url,
        port=platform_port,
    )
    try:
        report = await asyncio.to_thread(
            fuzz.run,
            "sidebar.json",
            f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyterlab-mlplat",
            jp_serverapp.identity_provider.token,
            max_examples=MAX_EXAMPLES[role],
            phases=fuzz.EVERY_PHASE if role == "admin" else REFUSALS,
            edges_elsewhere=FORWARDED,
        )
    finally:
        running.stop()
    print(report)
    assert not report.failures and not report.errors, str(report)
