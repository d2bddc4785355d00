"""The OpenAPI 3.1 document: the contract of the public API.

Paths are written here by hand (what each route promises); schemas are generated from the
pydantic wire models. ``tests/platform/test_openapi.py`` fails when a route exists without a
path here, or a path here has no route, or a response does not match its schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .schemas import (
    ErrorBody,
    GitCredential,
    GitLabAccount,
    GitLabTokenInfo,
    Health,
    LatestPipeline,
    Me,
    MergeRequestBody,
    MergeRequestCreate,
    MergeRequestList,
    NamespaceList,
    PodPreview,
    ProfileList,
    ProfileRecord,
    ProfileUpdate,
    ProjectBody,
    ProjectCreate,
    TokenBody,
)

SCHEMAS: tuple[type[BaseModel], ...] = (
    ErrorBody,
    Me,
    Health,
    ProfileRecord,
    ProfileList,
    ProfileUpdate,
    PodPreview,
    GitLabAccount,
    GitLabTokenInfo,
    TokenBody,
    GitCredential,
    NamespaceList,
    ProjectCreate,
    ProjectBody,
    MergeRequestCreate,
    MergeRequestBody,
    MergeRequestList,
    LatestPipeline,
)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


_ERRORS = {
    "403": _json(ErrorBody, "Missing, wrong or insufficient token."),
    "503": _json(ErrorBody, "A dependency (JupyterHub, the database) is unavailable."),
}


def _operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    body: type[BaseModel] | None = None,
    query: tuple[str, ...] = (),
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"hubToken": []}],
        "responses": {**responses, **_ERRORS},
    }
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": _ref(body)}}}
    if query:
        operation["parameters"] = [
            {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}
            for name in query
        ]
    return operation


_GITLAB_ERRORS = {
    "400": _json(ErrorBody, "Invalid input, or GitLab refused it."),
    "404": _json(ErrorBody, "No token saved, or GitLab cannot find the project or branch."),
}


def _gitlab_paths() -> dict[str, Any]:
    """The person's GitLab token and GitLab calls made with it."""
    return {
        "/api/v1/gitlab/account": {
            "get": _operation(
                "getGitLabAccount",
                "Whether GitLab is configured and which token the caller saved (never the token).",
                {"200": _json(GitLabAccount, "The account.")},
            )
        },
        "/api/v1/gitlab/token": {
            "put": _operation(
                "saveGitLabToken",
                "Check a personal access token against GitLab and keep it, encrypted.",
                {"200": _json(GitLabTokenInfo, "Saved."), **_GITLAB_ERRORS},
                body=TokenBody,
            ),
            "delete": _operation(
                "deleteGitLabToken",
                "Forget the caller's token.",
                {"204": {"description": "Deleted."}, **_GITLAB_ERRORS},
            ),
        },
        "/api/v1/gitlab/credential": {
            "post": _operation(
                "getGitCredential",
                "The token itself, for the caller's own server to hand to git.",
                {"200": _json(GitCredential, "The credential."), **_GITLAB_ERRORS},
            )
        },
        "/api/v1/gitlab/namespaces": {
            "get": _operation(
                "listGitLabNamespaces",
                "Where the caller may create projects.",
                {"200": _json(NamespaceList, "Namespaces."), **_GITLAB_ERRORS},
            )
        },
        "/api/v1/gitlab/projects": {
            "post": _operation(
                "createGitLabProject",
                "Create a project in the caller's namespace or a group.",
                {
                    "201": _json(ProjectBody, "Created."),
                    "409": _json(ErrorBody, "The name is taken."),
                    **_GITLAB_ERRORS,
                },
                body=ProjectCreate,
            )
        },
        "/api/v1/gitlab/merge-requests": {
            "get": _operation(
                "listMergeRequests",
                "Open merge requests from a branch.",
                {"200": _json(MergeRequestList, "Merge requests."), **_GITLAB_ERRORS},
                query=("remote_url", "branch"),
            ),
            "post": _operation(
                "openMergeRequest",
                "Open a merge request from a pushed branch.",
                {
                    "201": _json(MergeRequestBody, "Opened."),
                    "409": _json(ErrorBody, "One is already open for the branch."),
                    **_GITLAB_ERRORS,
                },
                body=MergeRequestCreate,
            ),
        },
        "/api/v1/gitlab/pipelines/latest": {
            "get": _operation(
                "getLatestPipeline",
                "The newest pipeline of a branch.",
                {"200": _json(LatestPipeline, "The pipeline, or null."), **_GITLAB_ERRORS},
                query=("remote_url", "ref"),
            )
        },
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
            **_gitlab_paths(),
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
