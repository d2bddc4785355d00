"""The OpenAPI 3.1 document: the contract of the public API.

Paths are written here by hand (what each route promises); schemas are generated from the
pydantic wire models. ``tests/platform/test_openapi.py`` fails when a route exists without a
path here, or a path here has no route, or a response does not match its schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .schemas import ErrorBody, Health, Me, PodPreview, ProfileList, ProfileRecord, ProfileUpdate

SCHEMAS: tuple[type[BaseModel], ...] = (
    ErrorBody,
    Me,
    Health,
    ProfileRecord,
    ProfileList,
    ProfileUpdate,
    PodPreview,
)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


_ERRORS = {
    "403": _json(ErrorBody, "Missing, wrong or insufficient token."),
    "503": _json(ErrorBody, "A dependency (JupyterHub, the database) is unavailable."),
}


def document(version: str, server_url: str = "/") -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in SCHEMAS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jupyterlab-mlplat platform API",
            "version": version,
            "description": (
                "The central service of the ML workbench. Authenticate with "
                "`Authorization: token <JupyterHub API token>`. Every response carries "
                "`X-Request-Id`; errors are JSON bodies with `message`, `reason`, `request_id`."
            ),
        },
        "servers": [{"url": server_url}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "hubToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <JupyterHub API token>`",
                }
            },
        },
        "paths": {
            "/": {
                "get": {
                    "operationId": "getIndex",
                    "summary": "Names the service and links this document. No token needed.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Service name and the document's path.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/api/v1/me": {
                "get": {
                    "operationId": "getMe",
                    "summary": "Who the token belongs to, with groups and platform roles.",
                    "security": [{"hubToken": []}],
                    "responses": {"200": _json(Me, "The caller."), **_ERRORS},
                }
            },
            "/api/v1/health": {
                "get": {
                    "operationId": "getHealth",
                    "summary": "Whether the platform and its database answer. No token needed.",
                    "security": [],
                    "responses": {
                        "200": _json(Health, "Every check passes."),
                        "503": _json(Health, "At least one check fails; see `checks`."),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/api/v1/profiles": {
                "get": {
                    "operationId": "listProfiles",
                    "summary": "Workspace profiles: those open to the caller's groups; all of them "
                    "for admins and for the hub's spawner (scope custom:mlplat:read-profiles).",
                    "security": [{"hubToken": []}],
                    "responses": {"200": _json(ProfileList, "The profiles, in order."), **_ERRORS},
                },
                "post": {
                    "operationId": "createProfile",
                    "summary": "Create a profile (admins). Takes effect at the next spawn.",
                    "security": [{"hubToken": []}],
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref(ProfileRecord)}},
                        "description": "The profile's fields (the `profile` object of a record).",
                    },
                    "responses": {
                        "201": _json(ProfileRecord, "Created, revision 1."),
                        "400": _json(ErrorBody, "Invalid fields; `fields` names each."),
                        "409": _json(ErrorBody, "The slug is taken."),
                        **_ERRORS,
                    },
                },
            },
            "/api/v1/profiles/{slug}": {
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "put": {
                    "operationId": "replaceProfile",
                    "summary": "Replace a profile (admins), from the revision the editor read.",
                    "security": [{"hubToken": []}],
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref(ProfileUpdate)}},
                    },
                    "responses": {
                        "200": _json(ProfileRecord, "Saved; the revision went up by one."),
                        "400": _json(ErrorBody, "Invalid fields; `fields` names each."),
                        "404": _json(ErrorBody, "No such profile."),
                        "409": _json(ErrorBody, "Somebody saved it since `revision`."),
                        **_ERRORS,
                    },
                },
                "delete": {
                    "operationId": "deleteProfile",
                    "summary": "Delete a profile (admins). Running servers keep running.",
                    "security": [{"hubToken": []}],
                    "parameters": [
                        {
                            "name": "revision",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "204": {"description": "Deleted."},
                        "404": _json(ErrorBody, "No such profile."),
                        "409": _json(ErrorBody, "Changed since `revision`, or the last one."),
                        **_ERRORS,
                    },
                },
            },
            "/api/v1/profile-preview": {
                "post": {
                    "operationId": "previewProfile",
                    "summary": "Validate a profile being edited and show its pod (admins).",
                    "security": [{"hubToken": []}],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "responses": {
                        "200": _json(PodPreview, "Valid; the pod it would give."),
                        "400": _json(ErrorBody, "Invalid fields; `fields` names each."),
                        **_ERRORS,
                    },
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "getMetrics",
                    "summary": "Prometheus metrics (aggregate request counts and latencies).",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Prometheus text exposition format.",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
        },
    }
