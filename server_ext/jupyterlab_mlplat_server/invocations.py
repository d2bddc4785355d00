"""Try it: the Deployments tab calls a deployment through the invocations gateway as the person.

The browser holds no token the gateway takes (its page has only the lab's cookie), so the
person's server calls the gateway with its own hub token, as the person's notebooks would, and
hands the answer back as it came: the model's JSON, or the gateway's or model server's refusal
(``message`` and ``reason``, which the tab translates). Nothing here decides who may call what:
the gateway does (owner or admin), as for every caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urljoin

import tornado.web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.api.deployments import NAME_PATH
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.kernel.errors import BodyTooLarge, Unavailable

from .base import SidebarHandler

#: the most a request body may carry to the gateway (a few thousand rows of a table)
MAX_BODY = 1024 * 1024
#: a model that takes longer is not one to try from a form
TIMEOUT = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class GatewayCaller:
    """Calls ``POST {gateway}/api/v1/deployments/{name}/invocations`` with a hub token.

    ``gateway`` is the hub's ``deployments`` service as this server reaches it (the
    extension's ``gateway_url``); empty in standalone mode, where no gateway runs."""

    gateway: str
    token: str

    async def invoke(self, name: str, body: bytes) -> Answer:
        if not self.gateway:
            raise Unavailable(
                "no deployments gateway is configured (standalone mode)",
                params={"service": "deployments"},
            )
        base = self.gateway if self.gateway.endswith("/") else self.gateway + "/"
        url = urljoin(base, f"api/v1/deployments/{quote(name, safe='')}/invocations")
        request = HTTPRequest(
            url,
            method="POST",
            body=body,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            request_timeout=TIMEOUT,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as e:
            raise Unavailable(
                "the deployments gateway did not answer", params={"service": "deployments"}
            ) from e
        if response.code == 599:  # tornado's own: no answer (refused, timed out)
            raise Unavailable(
                "the deployments gateway did not answer", params={"service": "deployments"}
            )
        return Answer(
            response.code,
            response.headers.get("Content-Type", "application/json"),
            response.body or b"",
        )


class InvocationsHandler(SidebarHandler):
    @operation(
        "Try a deployment: the body goes to the invocations gateway as the person (the MLflow "
        "scoring protocol: dataframe_split, dataframe_records, instances, inputs); the model's "
        "answer, or the gateway's or model server's refusal, comes back as it came.",
        {200: (("application/json", {"type": "object"}), "The model's answer.")},
        body_description="A scoring request, as `POST /invocations` of the model takes it.",
        path=NAME_PATH,
        errors={
            400: "The model server refused the payload (it names the problem), or the body is "
            "larger than 1 MiB (`body_too_large`).",
            403: "Neither the deployment's owner nor an admin.",
            404: "No such deployment.",
            429: "Too many requests.",
            502: "The model server failed.",
            503: "The gateway or the model server is unavailable.",
        },
    )
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        body = self.request.body or b""
        if len(body) > MAX_BODY:
            raise BodyTooLarge(
                f"the request body is larger than {MAX_BODY} bytes", params={"limit": MAX_BODY}
            )
        answer = await self.caller().invoke(name, body)
        self.set_status(answer.status)
        self.set_header("Content-Type", answer.content_type)
        self.finish(answer.body)

    def caller(self) -> GatewayCaller:
        app = self.extensionapp
        return GatewayCaller(getattr(app, "gateway_url", ""), getattr(app, "platform_token", ""))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    (r"deployments/(?P<name>[^/]+)/invocations", InvocationsHandler),
]
