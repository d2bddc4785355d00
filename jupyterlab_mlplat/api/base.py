"""The base of every wire model: closed (unknown fields refused) and immutable."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from jupyterlab_mlplat.core.kernel.errors import BodyInvalid, BodyNotJson, BodyTooLarge

W = TypeVar("W", bound=BaseModel)

#: the largest JSON body any route takes; bigger ones are refused before parsing
MAX_BODY = 1024 * 1024


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


def parse_body(raw: bytes | None, model: type[W]) -> W:
    """Parse a request body into an ``api`` model, shared by both APIs.

    The size is checked before parsing and pydantic's own JSON parser is used (it has no
    recursion limit to hit, unlike ``json.loads``), so a huge or deeply nested body is a 400.
    """
    data = raw or b"{}"
    if len(data) > MAX_BODY:
        raise BodyTooLarge("The request body is too large.", "body", params={"limit": MAX_BODY})
    try:
        return model.model_validate_json(data)
    except ValidationError as err:
        first = err.errors()[0]
        if first["type"] == "json_invalid":
            raise BodyNotJson("The request body is not valid JSON.", "body") from None
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise BodyInvalid(f"{where}: {first['msg']}", where, params={"field": where}) from None
    except (ValueError, RecursionError):
        raise BodyNotJson("The request body is not valid JSON.", "body") from None
