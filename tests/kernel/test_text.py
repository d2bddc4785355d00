"""Text and paths a person sends: what no field may hold is refused naming the field and the
rule, so the sidebar can say it in the person's language."""

from __future__ import annotations

import pytest

from jupyterlab_mlplat.core.kernel.errors import TextInvalid
from jupyterlab_mlplat.core.kernel.naming import (
    FILE_NAME_MAX,
    PATH_MAX,
    file_path,
    text,
    text_problem,
)


@pytest.mark.parametrize(
    ("value", "lines", "rule"),
    [
        ("plain", False, None),
        ("Модель для «Горводоканала»", False, None),
        ("a\x00b", True, "nul"),
        ("red \x1b[31m", True, "control"),
        ("two\nlines", False, "control"),
        ("two\nlines\tand a tab\r\n", True, None),
        ("C1 \x85", True, "control"),
        ("DEL \x7f", True, "control"),
        ("admin\u202egnp.exe", False, "bidi"),
        ("isolate \u2066x\u2069", True, "bidi"),
        ("mark \u200f", False, "bidi"),
    ],
)
def test_text_problem_names_the_rule(value: str, lines: bool, rule: str | None) -> None:
    assert text_problem(value, lines=lines) == rule


def test_free_text_may_quote_right_to_left_marks_when_asked() -> None:
    assert text_problem("שלום \u200f", bidi=True) is None
    assert text("שלום \u200f", field="message", limit=100, bidi=True)


@pytest.mark.parametrize(
    ("value", "rule", "limit"),
    [
        ("x" * 11, "too_long", 10),
        ("a\x00", "nul", None),
        ("\x1b]0;title\x07", "control", None),
        ("\u202e", "bidi", None),
    ],
)
def test_text_refuses_naming_field_rule_and_limit(value: str, rule: str, limit: int | None) -> None:
    with pytest.raises(TextInvalid) as refused:
        text(value, field="title", limit=10)
    expected: dict[str, str | int] = {"field": "title", "rule": rule}
    if limit is not None:
        expected["limit"] = limit
    assert refused.value.params == expected
    assert refused.value.field == "title"
    assert refused.value.reason == "text_invalid"


def test_the_limit_counts_characters_not_bytes() -> None:
    assert text("ж" * 10, field="title", limit=10) == "ж" * 10


@pytest.mark.parametrize(
    ("value", "rule", "limit"),
    [
        ("a\x00b", "nul", None),
        ("d/" * (PATH_MAX // 2) + "x", "path_too_long", PATH_MAX),
        ("a" * 9000, "path_too_long", PATH_MAX),
        ("folder/" + "a" * (FILE_NAME_MAX + 1), "name_too_long", FILE_NAME_MAX),
        ("ж" * 128, "name_too_long", FILE_NAME_MAX),  # 256 bytes
    ],
)
def test_file_paths_refuse_nul_and_what_the_system_cannot_hold(
    value: str, rule: str, limit: int | None
) -> None:
    with pytest.raises(TextInvalid) as refused:
        file_path(value, field="files.0")
    assert refused.value.params["rule"] == rule
    assert refused.value.params["field"] == "files.0"
    assert refused.value.params.get("limit") == limit


@pytest.mark.parametrize(
    "value", ["", "a/b.ipynb", "notes\nwith newline.txt", "ж" * 127, "a" * FILE_NAME_MAX]
)
def test_any_file_a_person_may_have_is_a_path(value: str) -> None:
    assert file_path(value, field="path") == value
