"""The platform API does what its OpenAPI document says, as schemathesis checks it: every
operation, every check (no server error, statuses, content types, headers and bodies as
documented, valid input accepted, invalid input refused, authentication not ignored), with a
real hub token: an admin's, who holds every role and so reaches every operation's logic, and a
data scientist's, refused most of them. What each role is let into, operation by operation, is
``test_rbac_platform.py``'s matrix of every role."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.contract import fuzz
from tests.contract.conftest import Person, start_platform_under_hub
from tests.standins.gitlab.server import FakeGitLab
from tests.workbench import Hub

#: a run of every phase takes 1.5 min on an idle machine and took 6 min in a clean clone's
#: CI with three other sessions sharing its two cores: the suite's 600 s for one test is
#: for a test that has hung, and a fuzzer's run on a slower machine has not
pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.timeout(1500)]

#: admins reach every operation's logic; the other roles mostly the refusals, so fewer cases.
#: Random cases are what a run costs: schemathesis spends 30-50 ms of CPU generating each (the
#: coverage phase's ~10). Measured alone on an idle machine (2026-12-05, ``fuzz.Report``): the
#: admin's run with 40 was 7,803 cases in 135 s (coverage 4,737 in 47 s, fuzzing 2,779 in 81 s,
#: stateful 287 in 6 s), a reviewer's with 8 was 603 random cases in 32 s; in CI, four sessions
#: sharing two cores, the six runs were 18 of its longest session's 22 minutes, over CI's 25.
#: A refusal is reached by any case of an operation, and the fixed seed repeats the same cases
#: every run, so more random cases of a role bought time and no new failure.
#: A reviewer's and an instructor's runs were dropped then too: with 3 random cases an operation
#: they were 1.5-2 of those minutes in CI, for refusals the RBAC matrix checks for every role
#: and operation, and for operations whose logic the admin's run reaches.
MAX_EXAMPLES = {"admin": 20, "data_scientist": 3}
#: An admin holds every role, so the admin's run walks every operation's validation, edges
#: (the coverage phase) and sequences (stateful); the other roles' runs are about what they are
#: refused or narrowed to, which examples and random cases reach. With every phase for every
#: role the contract runs were 19 of CI's longest session's 28 minutes; a reviewer's run went
#: from 157 s to 35 s (600 cases) without the coverage and stateful phases.
REFUSALS = ("examples", "fuzzing")


@pytest.mark.parametrize("role", sorted(MAX_EXAMPLES))
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
            phases=fuzz.EVERY_PHASE if role == "admin" else REFUSALS,
        )
    finally:
        running.stop()
    print(report)
    assert not report.failures and not report.errors, str(report)
