"""Every body either API takes is read within bounds: size, nesting and NUL are refused with a
400 naming the body or the field, before anything else reads it."""

from __future__ import annotations

import json
import time

import pytest

from jupyterlab_mlplat.api.base import MAX_BODY, MAX_DEPTH, depth, parse_body
from jupyterlab_mlplat.api.errors import error_reply
from jupyterlab_mlplat.api.git import CommitBody
from jupyterlab_mlplat.api.profiles import ProfileFields, ProfileUpdate
from jupyterlab_mlplat.core.kernel.errors import (
    BodyNotJson,
    BodyTooDeep,
    BodyTooLarge,
    InvalidInput,
    TextInvalid,
)


def _nested(levels: int, inner: bytes = b"") -> bytes:
    return b"[" * levels + inner + b"]" * levels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[[[[[[[["}', 1),  # brackets inside strings do not count
        (b'{"a": "\\"[[[[", "b": "\\\\"}', 1),  # escaped quotes and backslashes
        (_nested(100_000), 100_000),
        (b"17", 0),
    ],
)
def test_depth_counts_arrays_and_objects_outside_strings(text: bytes, expected: int) -> None:
    assert depth(text) == expected


@pytest.mark.parametrize("model", [ProfileFields, ProfileUpdate, CommitBody])
@pytest.mark.parametrize("levels", [MAX_DEPTH, 200, 100_000])
def test_a_body_nested_deeper_than_the_limit_is_a_400_naming_the_body(
    model: type, levels: int
) -> None:
    body = b'{"profile": ' + _nested(levels) + b', "revision": 1}'
    started = time.monotonic()
    with pytest.raises(BodyTooDeep) as refused:
        parse_body(body, model)
    assert time.monotonic() - started < 1
    assert refused.value.field == "body"
    assert refused.value.params == {"limit": MAX_DEPTH}
    status, reply = error_reply(refused.value, 500, "r1")
    assert (status, reply.reason) == (400, "body_too_deep")
    assert str(MAX_DEPTH) in reply.message


def test_nesting_up_to_the_limit_is_read() -> None:
    inner = b'{"a": ' * (MAX_DEPTH - 1) + b"1" + b"}" * (MAX_DEPTH - 1)
    assert depth(inner) == MAX_DEPTH - 1
    fields = parse_body(b'{"x": ' + inner + b"}", ProfileFields)
    assert "x" in fields.root


def test_a_body_over_the_size_limit_is_refused_before_parsing() -> None:
    with pytest.raises(BodyTooLarge) as refused:
        parse_body(b'{"a": "' + b"x" * MAX_BODY + b'"}', ProfileFields)
    assert refused.value.params == {"limit": MAX_BODY}


def test_a_megabyte_of_brackets_in_a_string_is_quick_and_not_too_deep() -> None:
    body = json.dumps({"message": "[" * (MAX_BODY - 100), "files": ["a"]}).encode()
    started = time.monotonic()
    assert parse_body(body, CommitBody).message.startswith("[[[")
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "fix\u0000", "files": ["a"]}, "message"),
        ({"message": "m", "files": ["a", "b\u0000c"]}, "files.1"),
        ({"path": "\u0000", "message": "m", "files": ["a"]}, "path"),
    ],
)
def test_a_nul_anywhere_in_a_body_is_a_400_naming_its_field(
    body: dict[str, object], field: str
) -> None:
    with pytest.raises(TextInvalid) as refused:
        parse_body(json.dumps(body).encode(), CommitBody)
    assert refused.value.field == field
    assert refused.value.params == {"field": field, "rule": "nul"}
    assert refused.value.field_reasons is not None
    assert refused.value.field_reasons[field].reason == "text_control"
    assert error_reply(refused.value, 500, None)[0] == 400


def test_a_nul_in_a_key_names_the_key() -> None:
    with pytest.raises(TextInvalid) as refused:
        parse_body(b'{"environment": {"A\\u0000": "x"}}', ProfileFields)
    assert refused.value.field == "environment.A\x00"


def test_an_escaped_backslash_before_u0000_is_text_not_nul() -> None:
    body = json.dumps({"message": "see \\u0000 in C", "files": ["a"]}).encode()
    assert parse_body(body, CommitBody).message == "see \\u0000 in C"


@pytest.mark.parametrize("body", [b"{", b"[1,]", b'{"a": "\\u0000"', b"\xff"])
def test_what_is_not_json_is_a_400(body: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_body(body, ProfileFields)
    assert isinstance(refused.value, BodyNotJson)
