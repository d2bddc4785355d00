"""The base of every wire model: closed (unknown fields refused) and immutable."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError, from_json

from jupyterlab_mlplat.core.kernel import naming as _naming  # noqa: F401  (its field reasons)
from jupyterlab_mlplat.core.kernel.errors import (
    BodyInvalid,
    BodyNotJson,
    BodyTooDeep,
    BodyTooLarge,
    FieldProblem,
    TextInvalid,
)
from jupyterlab_mlplat.core.kernel.fields import pydantic_problem

W = TypeVar("W", bound=BaseModel)


def _json_number(value: Any) -> Any:
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


#: a body's integer as JSON Schema means it: ``327.0`` is one (any client may send it so), while
#: ``true`` and ``"327"`` are not (pydantic's lax ``int`` takes both, ``StrictInt`` refuses 327.0)
JSON_INTEGER = BeforeValidator(_json_number)
#: (beside a ``Field`` in one ``Annotated``, put the ``Field`` first: with the validator first,
#: pydantic 2.14 documents the bounds as ``ge``/``le``, not JSON Schema's minimum/maximum)
WholeNumber = Annotated[int, JSON_INTEGER]

#: the largest JSON body any route takes; bigger ones are refused before parsing
MAX_BODY = 1024 * 1024
#: the deepest nesting of arrays and objects any route takes: the deepest body of either API (a
#: profile's tolerations) is four deep, and a parser's or a validator's work must stay bounded
MAX_DEPTH = 32

#: a JSON string, escapes included (written unrolled, so a megabyte of text is one quick scan)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENS = bytes.maketrans(b"[{]}", b"\x01\x01\x00\x00")


class Wire(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class FromCore(Wire):
    """A wire model read from a core record's attributes, field by field (never ``asdict``)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        from_attributes=True,
        json_schema_serialization_defaults_required=True,
    )


def depth(data: bytes) -> int:
    """How deep arrays and objects nest in a JSON text, read without parsing it: brackets
    inside strings do not count. Bytes that are not JSON give some number; the parser refuses
    them afterwards."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    steps = (1 if opens else -1 for opens in brackets.translate(_OPENS))
    return max(accumulate(steps), default=0)


def _nul_at(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """The path of the first string (or key) of parsed JSON that holds a NUL character."""
    if isinstance(value, str):
        return (".".join(path) or "body") if "\x00" in value else None
    items: Any = ()
    if isinstance(value, dict):
        for key in value:
            if "\x00" in key:
                return ".".join((*path, key)) or "body"
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _nul_at(item, (*path, str(key)))
        if found is not None:
            return found
    return None


def parse_body(raw: bytes | None, model: type[W]) -> W:
    """Parse a request body into an ``api`` model, shared by both APIs.

    Size and nesting are checked before anything parses the body, so the work a request can
    cause stays bounded; handlers call this after the caller is authenticated and their role
    checked. A NUL character is refused in every field of every body, naming the field: no
    text of ours may hold one (PostgreSQL refuses it, git and the system cut text there).
    """
    data = raw or b"{}"
    if len(data) > MAX_BODY:
        raise BodyTooLarge("The request body is too large.", "body", params={"limit": MAX_BODY})
    if depth(data) > MAX_DEPTH:
        raise BodyTooDeep(
            f"The request body nests arrays and objects more than {MAX_DEPTH} deep.",
            "body",
            params={"limit": MAX_DEPTH},
        )
    if b"\\u0000" in data:  # rare: only then is the body parsed twice
        try:
            where = _nul_at(from_json(data))
        except ValueError:
            raise BodyNotJson("The request body is not valid JSON.", "body") from None
        if where is not None:
            said = f"{where} must not contain a NUL character"
            raise TextInvalid(
                said,
                where,
                params={"field": where, "rule": "nul"},
                fields={where: said},
                field_reasons={where: FieldProblem("text_control")},
            )
    try:
        return model.model_validate_json(data)
    except ValidationError as err:
        first = err.errors()[0]
        if first["type"] == "json_invalid":
            raise BodyNotJson("The request body is not valid JSON.", "body") from None
        # pydantic's wording never reaches a client: a field reason with its values, and our
        # English; the form and the label of ``body_invalid`` translate the reason. Every
        # field's problem is told at once (a form shows each beside its input); the message
        # and params name the first
        fields: dict[str, str] = {}
        problems: dict[str, FieldProblem] = {}
        for each in err.errors():
            at = ".".join(str(p) for p in each["loc"]) or "body"
            if at not in fields:
                fields[at], problems[at] = pydantic_problem(each["type"], each.get("ctx"))
        where = next(iter(fields))
        said, problem = fields[where], problems[where]
        raise BodyInvalid(
            f"{where}: {said}",
            where,
            params={"field": where, "problem": problem.reason, **problem.params},
            fields=fields,
            field_reasons=problems,
        ) from None
    except (ValueError, RecursionError):
        raise BodyNotJson("The request body is not valid JSON.", "body") from None
