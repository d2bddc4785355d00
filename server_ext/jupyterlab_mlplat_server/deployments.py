"""The sidebar's deployments: each verb forwards to the platform, which decides who may do what
(``core/deployments/service.py``), versions, routes and audits. Size edits declare the admin
role, checked before the body is read, as on the platform. The gateway's routes are the
gateway's, not the sidebar's."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.deployments import (
    MAX_LOG_LINES,
    NAME_PATH,
    SIZE_PATH,
    DeploymentBody,
    DeploymentCreate,
    DeploymentList,
    LogsBody,
    RevisionBody,
    RevisionList,
    SizeBody,
    SizeChange,
    SizeCreate,
    SizeList,
    SizeUpdate,
    TrafficUpdate,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.kernel.naming import MODEL_VERSION_PATTERN

from .base import RoleFirst, SidebarHandler

_ERRORS = {
    404: "No such deployment, or not the person's (someone else's is not revealed).",
    409: "The revision is stale (who changed what since is named), or it is stopping.",
}
_CREATE_ERRORS = {
    403: "Staging serves only the person's own models (`not_your_model`).",
    404: "No such model version the person may read, or no such size.",
    409: "The name is taken (its owner is named), or production was asked for a version the "
    "catalog has not published (`version_not_published`).",
    503: "MLflow or the platform did not answer.",
}
_REVISION = Query("revision", "The revision the page showed.", required=True, type="integer")


class DeploymentsHandler(SidebarHandler):
    @operation(
        "The person's deployments; with `all=true`, an admin's view of everyone's.",
        {200: (DeploymentList, "Deployments, by name.")},
        query=[Query("all", "Everyone's (admins only).", enum=("true", "false"))],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        everyone = self.flag_argument("all")
        self.write_model(await self.client.deployments(everyone=everyone))

    @operation(
        "Deploy a model version: staging takes the person's own, production a published "
        "version of the catalog.",
        {201: (DeploymentBody, "Created at revision 1, pending until its workload is ready.")},
        body=DeploymentCreate,
        errors=_CREATE_ERRORS,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(DeploymentCreate)
        self.write_model(await self.client.create_deployment(body.model_dump()), 201)


class DeploymentHandler(SidebarHandler):
    @operation(
        "A deployment's page: spec, revision, phase, each workload's status and the route. "
        "With `since`, 204 when nothing changed after it (the tab polls while visible).",
        {
            200: (DeploymentBody, "The deployment."),
            204: (None, "Nothing changed since `since`."),
        },
        query=[Query("since", "The `sequence` the page last showed.", type="integer")],
        path=NAME_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        sent = self.get_argument("since", None)
        since = None if sent is None else self.int_argument("since", 0)
        found = await self.client.deployment(name, since)
        if found is None:
            self.write_empty()
        else:
            self.write_model(found)

    @operation(
        "Delete it: the route empties now, its workloads stop, then the name is free.",
        {200: (DeploymentBody, "Deleted; stopping.")},
        query=[_REVISION],
        path=NAME_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        # a missing revision goes on as -1, which the platform refuses naming the parameter
        revision = self.int_argument("revision", -1)
        self.write_model(await self.client.delete_deployment(name, revision))


class TrafficHandler(SidebarHandler):
    @operation(
        "Set or clear the canary (a version and its share) and the shadow: a new revision.",
        {200: (DeploymentBody, "Changed; the route shifts once the new workloads are ready.")},
        body=TrafficUpdate,
        path=NAME_PATH,
        errors={**_ERRORS, **_CREATE_ERRORS},
    )
    @tornado.web.authenticated
    async def put(self, name: str) -> None:
        body = self.parse(TrafficUpdate)
        changed = self.client.deployment_change(name, "PUT", "traffic", body.model_dump())
        self.write_model(await changed)


class PromoteHandler(SidebarHandler):
    @operation(
        "The canary becomes the primary at 100 %: a new revision.",
        {200: (DeploymentBody, "Promoted.")},
        body=RevisionBody,
        path=NAME_PATH,
        errors={**_ERRORS, 409: "Stale revision, stopping, or no canary (`no_canary`)."},
    )
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        body = self.parse(RevisionBody)
        changed = self.client.deployment_change(name, "POST", "promote", body.model_dump())
        self.write_model(await changed)


class RollbackHandler(SidebarHandler):
    @operation(
        "The spec before the current one becomes current again (a new revision).",
        {200: (DeploymentBody, "Rolled back.")},
        body=RevisionBody,
        path=NAME_PATH,
        errors={**_ERRORS, 409: "Stale revision, stopping, or nothing earlier."},
    )
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        body = self.parse(RevisionBody)
        changed = self.client.deployment_change(name, "POST", "rollback", body.model_dump())
        self.write_model(await changed)


class ResizeHandler(SidebarHandler):
    @operation(
        "Serve it with another size's resources: a new revision.",
        {200: (DeploymentBody, "Resized.")},
        body=SizeChange,
        path=NAME_PATH,
        errors={**_ERRORS, 404: "No such deployment, or no such size."},
    )
    @tornado.web.authenticated
    async def put(self, name: str) -> None:
        body = self.parse(SizeChange)
        changed = self.client.deployment_change(name, "PUT", "size", body.model_dump())
        self.write_model(await changed)


class RevisionsHandler(SidebarHandler):
    @operation(
        "Every revision of the deployment's spec: who, when, which change.",
        {200: (RevisionList, "Newest first.")},
        path=NAME_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        self.write_model(await self.client.deployment_revisions(name))


class LogsHandler(SidebarHandler):
    @operation(
        "The last lines the replicas of one served version wrote.",
        {200: (LogsBody, "The log tail.")},
        query=[
            Query("version", "The served version.", required=True, pattern=MODEL_VERSION_PATTERN),
            Query("tail", "How many lines.", type="integer", minimum=1, maximum=MAX_LOG_LINES),
        ],
        path=NAME_PATH,
        errors={**_ERRORS, 503: "The deployment backend did not answer."},
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        version, tail = self.get_argument("version", ""), self.int_argument("tail", 200)
        self.write_model(await self.client.deployment_logs(name, version, tail))


class SizesHandler(RoleFirst):
    @operation("The sizes a deployment may have, smallest first.", {200: (SizeList, "Sizes.")})
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.deployment_sizes())

    @operation(
        "Add a size (admins).",
        {201: (SizeBody, "Created, revision 1.")},
        body=SizeCreate,
        role="admin",
        errors={409: "The name is taken."},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(SizeCreate)
        self.write_model(await self.client.create_size(body.model_dump()), 201)


class SizeHandler(RoleFirst):
    @operation(
        "Change a size (admins): new deployments and resizes take it.",
        {200: (SizeBody, "Saved; the revision went up by one.")},
        body=SizeUpdate,
        path=SIZE_PATH,
        role="admin",
        errors={404: "No such size.", 409: "Somebody saved it since `revision`."},
    )
    @tornado.web.authenticated
    async def put(self, size: str) -> None:
        body = self.parse(SizeUpdate)
        self.write_model(await self.client.update_size(size, body.model_dump()))

    @operation(
        "Delete a size no deployment uses (admins).",
        {204: (None, "Deleted.")},
        query=[Query("revision", "The revision the editor read.", required=True, type="integer")],
        path=SIZE_PATH,
        role="admin",
        errors={404: "No such size.", 409: "Changed since `revision`, or in use."},
    )
    @tornado.web.authenticated
    async def delete(self, size: str) -> None:
        await self.client.delete_size(size, self.int_argument("revision", -1))
        self.write_empty()


_NAME = r"(?P<name>[^/]+)"
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("deployments", DeploymentsHandler),
    (f"deployments/{_NAME}", DeploymentHandler),
    (f"deployments/{_NAME}/traffic", TrafficHandler),
    (f"deployments/{_NAME}/promote", PromoteHandler),
    (f"deployments/{_NAME}/rollback", RollbackHandler),
    (f"deployments/{_NAME}/size", ResizeHandler),
    (f"deployments/{_NAME}/revisions", RevisionsHandler),
    (f"deployments/{_NAME}/logs", LogsHandler),
    ("deployment-sizes", SizesHandler),
    ("deployment-sizes/(?P<size>[^/]+)", SizeHandler),
]
