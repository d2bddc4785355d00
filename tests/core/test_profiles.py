from pathlib import Path

import pytest
import yaml

from jupyterlab_mlplat.core.errors import InvalidInput
from jupyterlab_mlplat.core.naming import dns_label
from jupyterlab_mlplat.core.profiles import (
    cpu_cores,
    default_profile,
    memory_bytes,
    parse_profiles,
)

ROOT = Path(__file__).resolve().parents[2]


def _doc(**overrides: object) -> dict[str, object]:
    profile = {"slug": "cpu-small", "display_name": "Small", "image": "quay.io/x/y:1"}
    profile.update(overrides)
    return {"profiles": [profile]}


def test_shipped_profiles_offer_small_and_large_cpu_and_a_gpu() -> None:
    profiles = parse_profiles(yaml.safe_load((ROOT / "hub_config/profiles.yaml").read_text()))
    by_slug = {p.slug: p for p in profiles}
    assert {"cpu-small", "cpu-large", "gpu-1"} <= set(by_slug)
    assert default_profile(profiles).slug == "cpu-small"
    assert by_slug["gpu-1"].gpu == 1
    assert by_slug["gpu-1"].tolerations[0].key == "nvidia.com/gpu"
    assert memory_bytes(by_slug["cpu-large"].mem_limit) > memory_bytes(
        by_slug["cpu-small"].mem_limit
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Not_DNS"}, "slug"),
        ({"slug": "x" * 64}, "slug"),
        ({"image": "has space:1"}, "image"),
        ({"cpu_limit": "two"}, "cpu_limit"),
        ({"mem_limit": "4 gigs"}, "mem_limit"),
        ({"gpu": -1}, "gpu"),
        ({"gpu": 0.5}, "gpu"),
        ({"tolerations": [{"operator": "Exists"}]}, "tolerations.0.key"),
    ],
)
def test_bad_profile_fields_are_refused_with_the_field_named(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_profiles(_doc(**overrides))
    assert caught.value.field == field
    assert "profile #1" in caught.value.message


def test_duplicate_slugs_and_two_defaults_are_refused() -> None:
    one = {"slug": "a", "display_name": "A", "image": "i", "default": True}
    with pytest.raises(InvalidInput, match="unique"):
        parse_profiles({"profiles": [one, one]})
    with pytest.raises(InvalidInput, match="at most one"):
        parse_profiles({"profiles": [one, {**one, "slug": "b"}]})


def test_allowed_groups_filter_profiles() -> None:
    (gpu,) = parse_profiles(_doc(allowed_groups=["gpu-users"]))
    assert gpu.allows(["gpu-users", "other"])
    assert not gpu.allows(["data-scientists"])
    (open_profile,) = parse_profiles(_doc())
    assert open_profile.allows([])


def test_quantities() -> None:
    assert cpu_cores("500m") == cpu_cores("0.5")
    assert memory_bytes("1Gi") == 2**30
    assert memory_bytes("1G") == 10**9
    with pytest.raises(InvalidInput):
        memory_bytes("1 GB")


@pytest.mark.parametrize("bad", ["", "-a", "a-", "UPPER", "under_score", "default", "a" * 64])
def test_dns_labels(bad: str) -> None:
    with pytest.raises(InvalidInput):
        dns_label(bad)
    assert dns_label("gpu-1") == "gpu-1"
