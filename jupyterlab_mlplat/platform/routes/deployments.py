"""Deployments: a person's own (an admin's view of everyone's), creating one, changing its
traffic, promoting, rolling back, resizing and deleting it, its page, history and logs; the
sizes admins manage; and the routes the invocations gateway follows (its hub service only).

Who may do what is the core's (``core/deployments/service.py``): the owner or an admin change a
deployment, and to anybody else it is not there (404).
"""

from __future__ import annotations

from jupyterlab_mlplat.api.deployments import (
    MAX_LOG_LINES,
    MAX_ROUTES,
    NAME_PATH,
    SIZE_PATH,
    DeploymentBody,
    DeploymentCreate,
    DeploymentList,
    LogsBody,
    RevisionBody,
    RevisionList,
    RouteBody,
    RouteFeed,
    SizeBody,
    SizeChange,
    SizeCreate,
    SizeList,
    SizeUpdate,
    TrafficUpdate,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.deployments.records import Stage
from jupyterlab_mlplat.core.kernel.identity import ROUTE_DEPLOYMENTS_SCOPE
from jupyterlab_mlplat.platform.base import PlatformHandler

ADMIN = "admin"
_ERRORS = {
    404: "No such deployment, or not the caller's (someone else's is not revealed).",
    409: "The revision is stale (who changed what since is named), or the deployment is stopping.",
}
_CREATE_ERRORS = {
    403: "Staging serves only the caller's own models (`not_your_model`).",
    404: "No such model version the caller may read, or no such size.",
    409: "The name is taken (its owner is named), or production was asked for a version the "
    "catalog has not published (`version_not_published`).",
    503: "MLflow did not answer.",
}
_REVISION = Query("revision", "The revision the page showed.", required=True, type="integer")


class DeploymentsHandler(PlatformHandler):
    route_name = "deployments"

    @operation(
        "The caller's deployments; with `all=true`, an admin's view of everyone's.",
        {200: (DeploymentList, "Deployments, by name.")},
        query=[Query("all", "Everyone's (admins only).", enum=("true", "false"))],
    )
    async def get(self) -> None:
        everyone = self.flag_argument("all")
        found = await self.run(self.services.deployments.mine, self.identity, everyone=everyone)
        self.send_model(DeploymentList.of(found))

    @operation(
        "Deploy a model version: staging takes the caller's own, production a published "
        "version of the catalog. Its workload starts right after.",
        {201: (DeploymentBody, "Created at revision 1, pending until its workload is ready.")},
        body=DeploymentCreate,
        errors=_CREATE_ERRORS,
    )
    async def post(self) -> None:
        body = self.parse(DeploymentCreate)
        created = await self.services.deployments.create(
            self.identity, body.name, Stage(body.stage), body.model_name, body.version, body.size
        )
        self.send_model(DeploymentBody.of(created), 201)


class DeploymentHandler(PlatformHandler):
    route_name = "deployment"

    @operation(
        "A deployment's page: spec, revision, phase, each workload's status and the route. "
        "With `since`, 204 when nothing changed after it (a visible page polls cheaply).",
        {
            200: (DeploymentBody, "The deployment."),
            204: (None, "Nothing changed since `since`."),
        },
        query=[Query("since", "The `sequence` the page last showed.", type="integer")],
        path=NAME_PATH,
        errors=_ERRORS,
    )
    async def get(self, name: str) -> None:
        sent = self.get_query_argument("since", None)
        since = None if sent is None else self.int_argument("since")
        changed = self.services.deployments.changed_since
        found = await self.run(changed, self.identity, name, since)
        if found is None:
            self.send_empty()
        else:
            self.send_model(DeploymentBody.of(found))

    @operation(
        "Delete it: the route empties now, its workloads stop, then the name is free.",
        {200: (DeploymentBody, "Deleted; stopping.")},
        query=[_REVISION],
        path=NAME_PATH,
        errors=_ERRORS,
    )
    async def delete(self, name: str) -> None:
        revision = self.int_argument("revision")
        done = await self.run(self.services.deployments.delete, self.identity, name, revision)
        self.send_model(DeploymentBody.of(done))


class TrafficHandler(PlatformHandler):
    route_name = "deployment_traffic"

    @operation(
        "Set or clear the canary (a version and its share of live requests) and the shadow "
        "(a version that gets copies, never answering): a new revision.",
        {200: (DeploymentBody, "Changed; the route shifts once the new workloads are ready.")},
        body=TrafficUpdate,
        path=NAME_PATH,
        errors={**_ERRORS, **_CREATE_ERRORS},
    )
    async def put(self, name: str) -> None:
        body = self.parse(TrafficUpdate)
        changed = await self.services.deployments.set_traffic(
            self.identity,
            name,
            body.revision,
            canary=(body.canary.version, body.canary.percent) if body.canary else None,
            shadow=body.shadow.version if body.shadow else None,
        )
        self.send_model(DeploymentBody.of(changed))


class PromoteHandler(PlatformHandler):
    route_name = "deployment_promote"

    @operation(
        "The canary becomes the primary at 100 %: a new revision.",
        {200: (DeploymentBody, "Promoted.")},
        body=RevisionBody,
        path=NAME_PATH,
        errors={**_ERRORS, 409: "Stale revision, stopping, or no canary (`no_canary`)."},
    )
    async def post(self, name: str) -> None:
        body = self.parse(RevisionBody)
        done = await self.run(self.services.deployments.promote, self.identity, name, body.revision)
        self.send_model(DeploymentBody.of(done))


class RollbackHandler(PlatformHandler):
    route_name = "deployment_rollback"

    @operation(
        "The spec before the current one becomes current again, as a new revision (history is "
        "kept). Rolling back a rollback steps further back.",
        {200: (DeploymentBody, "Rolled back.")},
        body=RevisionBody,
        path=NAME_PATH,
        errors={**_ERRORS, 409: "Stale revision, stopping, or nothing earlier."},
    )
    async def post(self, name: str) -> None:
        body = self.parse(RevisionBody)
        done = await self.run(
            self.services.deployments.rollback, self.identity, name, body.revision
        )
        self.send_model(DeploymentBody.of(done))


class ResizeHandler(PlatformHandler):
    route_name = "deployment_size"

    @operation(
        "Serve it with another size's resources: a new revision.",
        {200: (DeploymentBody, "Resized.")},
        body=SizeChange,
        path=NAME_PATH,
        errors={**_ERRORS, 404: "No such deployment, or no such size."},
    )
    async def put(self, name: str) -> None:
        body = self.parse(SizeChange)
        done = await self.run(
            self.services.deployments.resize, self.identity, name, body.revision, body.size
        )
        self.send_model(DeploymentBody.of(done))


class RevisionsHandler(PlatformHandler):
    route_name = "deployment_revisions"

    @operation(
        "Every revision of the deployment's spec: who, when, which change.",
        {200: (RevisionList, "Newest first.")},
        path=NAME_PATH,
        errors=_ERRORS,
    )
    async def get(self, name: str) -> None:
        found = await self.run(self.services.deployments.revisions, self.identity, name)
        self.send_model(RevisionList.of(found))


class LogsHandler(PlatformHandler):
    route_name = "deployment_logs"

    @operation(
        "The last lines the replicas of one served version wrote.",
        {200: (LogsBody, "The log tail.")},
        query=[
            Query("version", "The served version.", required=True, pattern="^[1-9][0-9]{0,9}$"),
            Query("tail", "How many lines.", type="integer", minimum=1, maximum=MAX_LOG_LINES),
        ],
        path=NAME_PATH,
        errors={**_ERRORS, 503: "The deployment backend did not answer."},
    )
    async def get(self, name: str) -> None:
        version = self.get_query_argument("version", "")
        tail = 200 if self.get_query_argument("tail", None) is None else self.int_argument("tail")
        workload, text = await self.services.deployments.logs(self.identity, name, version, tail)
        self.send_model(LogsBody(workload=workload, version=version, text=text))


class RouteHandler(PlatformHandler):
    route_name = "deployment_route"
    allows_services = True

    @operation(
        "Where the deployment's requests go now: only ready workloads (the invocations "
        "gateway's hub service).",
        {200: (RouteBody, "The route.")},
        path=NAME_PATH,
        grant=ROUTE_DEPLOYMENTS_SCOPE,
        errors={404: "No such deployment."},
    )
    async def get(self, name: str) -> None:
        route = await self.run(self.services.deployments.route, self.identity, name)
        self.send_model(RouteBody.of(route))


class RoutesHandler(PlatformHandler):
    route_name = "deployment_routes"
    allows_services = True

    @operation(
        "Every route changed since a sequence number, in order (deleted deployments come "
        "inactive): the gateway polls it with the last `sequence` it saw.",
        {200: (RouteFeed, "Changed routes; `sequence` is the next `since`.")},
        query=[
            Query("since", "The last `sequence` seen (0: every route).", type="integer"),
            Query("limit", type="integer", minimum=1, maximum=MAX_ROUTES),
        ],
        grant=ROUTE_DEPLOYMENTS_SCOPE,
    )
    async def get(self) -> None:
        sent = self.get_query_argument
        since = 0 if sent("since", None) is None else self.int_argument("since")
        limit = MAX_ROUTES if sent("limit", None) is None else self.int_argument("limit")
        found = await self.run(self.services.deployments.routes_since, self.identity, since, limit)
        self.send_model(RouteFeed.of(found, since))


class SizesHandler(PlatformHandler):
    route_name = "deployment_sizes"

    @operation(
        "The sizes a deployment may have, smallest first.",
        {200: (SizeList, "Sizes.")},
    )
    async def get(self) -> None:
        found = await self.run(self.services.deployments.sizes, self.identity)
        self.send_model(SizeList.of(found))

    @operation(
        "Add a size (admins).",
        {201: (SizeBody, "Created, revision 1.")},
        body=SizeCreate,
        role=ADMIN,
        errors={409: "The name is taken."},
    )
    async def post(self) -> None:
        body = self.parse(SizeCreate)
        size = await self.run(
            self.services.deployments.create_size,
            self.identity,
            body.name,
            body.title,
            body.resources(),
        )
        self.send_model(SizeBody.of(size), 201)


class SizeHandler(PlatformHandler):
    route_name = "deployment_size_item"

    @operation(
        "Change a size (admins): new deployments and resizes take it; running ones keep what "
        "their spec says until resized.",
        {200: (SizeBody, "Saved; the revision went up by one.")},
        body=SizeUpdate,
        path=SIZE_PATH,
        role=ADMIN,
        errors={404: "No such size.", 409: "Somebody saved it since `revision`."},
    )
    async def put(self, size: str) -> None:
        body = self.parse(SizeUpdate)
        saved = await self.run(
            self.services.deployments.update_size,
            self.identity,
            size,
            body.revision,
            body.title,
            body.resources(),
        )
        self.send_model(SizeBody.of(saved))

    @operation(
        "Delete a size no deployment uses (admins).",
        {204: (None, "Deleted.")},
        query=[Query("revision", "The revision the editor read.", required=True, type="integer")],
        path=SIZE_PATH,
        role=ADMIN,
        errors={404: "No such size.", 409: "Changed since `revision`, or in use."},
    )
    async def delete(self, size: str) -> None:
        revision = self.int_argument("revision")
        await self.run(self.services.deployments.delete_size, self.identity, size, revision)
        self.send_empty()


_NAME = r"(?P<name>[^/]+)"
ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/deployments", DeploymentsHandler),
    ("api/v1/deployments/routes", RoutesHandler),
    (f"api/v1/deployments/{_NAME}", DeploymentHandler),
    (f"api/v1/deployments/{_NAME}/traffic", TrafficHandler),
    (f"api/v1/deployments/{_NAME}/promote", PromoteHandler),
    (f"api/v1/deployments/{_NAME}/rollback", RollbackHandler),
    (f"api/v1/deployments/{_NAME}/size", ResizeHandler),
    (f"api/v1/deployments/{_NAME}/revisions", RevisionsHandler),
    (f"api/v1/deployments/{_NAME}/logs", LogsHandler),
    (f"api/v1/deployments/{_NAME}/route", RouteHandler),
    ("api/v1/deployment-sizes", SizesHandler),
    ("api/v1/deployment-sizes/(?P<size>[^/]+)", SizeHandler),
]
