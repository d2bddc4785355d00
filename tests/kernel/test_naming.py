"""Names that reach the operating system: a hub user's account."""

from __future__ import annotations

import re

import pytest

from jupyterlab_mlplat.core.kernel.naming import ACCOUNT_MAX, system_account

USERADD = re.compile(r"^[a-z_][a-z0-9_-]*$")


@pytest.mark.parametrize("hub_user", ["alice", "rita", "a-b_c", "x1"])
def test_a_plain_hub_name_keeps_its_readable_account(hub_user: str) -> None:
    assert system_account(hub_user) == f"mlplat-{hub_user}"


@pytest.mark.parametrize(
    "hub_user",
    ["Anna.K@city", "anna k", "", "---", "ÄNNA", "a" * 60, "root", "../etc", "anna-k-0123abcd"],
)
def test_every_hub_name_becomes_a_valid_account_of_its_own(hub_user: str) -> None:
    account = system_account(hub_user)
    assert USERADD.match(account) and len(account) <= ACCOUNT_MAX
    assert account.startswith("mlplat-") and account != "mlplat-"


def test_two_people_never_share_an_account() -> None:
    names = ["Anna.K@city", "anna-k-city", "anna.k@city", "ANNA.K@CITY", "a" * 40, "a" * 41]
    names.append(system_account("Anna.K@city").removeprefix("mlplat-"))  # a digest look-alike
    accounts = [system_account(n) for n in names]
    assert len(set(accounts)) == len(accounts), dict(zip(names, accounts, strict=True))
