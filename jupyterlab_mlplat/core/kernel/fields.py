"""pydantic's error types as our field reasons, each with an English sentence of our own.

pydantic's ``msg`` ("Input should be greater than or equal to 1") is neither ours nor
translatable, and its wording changes between pydantic releases; a client that shows a field's
message as sent would show it raw. So every validation error becomes a declared field reason with
the values its message names (pydantic's ``ctx``: ``ge``, ``max_length`` …), and the English
fallback is written here from the same values, in the words the sidebar's labels use.

Strings only: the core's rules raise pydantic's errors, but this table needs nothing of pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyterlab_mlplat.core.kernel.errors import FieldProblem, Param, declare_field_reasons

#: pydantic's error types → our field reasons (their params are pydantic's context keys)
PYDANTIC_FIELD_REASONS = {
    "missing": "field_required",
    "extra_forbidden": "field_unknown",
    "int_parsing": "field_not_integer",
    "int_type": "field_not_integer",
    "int_from_float": "field_not_integer",
    "bool_parsing": "field_not_boolean",
    "bool_type": "field_not_boolean",
    "string_type": "field_not_text",
    "string_too_short": "field_too_short",
    "string_too_long": "field_too_long",
    "greater_than_equal": "field_too_small",
    "less_than_equal": "field_too_large",
    "too_long": "field_too_many",
    "too_short": "field_too_few",
    "dict_type": "field_not_object",
    "list_type": "field_not_list",
    "model_type": "field_not_object",
}

#: the English fallback of each generic field reason, filled from its params
FIELD_MESSAGES = {
    "field_required": "this field is required",
    "field_unknown": "this field is not expected here",
    "field_not_integer": "enter a whole number",
    "field_not_boolean": "this must be true or false",
    "field_not_text": "this must be text",
    "field_not_list": "this must be a list",
    "field_not_object": "this must be an object (names with values)",
    "field_too_short": "too short: at least {min_length} characters",
    "field_too_long": "too long: at most {max_length} characters",
    "field_too_small": "enter {ge} or more",
    "field_too_large": "enter {le} or less",
    "field_too_many": "too many entries: at most {max_length}",
    "field_too_few": "too few entries: at least {min_length}",
    "field_invalid": "this value is not valid",
}

declare_field_reasons(*FIELD_MESSAGES)


def _scalar(value: Any) -> Param:
    return value if isinstance(value, str | int | float) else str(value)


def pydantic_problem(kind: str, context: Mapping[str, Any] | None) -> tuple[str, FieldProblem]:
    """The English message and the field reason of one pydantic error of a generic type (an
    unknown type is ``field_invalid``): never pydantic's own words."""
    reason = PYDANTIC_FIELD_REASONS.get(kind, "field_invalid")
    params = {k: _scalar(v) for k, v in (context or {}).items() if k != "error"}
    try:
        message = FIELD_MESSAGES[reason].format(**params)
    except (KeyError, IndexError):  # a pydantic release without the expected context
        message = FIELD_MESSAGES["field_invalid"]
    return message, FieldProblem(reason, params)
