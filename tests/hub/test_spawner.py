"""The embedded spawner renders profiles as text, filters them by group, applies limits, refuses
what this machine cannot hold as the page says, and falls back to the shipped profiles (saying so
in the log) when the platform does not answer."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from tornado import web
from traitlets.config import Config

from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.profiles.capacity import Machine, Node, headroom, machine_headroom
from jupyterlab_mlplat.core.profiles.rules import parse_profiles
from jupyterlab_mlplat.hub.language import DOMAIN, LOCALE
from jupyterlab_mlplat.hub.profiles import ProfileSource, cannot_start, describe, page_texts
from jupyterlab_mlplat.hub.spawner import (
    NO_LOCAL_GPU,
    SINGLE_TRUST,
    EmbeddedProfileSpawner,
    local_limits,
)
from tests.platform.conftest import SECRET, start_platform

PROFILES = {
    "profiles": [
        {
            "slug": "open",
            "display_name": "<script>alert(1)</script>",
            "image": "img:1",
            "mem_limit": "4Gi",
            "cpu_limit": "500m",
        },
        {
            "slug": "gpu",
            "display_name": "GPU",
            "image": "img:2",
            "gpu": 1,
            "allowed_groups": ["gpu-users"],
        },
    ]
}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spawner(
    tmp_path: Path,
    groups: list[str],
    profile: str | None = None,
    profiles: dict[str, Any] = PROFILES,
) -> Any:
    path = tmp_path / "profiles.yaml"
    path.write_text(yaml.safe_dump(profiles))
    config = Config()
    config.ProfileSource.fallback_file = str(path)
    # a real platform URL where nothing listens: the spawner must fall back, not fail
    config.ProfileSource.platform_url = f"http://127.0.0.1:{_closed_port()}/services/mlplat/"
    config.ProfileSource.token = "spawner-token"
    config.ProfileSource.timeout = 2.0
    user = SimpleNamespace(
        name="alice",
        groups=[SimpleNamespace(name=g) for g in groups],
        url="/user/alice/",
        settings={"users": {}},
    )
    spawner = EmbeddedProfileSpawner(user=user, config=config)
    spawner.user_options = {"profile": profile} if profile else {}
    return spawner


@pytest.mark.asyncio
async def test_form_shows_only_allowed_profiles_as_escaped_text(tmp_path: Path) -> None:
    form = await _spawner(tmp_path, ["data-scientists"]).render_profiles_form()
    assert "&lt;script&gt;" in form and "<script>alert" not in form
    assert 'value="gpu"' not in form
    assert "img:1" in form
    assert "can start now" in form
    gpu_form = await _spawner(tmp_path, ["gpu-users"]).render_profiles_form()
    assert 'value="gpu"' in gpu_form
    assert "machine&#39;s CPU" in gpu_form
    assert "GPU: 0 of 0 free" not in gpu_form  # none is given here, so none is counted


@pytest.mark.asyncio
async def test_a_profile_outside_the_users_groups_cannot_be_chosen(tmp_path: Path) -> None:
    spawner = _spawner(tmp_path, ["data-scientists"], profile="gpu")
    with pytest.raises(web.HTTPError, match="not open to you"):
        spawner.chosen_profile(await spawner.allowed_profiles())
    gpu_user = _spawner(tmp_path, ["gpu-users"], profile="gpu")
    assert gpu_user.chosen_profile(await gpu_user.allowed_profiles()).slug == "gpu"


@pytest.mark.asyncio
async def test_an_unreachable_platform_means_the_fallback_profiles_and_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spawner = _spawner(tmp_path, ["data-scientists"])
    source = ProfileSource(parent=spawner)
    with caplog.at_level(logging.WARNING):
        profiles = await source.load()
    assert [p.slug for p in profiles] == ["gpu", "open"]
    (line,) = [r.getMessage() for r in caplog.records if "fallback" in r.getMessage()]
    assert "not reachable" in line
    assert str(tmp_path / "profiles.yaml") in line
    assert "spawner-token" not in caplog.text


def test_limits_are_numbers_jupyterhub_accepts() -> None:
    profile = next(p for p in parse_profiles(PROFILES) if p.slug == "open")
    assert local_limits(profile) == {
        "mem_limit": 4 * 2**30,
        "mem_guarantee": 2**30,
        "cpu_limit": 0.5,
        "cpu_guarantee": 0.5,
    }


@pytest.mark.asyncio
async def test_during_an_outage_the_platforms_last_answer_beats_the_shipped_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The shipped file opens every profile to everyone; the last answer keeps restrictions."""
    running = start_platform(tmp_path, f"sqlite:///{tmp_path / 'platform.sqlite'}")
    client = PlatformClient(running.url, SECRET)
    await client.create_profile(
        {"slug": "restricted", "display_name": "R", "image": "i", "allowed_groups": ["gpu"]}
    )
    (tmp_path / "profiles.yaml").write_text(yaml.safe_dump(PROFILES))
    config = Config()
    config.ProfileSource.platform_url = running.url
    config.ProfileSource.token = SECRET
    config.ProfileSource.fallback_file = str(tmp_path / "profiles.yaml")
    config.ProfileSource.timeout = 2.0
    source = ProfileSource(config=config)
    assert [p.slug for p in await source.load()] == ["restricted"]
    running.stop()
    with caplog.at_level(logging.WARNING):
        profiles = await source.load()
    assert [(p.slug, p.allowed_groups) for p in profiles] == [("restricted", ["gpu"])]
    assert "using the profiles it gave at" in caplog.text


@pytest.mark.asyncio
async def test_the_spawn_page_says_when_the_workbench_is_single_trust(tmp_path: Path) -> None:
    shared = _spawner(tmp_path, ["data-scientists"])
    shared.own_accounts = False
    form = await shared.render_profiles_form()
    assert "Single-trust workbench" in form and shared.account_name in form
    separate = _spawner(tmp_path, ["data-scientists"])
    separate.own_accounts = True
    assert separate.account_name == "mlplat-alice"
    assert "Single-trust" not in await separate.render_profiles_form()


def test_a_server_gets_its_home_and_account_from_the_spawner_not_from_passwd(
    tmp_path: Path,
) -> None:
    spawner = _spawner(tmp_path, ["data-scientists"])
    spawner.home_dir_template = str(tmp_path / "home" / "{username}")
    spawner.own_accounts = True
    env = spawner.user_env({"HOME": "/root", "USER": "root"})
    assert env["HOME"] == str(tmp_path / "home" / "alice")
    assert env["USER"] == env["LOGNAME"] == "mlplat-alice"
    # git stops at the home: a repository around the data directory is never the person's
    assert env["GIT_CEILING_DIRECTORIES"] == str(tmp_path / "home")


#: a profile no machine running these tests has room for, beside one every machine has
TOO_BIG = {
    "slug": "too-big",
    "display_name": "Too big",
    "image": "img:3",
    "cpu_guarantee": "1024",
    "cpu_limit": "1024",
}
SIZES = {"profiles": [{**PROFILES["profiles"][0], "default": True}, TOO_BIG]}
RUSSIAN = SimpleNamespace(request=SimpleNamespace(headers={"Accept-Language": "ru-RU,ru;q=0.9"}))


def _radio(form: str, slug: str) -> str:
    start = form.index(f'value="{slug}"')
    return form[start : form.index(">", start)]


@pytest.mark.asyncio
async def test_a_profile_that_cannot_start_is_shown_disabled_with_its_reason(
    tmp_path: Path,
) -> None:
    form = await _spawner(tmp_path, ["data-scientists"], profiles=SIZES).render_profiles_form()
    assert "disabled" in _radio(form, "too-big")
    assert "disabled" not in _radio(form, "open") and "checked" in _radio(form, "open")
    assert "cannot start now: this machine has" in form
    assert "and the profile is promised 1024" in form
    assert "ask a platform admin for a smaller profile" in form
    assert 'class="mlplat-blocked"' not in form  # another profile can start: the Start button stays


@pytest.mark.asyncio
async def test_the_start_refuses_what_the_page_marks_cannot_start_with_the_same_reason(
    tmp_path: Path,
) -> None:
    spawner = _spawner(tmp_path, ["data-scientists"], profile="too-big", profiles=SIZES)
    with pytest.raises(web.HTTPError) as refused:
        await spawner.start()
    assert refused.value.status_code == 403
    message = refused.value.jupyterhub_message  # type: ignore[attr-defined]
    assert message.startswith("The Too big profile cannot start now: this machine has ")
    assert "and the profile is promised 1024. No server of this size fits here" in message
    assert spawner.cpu_guarantee is None  # refused before anything was promised


@pytest.mark.asyncio
async def test_a_person_whose_only_profile_cannot_start_is_told_what_to_do(
    tmp_path: Path,
) -> None:
    only_big = {"profiles": [TOO_BIG]}
    form = await _spawner(tmp_path, ["data-scientists"], profiles=only_big).render_profiles_form()
    assert "None of the workspace profiles open to you can start now." in form
    assert "ask a platform admin" in form
    assert "checked" not in _radio(form, "too-big") and "disabled" in _radio(form, "too-big")
    # the page hides JupyterHub's Start button when this block is on it
    assert 'class="mlplat-blocked"' in form
    assert "#spawn_form:has(.mlplat-blocked) .feedback-container { display: none; }" in form


@pytest.mark.asyncio
async def test_the_profile_list_speaks_the_browsers_language(tmp_path: Path) -> None:
    spawner = _spawner(tmp_path, ["data-scientists"], profiles=SIZES)
    spawner.handler = RUSSIAN
    spawner.own_accounts = False
    form = await spawner.render_profiles_form()
    assert "нельзя запустить сейчас: у этой машины" in form  # noqa: RUF001
    assert "Образ" in form and "Память" in form
    assert "Single-trust" not in form


@pytest.mark.asyncio
async def test_a_start_from_a_russian_browser_is_refused_in_russian_and_the_page_after_too(
    tmp_path: Path,
) -> None:
    """JupyterHub sets ``handler`` while it starts a server and clears it before it renders
    the spawn page again with the error."""
    spawner = _spawner(tmp_path, ["data-scientists"], profile="too-big", profiles=SIZES)
    spawner.handler = RUSSIAN
    with pytest.raises(web.HTTPError) as refused:
        await spawner.start()
    message = refused.value.jupyterhub_message  # type: ignore[attr-defined]
    assert message.startswith("Профиль Too big нельзя запустить сейчас: у этой машины ")  # noqa: RUF001
    assert message.endswith("попросите администратора платформы о профиле поменьше.")  # noqa: RUF001
    spawner.handler = None
    assert "нельзя запустить сейчас" in await spawner.render_profiles_form()


def test_every_word_the_spawn_page_can_say_has_its_russian() -> None:
    """Ask the page's words for every reason either kind of headroom gives, remembering what
    was asked, and find each in the hub's Russian catalogue."""
    asked: list[str] = []

    def remember(text: str) -> str:
        asked.append(text)
        return text

    gib = 2**30
    small = parse_profiles({"profiles": [{**TOO_BIG, "cpu_guarantee": "1", "cpu_limit": "1"}]})[0]
    gpu = parse_profiles({"profiles": [{**TOO_BIG, "gpu": 1, "node_selector": {"gpu": "yes"}}]})[0]
    roomy = Machine(cpus=Decimal(2), memory=8 * gib, memory_available=8 * gib)
    node = Node("n", Decimal(4), 8 * gib, labels={"gpu": "yes"})
    rooms = [
        machine_headroom(small, roomy),
        machine_headroom(parse_profiles(SIZES)[1], roomy),
        machine_headroom(small.model_copy(update={"mem_guarantee": "64Gi"}), roomy),
        machine_headroom(small, replace(roomy, cpu_promised=Decimal(32))),
        machine_headroom(small, replace(roomy, memory_promised=12 * gib)),
        machine_headroom(small, replace(roomy, memory_available=0)),
        headroom(gpu, []),
        headroom(gpu, [node]),
        headroom(small.model_copy(update={"cpu_guarantee": "8"}), [Node("n", Decimal(4), gib)]),
        headroom(small.model_copy(update={"mem_guarantee": "4Gi"}), [Node("n", Decimal(4), gib)]),
        headroom(small, [Node("a", Decimal(4), gib // 2), Node("b", Decimal("0.5"), 8 * gib)]),
        None,
    ]
    whys = {room.why for room in rooms if room is not None and room.why}
    assert len(whys) == 10  # every reason there is
    for room in rooms:
        describe(gpu, room, remember)
        describe(small, room, remember)
        if room is not None and not room.can_start:
            cannot_start(small, room, remember)
    page_texts(remember, rooms)
    page_texts(remember, [r for r in rooms if r is not None and not r.can_start])
    remember(NO_LOCAL_GPU)
    remember(SINGLE_TRUST)
    russian = json.loads((LOCALE / "ru_RU" / "LC_MESSAGES" / f"{DOMAIN}.json").read_text())
    missing = sorted({text for text in asked if text and not russian.get(text)})
    assert missing == []
    assert set(russian) - {""} == {text for text in asked if text}  # and nothing else
