from pathlib import Path

import pytest
import yaml

from jupyterlab_mlplat.core.kernel.errors import InvalidInput
from jupyterlab_mlplat.core.kernel.naming import dns_label
from jupyterlab_mlplat.core.profiles.rules import (
    InvalidProfile,
    cpu_cores,
    default_profile,
    memory_bytes,
    parse_profiles,
    validate_profile,
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
        ({"tolerations": [{"key": "", "operator": "Exists"}]}, "tolerations.0.key"),
        ({"tolerations": [{"key": "k", "effect": "Sometimes"}]}, "tolerations.0.effect"),
        ({"gpu": True}, "gpu"),
        ({"gpu_resource": "gpu please"}, "gpu_resource"),
        ({"environment": {"NOT VALID": "x"}}, "environment"),
        ({"node_selector": {"bad key!": "x"}}, "node_selector"),
        ({"cpu_guarantee": "4", "cpu_limit": "2"}, "cpu_guarantee"),
        ({"mem_guarantee": "8Gi", "mem_limit": "4Gi"}, "mem_guarantee"),
        ({"quota": {"servers_per_user": 0}}, "quota.servers_per_user"),
        ({"quota": {"gpus_per_group": -2}}, "quota.gpus_per_group"),
        ({"surprise": 1}, "surprise"),
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


def test_every_wrong_field_is_named_so_a_form_can_mark_each() -> None:
    with pytest.raises(InvalidProfile) as caught:
        validate_profile(
            {
                "slug": "Bad Slug",
                "display_name": "",
                "image": "a b",
                "cpu_limit": "lots",
                "mem_limit": "4 gigs",
                "gpu": -1,
                "tolerations": [{"effect": "NoSchedule"}],
            }
        )
    assert set(caught.value.fields) == {
        "slug",
        "display_name",
        "image",
        "cpu_limit",
        "mem_limit",
        "gpu",
        "tolerations.0.key",
    }
    assert "more" in caught.value.message
    assert "no spaces" in caught.value.fields["image"]


def test_profiles_are_ordered_by_their_order_then_slug() -> None:
    base = {"display_name": "P", "image": "i"}
    profiles = parse_profiles(
        {
            "profiles": [
                {**base, "slug": "b", "order": 2},
                {**base, "slug": "c", "order": 1},
                {**base, "slug": "a", "order": 2},
            ]
        }
    )
    assert [p.slug for p in profiles] == ["c", "a", "b"]
