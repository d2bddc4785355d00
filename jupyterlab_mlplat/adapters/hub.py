"""JupyterHub's REST API as the platform reads it with its own service token: users, groups
and roles for the admin console's people view. Read-only; the platform's hub role grants
``list:users``, ``read:users``, ``list:groups``, ``read:groups`` and ``read:roles`` (the role
names of users and groups; hub_config/roles.py), nothing that changes anybody."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.core.analytics.ports import RunningServer
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.core.people.errors import HubRefused
from jupyterlab_mlplat.core.people.records import Directory, HubGroup, HubUser

#: the hub's paginated answers: ``{"items": [...], "_pagination": {"next": ...}}``
PAGINATION = "application/jupyterhub-pagination+json"
#: items asked per page (the hub caps it at its own ``api_page_max_limit``)
PAGE = 200
#: pages read at most per list: 100,000 people is far past any hub this serves
MAX_PAGES = 500


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


class HubApi:
    """``core.people.ports.HubDirectory`` over the hub's REST API."""

    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/") + "/"
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:  # never the token
        return f"HubApi({self.api_url!r})"

    async def _get(self, path: str, query: dict[str, Any] | None = None) -> Any:
        url = self.api_url + path + (f"?{urlencode(query)}" if query else "")
        request = HTTPRequest(
            url,
            headers={"Authorization": f"token {self._token}", "Accept": PAGINATION},
            connect_timeout=self._timeout,
            request_timeout=self._timeout,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError) as err:
            raise Unavailable(f"JupyterHub did not answer ({type(err).__name__}).") from None
        if response.code in (401, 403):
            raise HubRefused(
                "JupyterHub refused the platform's token: give the platform's hub role the "
                "scopes list:users, read:users, list:groups, read:groups and read:roles.",
                params={"status": response.code},
            )
        if response.code != 200:
            raise Unavailable(f"JupyterHub answered {response.code} for {path}.")
        try:
            return json.loads(response.body)
        except ValueError:
            raise Unavailable("JupyterHub answered with a body that is not JSON.") from None

    async def _all(self, path: str, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a list the hub may page (a list it does not page comes whole)."""
        items: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            answer = await self._get(path, {**(query or {}), "offset": offset, "limit": PAGE})
            if isinstance(answer, list):
                return items + answer
            page = answer.get("items") or []
            items.extend(page)
            following = (answer.get("_pagination") or {}).get("next")
            if not following or not page:
                break
            offset = int(following.get("offset", offset + len(page)))
        return items

    async def directory(self) -> Directory:
        users = await self._all("users")
        groups = await self._all("groups")
        return Directory(
            users=tuple(
                HubUser(
                    name=str(u["name"]),
                    groups=_names(u.get("groups")),
                    roles=_names(u.get("roles")),
                    admin=bool(u.get("admin")),
                    last_activity=_time(u.get("last_activity")),
                )
                for u in users
                if u.get("kind", "user") == "user"
            ),
            groups=tuple(HubGroup(str(g["name"]), _names(g.get("roles"))) for g in groups),
        )

    async def servers(self) -> list[RunningServer]:
        """Every running server (``core.analytics.ports.HubServers``), for the usage sampler:
        its profile and last activity (the scope ``read:servers``) and, from the spawner's
        state, the local process spawner's pid (``admin:server_state``; absent without it)."""
        found = []
        # ``state=active``: only users with a server running or starting, each with its servers
        for user in await self._all("users", {"state": "active"}):
            if user.get("kind", "user") != "user":
                continue
            for name, server in (user.get("servers") or {}).items():
                if not server.get("ready") and not server.get("started"):
                    continue
                options = server.get("user_options") or {}
                pid = (server.get("state") or {}).get("pid")
                found.append(
                    RunningServer(
                        owner=str(user["name"]),
                        name=str(name or ""),
                        profile=str(options.get("profile") or ""),
                        last_activity=_time(server.get("last_activity")),
                        pid=pid if isinstance(pid, int) and pid > 0 else None,
                    )
                )
        return found
