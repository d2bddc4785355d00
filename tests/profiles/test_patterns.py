"""The documents state each rule of one profile field as the validator checks it: a text the
document's pattern and lengths admit is accepted, any other is refused — so a client that
follows the document is never refused for a rule it could not read (tests/contract holds the
running APIs to the same), and the document promises nothing the service refuses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_mlplat.core.profiles import rules
from jupyterlab_mlplat.core.profiles.rules import InvalidProfile, validate_profile

BASE: dict[str, Any] = {"slug": "gpu-small", "display_name": "GPU", "image": "quay.io/a/b:1"}


def _set(field: str, **others: Any) -> Callable[[str], dict[str, Any]]:
    return lambda text: {field: text, **others}


#: field → (its pattern, its least and most characters, the profile holding a text there)
RULES: dict[str, tuple[str, int, int, Callable[[str], dict[str, Any]]]] = {
    "slug": (rules.SLUG_PATTERN, 1, 63, _set("slug")),
    "display_name": (rules.PLAIN_TEXT_PATTERN, 1, 100, _set("display_name")),
    "description": (rules.DESCRIPTION_PATTERN, 0, rules.MAX_DESCRIPTION, _set("description")),
    "image": (rules.IMAGE_PATTERN, 1, rules.MAX_IMAGE, _set("image")),
    "cpu_guarantee": (rules.CPU_PATTERN, 0, 64, _set("cpu_guarantee", cpu_limit="1024")),
    "cpu_limit": (rules.CPU_PATTERN, 0, 64, _set("cpu_limit", cpu_guarantee="0")),
    "mem_guarantee": (rules.MEMORY_PATTERN, 0, 64, _set("mem_guarantee", mem_limit="64Ti")),
    "mem_limit": (rules.MEMORY_PATTERN, 0, 64, _set("mem_limit", mem_guarantee="0")),
    "gpu_resource": (
        rules.GPU_RESOURCE_PATTERN,
        0,
        rules.MAX_RESOURCE_NAME,
        _set("gpu_resource"),
    ),
    "environment name": (
        rules.ENV_NAME_PATTERN,
        0,
        rules.MAX_ENV_NAME,
        lambda text: {"environment": {text: "1"}},
    ),
    "environment value": (
        rules.ENV_VALUE_PATTERN,
        0,
        rules.MAX_ENV_VALUE,
        lambda text: {"environment": {"SOME_SETTING": text}},
    ),
    "node label key": (
        rules.LABEL_KEY_PATTERN,
        0,
        10_000,
        lambda text: {"node_selector": {text: "a"}},
    ),
    "node label value": (
        rules.LABEL_VALUE_PATTERN,
        0,
        10_000,
        lambda text: {"node_selector": {"mlplat/accelerator": text}},
    ),
    "group": (
        rules.PLAIN_TEXT_PATTERN,
        1,
        rules.MAX_GROUP_NAME,
        lambda text: {"allowed_groups": [text]},
    ),
    "toleration key": (
        rules.LABEL_KEY_PATTERN,
        1,
        rules.MAX_RESOURCE_NAME,
        lambda text: {"tolerations": [{"key": text}]},
    ),
    "toleration value": (
        rules.LABEL_VALUE_PATTERN,
        0,
        63,
        lambda text: {"tolerations": [{"key": "gpu", "value": text}]},
    ),
}


def _documented(field: str, text: str) -> bool:
    pattern, least, most, _ = RULES[field]
    # anchored patterns: JSON Schema's `$` is the end of the text (Python's allows a last "\n")
    return least <= len(text) <= most and re.fullmatch(pattern, text) is not None


def _accepted(field: str, text: str) -> bool:
    try:
        validate_profile({**BASE, **RULES[field][3](text)})
    except InvalidProfile:
        return False
    return True


def _texts(pattern: str) -> st.SearchStrategy[str]:
    """Texts the pattern admits, near misses of them, and any text at all."""
    admitted = st.from_regex(pattern, fullmatch=True)
    return st.one_of(
        admitted,
        admitted.map(lambda text: text + "\n"),
        admitted.map(lambda text: "\u202e" + text),
        admitted.map(lambda text: text.upper()),
        st.text(max_size=80),
    )


@pytest.mark.parametrize("field", sorted(RULES))
def test_the_document_says_what_the_validator_checks(field: str) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_texts(RULES[field][0]))
    def agree(text: str) -> None:
        assert _documented(field, text) == _accepted(field, text), repr(text)

    agree()


@pytest.mark.parametrize(
    ("field", "text", "documented"),
    [
        ("cpu_limit", "1024", True),
        ("cpu_limit", "1024.0", True),
        ("cpu_limit", "1024.001", False),
        ("cpu_limit", "1024000m", True),
        ("cpu_limit", "1024001m", False),
        ("cpu_limit", "٢", False),
        ("mem_limit", "64Ti", True),
        ("mem_limit", "64.01Ti", False),
        ("mem_limit", "65536Gi", True),
        ("mem_limit", "65537Gi", False),
        ("mem_limit", "70368744177664.9", True),
        ("mem_limit", "70368744177665", False),
        ("mem_limit", "70.368744177664T", True),
        ("mem_limit", "70.3687441776641T", True),  # whole bytes: .1 of a byte is dropped
        ("mem_limit", "70.368744177665T", False),
        ("slug", "default", False),
        ("slug", "defaults", True),
        ("slug", "ok\n", False),
        ("environment name", "LD_PRELOAD", False),
        ("environment name", "PATH", False),
        ("environment name", "PATHS", True),
        ("environment name", "JUPYTERHUB_API_TOKEN", False),
        ("environment name", "http_proxy", True),
        ("environment name", "lower", False),
        ("environment value", "a\tb\nc", True),
        ("environment value", "a\x00b", False),
        ("display_name", "a\u202eb", False),
        ("description", "two\nlines", True),
        ("image", "quay.io/jupyter/scipy:2026", True),
        ("image", "has space", False),
    ],
)
def test_the_edges_of_each_rule(field: str, text: str, documented: bool) -> None:
    assert _documented(field, text) is documented
    assert _accepted(field, text) is documented
