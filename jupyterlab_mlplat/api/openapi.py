"""OpenAPI 3.1 documents generated from the routes themselves.

Each handler verb declares its operation with ``@operation(...)``: summary, body model,
responses (status → model), query parameters and the role it needs. ``document()`` walks a
route table and builds the paths from those declarations and the schemas from the pydantic
models, so a route cannot exist undocumented and a document cannot promise a route that is not
served. Both the platform API and the sidebar API are described this way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from jupyterlab_mlplat.core.kernel.errors import QueryNotBoolean, QueryNotInteger

from .errors import WWW_AUTHENTICATE, ErrorBody, FieldReason

VERBS = ("get", "post", "put", "patch", "delete")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OrAlso:
    """A model answered as JSON, or the same answer in another content type when the request
    asks for it (``?format=csv``): both are documented under the one status."""

    model: type[BaseModel]
    content_type: str
    schema: dict[str, Any]


#: a response: a model, or a (content type, JSON schema) pair for bodies that are not models
#: (content types, when the body is one of several kinds: an image as the kind it was checked)
Response = type[BaseModel] | tuple[str | tuple[str, ...], dict[str, Any]] | OrAlso | None


#: the largest whole number a query parameter takes unless it declares its own bounds
MAX_QUERY_INTEGER = 999_999_999
_DIGITS = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Query:
    name: str
    description: str = ""
    required: bool = False
    type: str = "string"
    repeated: bool = False
    #: bounds of an integer parameter (0 and MAX_QUERY_INTEGER unless given)
    minimum: int | None = None
    maximum: int | None = None
    #: a string's pattern (JSON-schema regex, anchored) or its only values, as the service checks
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    #: a string's JSON-schema format (``date-time``) when the service parses it as one
    format: str | None = None
    #: for a repeated parameter: how many distinct values it takes
    min_items: int | None = None
    max_items: int | None = None

    @property
    def bounds(self) -> tuple[int, int]:
        low = 0 if self.minimum is None else self.minimum
        return low, MAX_QUERY_INTEGER if self.maximum is None else self.maximum

    def schema(self) -> dict[str, Any]:
        one: dict[str, Any] = {"type": self.type}
        if self.type == "integer":
            one["minimum"], one["maximum"] = self.bounds
        if self.pattern is not None:
            one["pattern"] = self.pattern
        if self.format is not None:
            one["format"] = self.format
        if self.enum:
            one["enum"] = list(self.enum)
        if not self.repeated:
            return one
        many: dict[str, Any] = {"type": "array", "items": one}
        if self.min_items is not None:
            many["minItems"] = self.min_items
        if self.max_items is not None:
            many["maxItems"] = self.max_items
        if self.min_items is not None or self.max_items is not None:
            many["uniqueItems"] = True
        return many

    def integer(self, raw: str) -> int:
        """The value as the document promises to take it: ASCII digits within the bounds (no
        sign, no other script's digits); anything else is a 400 naming the parameter."""
        low, high = self.bounds
        if _DIGITS.fullmatch(raw) is None or not low <= int(raw) <= high:
            raise QueryNotInteger(
                f"The query parameter {self.name!r} must be a whole number from {low} to {high}.",
                self.name,
                params={"name": self.name, "minimum": low, "maximum": high},
            )
        return int(raw)

    def flag(self, raw: str | None) -> bool:
        """A yes/no parameter: exactly ``true`` or ``false``, absent is false; anything else
        ("True", "1", "") is a 400 rather than a silent no, so no spelling is read one way by
        one route and another way by the next."""
        value = "false" if raw is None else raw
        if value not in ("true", "false"):
            raise QueryNotBoolean(
                f"The query parameter {self.name!r} must be true or false.",
                self.name,
                params={"name": self.name, "value": value[:40]},
            )
        return value == "true"


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, tuple[Response, str]]
    body: type[BaseModel] | None = None
    body_description: str = ""
    query: tuple[Query, ...] = ()
    #: the role a caller must hold (enforced by the handler base as well as documented)
    role: str | None = None
    #: the custom scope a hub service must hold; such an operation is for that service, no person
    grant: str | None = None
    authenticated: bool = True
    errors: dict[int, str] = field(default_factory=dict)
    #: the pattern of a path parameter the service checks (JSON-schema regex, anchored)
    path: dict[str, str] = field(default_factory=dict)
    #: a body that is a file's bytes, not JSON (an uploaded image): what it must be
    upload: str = ""


def operation(
    summary: str,
    responses: dict[int, tuple[Response, str]],
    *,
    body: type[BaseModel] | None = None,
    body_description: str = "",
    query: Sequence[Query] = (),
    role: str | None = None,
    grant: str | None = None,
    authenticated: bool = True,
    errors: dict[int, str] | None = None,
    path: dict[str, str] | None = None,
    upload: str = "",
) -> Callable[[F], F]:
    """Declare what a handler verb takes and answers; the documents are built from this."""

    def mark(fn: F) -> F:
        fn.__operation__ = Operation(  # type: ignore[attr-defined]
            summary=summary,
            responses=responses,
            body=body,
            body_description=body_description,
            query=tuple(query),
            role=role,
            grant=grant,
            authenticated=authenticated,
            errors=dict(errors or {}),
            path=dict(path or {}),
            upload=upload,
        )
        return fn

    return mark


def operation_of(handler: type, verb: str) -> Operation | None:
    fn = getattr(handler, verb, None)
    return getattr(fn, "__operation__", None)


def declared_query(handler: type, verb: str, name: str) -> Query:
    """The query parameter ``name`` as ``verb`` of ``handler`` declares it."""
    op = operation_of(handler, verb)
    for query in op.query if op is not None else ():
        if query.name == name:
            return query
    raise LookupError(f"{handler.__name__}.{verb} declares no query parameter {name!r}")


def declared_verbs(handler: type) -> list[str]:
    return [verb for verb in VERBS if operation_of(handler, verb) is not None]


def template(path_regex: str) -> str:
    """``api/v1/profiles/(?P<slug>[^/]+)`` → ``/api/v1/profiles/{slug}``."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path_regex)
    return "/" + path.lstrip("/")


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


#: what every 401 carries (RFC 9110 §15.5.2)
_CHALLENGE = {
    "WWW-Authenticate": {
        "description": "The schemes the API takes, e.g. `" + WWW_AUTHENTICATE + "`.",
        "required": True,
        "schema": {"type": "string"},
    }
}


def _response(response: Response, description: str) -> dict[str, Any]:
    if response is None:
        return {"description": description}
    if isinstance(response, tuple):
        kinds, schema = response
        content_types = (kinds,) if isinstance(kinds, str) else kinds
        content = {content_type: {"schema": schema} for content_type in content_types}
        return {"description": description, "content": content}
    if isinstance(response, OrAlso):
        content = {
            "application/json": {"schema": _ref(response.model)},
            response.content_type: {"schema": response.schema},
        }
        return {"description": description, "content": content}
    return {"description": description, "content": {"application/json": {"schema": _ref(response)}}}


_STANDARD_ERRORS = {
    400: "Invalid input; `reason` says which, `fields` names each wrong field.",
    401: "No token, or one nobody issued (wrong, expired, revoked); `WWW-Authenticate` says how.",
    403: "A valid token that does not grant this: a role the caller lacks, or no access.",
    404: "No such object.",
    409: "A conflicting change; reload and retry.",
    503: "A dependency is unavailable.",
}


def _needs_body(model: type[BaseModel]) -> bool:
    """Whether a request must carry a body: a missing one is read as ``{}``, which is enough
    exactly when the body, as documented, requires no property."""
    return bool(model.model_json_schema(mode="validation").get("required"))


def _operation_id(handler: type, verb: str) -> str:
    name = handler.__name__.removesuffix("Handler")
    return f"{verb}{name}"


def document(
    *,
    title: str,
    description: str,
    version: str,
    server_url: str,
    routes: Iterable[tuple[str, type]],
    security_scheme: dict[str, Any],
    prefix: str = "",
) -> dict[str, Any]:
    """The document of ``routes`` (path regex, handler class): every declared verb, no other."""
    models: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}
    bodies: set[str] = set()
    answers: set[str] = {"ErrorBody"}
    paths: dict[str, Any] = {}
    for path_regex, handler in routes:
        verbs = declared_verbs(handler)
        if not verbs:
            continue
        item: dict[str, Any] = {}
        path = template(prefix + path_regex)
        names = re.findall(r"\{(\w+)\}", path)
        if names:
            item["parameters"] = [
                {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                for n in names
            ]
        for verb in verbs:
            op = operation_of(handler, verb)
            assert op is not None
            responses: dict[str, Any] = {}
            for status, (response, text) in sorted(op.responses.items()):
                responses[str(status)] = _response(response, text)
                if isinstance(response, OrAlso):
                    response = response.model
                if isinstance(response, type):
                    models[response.__name__] = response
                    answers.add(response.__name__)
            if op.authenticated or op.body is not None or op.query or op.upload:
                for status, text in sorted({**_STANDARD_ERRORS, **op.errors}.items()):
                    if not op.authenticated and status in (401, 403):
                        continue
                    responses.setdefault(str(status), _response(ErrorBody, text))
                if "401" in responses:
                    responses["401"]["headers"] = _CHALLENGE
            spec: dict[str, Any] = {
                "operationId": _operation_id(handler, verb),
                "summary": op.summary,
                "security": [{"token": []}] if op.authenticated else [],
                "responses": responses,
            }
            if op.role:
                spec["x-required-role"] = op.role
                spec["description"] = f"Needs the `{op.role}` role."
            if op.grant:
                spec["x-required-grant"] = op.grant
                spec["description"] = (
                    f"For the hub service holding `{op.grant}`; people are refused (403)."
                )
            if op.body is not None:
                models[op.body.__name__] = op.body
                bodies.add(op.body.__name__)
                spec["requestBody"] = {
                    "required": _needs_body(op.body),
                    "content": {"application/json": {"schema": _ref(op.body)}},
                }
                if op.body_description:
                    spec["requestBody"]["description"] = op.body_description
            if op.upload:
                spec["requestBody"] = {
                    "required": True,
                    "description": op.upload,
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                }
            # a path parameter the verb checks is described here, over the path's plain string
            parameters = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": pattern},
                }
                for name, pattern in op.path.items()
            ] + [
                {
                    "name": q.name,
                    "in": "query",
                    "required": q.required,
                    "description": q.description,
                    "schema": q.schema(),
                    **({"explode": True} if q.repeated else {}),
                }
                for q in op.query
            ]
            if parameters:
                spec["parameters"] = parameters
            item[verb] = spec
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": server_url}],
        "components": {
            "schemas": _schemas(models, answers - bodies),
            "securitySchemes": {"token": security_scheme},
        },
        "paths": paths,
    }


def _schemas(models: dict[str, type[BaseModel]], answers_only: set[str]) -> dict[str, Any]:
    """Every model's schema. A model only ever written (an answer) is described as it is
    serialised — fields with defaults are then always present, as clients read them; a model
    that is also read (a body) as it is validated.

    Answers come first; a model nested in a body that reads differently from the same model
    nested in an answer (a default that is optional to send but always written) is described
    a second time as ``<Name>Input``, so neither side's description is bent to fit the other.
    """
    schemas: dict[str, Any] = {}
    for name, model in sorted(
        models.items(), key=lambda item: (item[0] not in answers_only, item[0])
    ):
        if model is ErrorBody:
            schema = ErrorBody.schema_with_reasons()
            schema.pop("$defs", None)
            schemas["FieldReason"] = FieldReason.schema_with_reasons()
        else:
            mode: JsonSchemaMode = "serialization" if name in answers_only else "validation"
            schema = model.model_json_schema(ref_template=_REF + "{model}", mode=mode)
            if mode == "validation":
                schema = _without_nul(schema)
        nested = schema.pop("$defs", {})
        renamed = {n: f"{n}Input" for n, one in nested.items() if schemas.get(n, one) != one}
        if renamed:
            schema, nested = (
                _renamed(schema, renamed),
                {renamed.get(n, n): _renamed(one, renamed) for n, one in nested.items()},
            )
        for nested_name, nested_schema in nested.items():
            schemas.setdefault(nested_name, nested_schema)
        schemas[name] = schema
    return dict(sorted(schemas.items()))


_REF = "#/components/schemas/"
#: what parse_body takes in every text of a body: anything but NUL
_NO_NUL = "^[^\x00]*$"


def _without_nul(schema: Any) -> Any:
    """``schema`` with every string and map key a body may hold described as parse_body reads
    it: a NUL anywhere is refused (a string with its own pattern states it there)."""
    if isinstance(schema, list):
        return [_without_nul(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _without_nul(value) for key, value in schema.items()}
    if out.get("type") == "string" and not {"pattern", "enum", "const", "format"} & out.keys():
        out["pattern"] = _NO_NUL
    if out.get("type") == "object" and out.get("additionalProperties", False) is not False:
        out.setdefault("propertyNames", {"pattern": _NO_NUL})
    return out


def _renamed(schema: Any, names: dict[str, str]) -> Any:
    """``schema`` with its references to the models in ``names`` pointed at their new names."""
    if isinstance(schema, dict):
        return {
            key: _REF + names.get(value.removeprefix(_REF), value.removeprefix(_REF))
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF)
            else _renamed(value, names)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_renamed(item, names) for item in schema]
    return schema
