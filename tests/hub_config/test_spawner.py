"""The embedded spawner renders profiles as text, filters them by group, and applies limits."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from jupyterlab_mlplat.core.errors import InvalidInput
from jupyterlab_mlplat.core.profiles import parse_profiles
from jupyterlab_mlplat.hub.spawner import EmbeddedProfileSpawner, local_limits

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


def _spawner(tmp_path: Path, groups: list[str], profile: str | None = None) -> Any:
    path = tmp_path / "profiles.yaml"
    path.write_text(yaml.safe_dump(PROFILES))
    user = SimpleNamespace(
        name="alice", groups=[SimpleNamespace(name=g) for g in groups], url="/user/alice/"
    )
    spawner = EmbeddedProfileSpawner(user=user, profiles_file=str(path))
    spawner.user_options = {"profile": profile} if profile else {}
    return spawner


async def test_form_shows_only_allowed_profiles_as_escaped_text(tmp_path: Path) -> None:
    form = await _spawner(tmp_path, ["data-scientists"]).render_profiles_form()
    assert "&lt;script&gt;" in form and "<script>" not in form
    assert 'value="gpu"' not in form
    gpu_form = await _spawner(tmp_path, ["gpu-users"]).render_profiles_form()
    assert 'value="gpu"' in gpu_form
    assert "machine's CPU" in gpu_form


def test_a_profile_outside_the_users_groups_cannot_be_chosen(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not open to you"):
        _spawner(tmp_path, ["data-scientists"], profile="gpu").chosen_profile()
    assert _spawner(tmp_path, ["gpu-users"], profile="gpu").chosen_profile().slug == "gpu"


def test_limits_are_numbers_jupyterhub_accepts() -> None:
    (profile, _) = parse_profiles(PROFILES)
    assert local_limits(profile) == {
        "mem_limit": 4 * 2**30,
        "mem_guarantee": 2**30,
        "cpu_limit": 0.5,
        "cpu_guarantee": 0.5,
    }
