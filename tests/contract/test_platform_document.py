"""The platform API does what its OpenAPI document says, as schemathesis checks it: every
operation, every check (no server error, statuses, content types, headers and bodies as
documented, valid input accepted, invalid input refused, authentication not ignored), as a
person of each role with a real hub token."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.contract import fuzz
from tests.contract.conftest import ROLES, Person, start_platform_under_hub
from tests.standins.gitlab.server import FakeGitLab
from tests.workbench import Hub

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

#: admins reach every operation's logic; the other roles mostly the refusals, so fewer cases
MAX_EXAMPLES = {"admin": 40, "data_scientist": 15, "reviewer": 8, "instructor": 8}


@pytest.mark.parametrize("role", ROLES)
async def test_the_platform_api_does_what_its_document_says(
    role: str,
    people: dict[str, Person],
    embedded_hub: Hub,
    gitlab: FakeGitLab,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    running = start_platform_under_hub(
        tmp_path, postgres_url, hub=embedded_hub, gitlab_url=gitlab.url
    )
    try:
        report = await asyncio.to_thread(
            fuzz.run,
            "platform.json",
            running.url.rstrip("/"),
            people[role].token,
            max_examples=MAX_EXAMPLES[role],
        )
    finally:
        running.stop()
    print(report)
    assert not report.failures and not report.errors, str(report)
