"""Who is calling the platform: JupyterHub tokens in a hub, one shared secret standalone.

The authenticator class is a ``Type`` trait of the platform, so a deployment can swap it (for
example to add API keys for external systems) without touching handlers.
"""

from __future__ import annotations

import secrets
from typing import Any

from jupyterhub.services.auth import HubOAuth
from tornado.web import HTTPError
from traitlets import Instance, Unicode, default
from traitlets.config import LoggingConfigurable

from jupyterlab_mlplat.core.kernel.errors import (
    HubUnavailable,
    NoToken,
    TokenLacksAccess,
    TokenRefused,
)
from jupyterlab_mlplat.core.kernel.identity import (
    SERVICE_GRANTS,
    Identity,
    roles_from_scopes,
)

NO_CREDENTIALS_MESSAGE = (
    "This request carries no token. Call the platform with the header 'Authorization: token "
    "<your JupyterHub API token>' (the JupyterLab sidebar does this for you)."
)


class PlatformAuthenticator(LoggingConfigurable):
    """Turns the token of a request into an ``Identity``, or raises ``NotAuthenticated``."""

    async def authenticate(self, token: str | None) -> Identity:
        raise NotImplementedError


class HubTokenAuthenticator(PlatformAuthenticator):
    """Asks JupyterHub whose token it is; roles come from the custom scopes the token carries.

    The user's server calls us with its ``JUPYTERHUB_API_TOKEN``; the hub gives that token the
    subset of ``Spawner.server_token_scopes`` the user holds, so the scopes it reports are exactly
    the user's platform roles.
    """

    hub_auth = Instance(HubOAuth)

    @default("hub_auth")
    def _default_hub_auth(self) -> HubOAuth:
        # HubOAuth reads JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN and the service's OAuth client
        # from the environment the hub gives its managed services, and caches answers briefly.
        # OAuth (not plain HubAuth) so browser pages of the service can log in the same way.
        return HubOAuth(parent=self, cache_max_age=60)

    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken(NO_CREDENTIALS_MESSAGE)
        try:
            model = await self.hub_auth.user_for_token(token, sync=False)
        except HTTPError as err:
            raise HubUnavailable(
                "JupyterHub could not confirm who you are right now; try again in a moment."
            ) from err
        if not model:
            raise TokenRefused(
                "JupyterHub does not recognise this token: it is wrong, expired or revoked. "
                "Restart your server from the hub home page to get a fresh one."
            )
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            raise TokenLacksAccess(
                f"Your token does not grant access to the ML platform (it needs one of "
                f"{sorted(self.hub_auth.access_scopes)}). Ask an administrator to give your "
                "group access to the service."
            )
        if model.get("kind", "user") != "user":
            return self._service_identity(model)
        scopes = model.get("scopes", [])
        return Identity(
            name=model["name"],
            groups=tuple(model.get("groups") or ()),
            roles=roles_from_scopes(scopes),
            mode="hub",
        )

    @staticmethod
    def _service_identity(model: dict[str, Any]) -> Identity:
        """Hub services hold no person's roles; only the platform's service scopes let one in
        (the spawner reads profiles, the MLflow gateway records events), and only for that."""
        grants = frozenset(model.get("scopes", [])) & SERVICE_GRANTS
        if not grants:
            raise TokenLacksAccess("Only people can use the platform API with a hub token.")
        return Identity(name=model["name"], roles=(), mode="hub", kind="service", grants=grants)


class SharedSecretAuthenticator(PlatformAuthenticator):
    """Standalone mode: the server extension and the in-process platform share a random secret,
    and the single user of that server holds every role."""

    secret = Unicode(help="The shared secret; generated at start when unset.").tag(config=True)
    user_name = Unicode("you", help="The name of the single standalone user.").tag(config=True)

    @default("secret")
    def _default_secret(self) -> str:
        return secrets.token_urlsafe(32)

    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken(NO_CREDENTIALS_MESSAGE)
        if not secrets.compare_digest(token, self.secret):
            raise TokenRefused("This token is not valid for this platform.")
        return Identity.everything(self.user_name)
