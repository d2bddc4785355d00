"""A real OpenID Connect provider for tests: npm ``oidc-provider`` run by node (provider.mjs).

The hub's OIDC login is tested against an OpenID-certified provider over real HTTP rather than a
mock, so what passes here is what a Keycloak or Dex in production would accept. Each
:class:`OIDCProvider` is a separate node process on a port the system picks, with the users and
clients a test declares; :func:`login` signs in through it the way a browser would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
READY = "oidc-provider ready "


@dataclass(frozen=True)
class OIDCUser:
    """A person who can sign in; ``groups`` is what the provider's ``groups`` claim carries."""

    username: str
    password: str
    groups: Sequence[str] = ()
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class OIDCClient:
    """A relying party (the hub): a confidential client that authenticates with
    ``client_secret_post`` and may use authorization codes and refresh tokens."""

    client_id: str
    client_secret: str
    redirect_uris: Sequence[str]


class OIDCProvider:
    """The provider as a context manager: started on ``__enter__``, stopped on ``__exit__``.

    ``port=None`` lets the system pick a free port, so tests running side by side never collide;
    the URLs are known once it has started.
    """

    def __init__(
        self,
        users: Sequence[OIDCUser],
        clients: Sequence[OIDCClient],
        port: int | None = None,
        *,
        startup_timeout: float = 15,
    ) -> None:
        self.users = list(users)
        self.clients = list(clients)
        #: the port asked for (0: any free one) until it has started, then the port it listens on
        self.port = port or 0
        self.startup_timeout = startup_timeout
        self.issuer = ""
        self._process: subprocess.Popen[str] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._lines: list[str] = []
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def userdata_url(self) -> str:
        return f"{self.issuer}/me"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def log(self) -> str:
        """Everything the provider printed; its errors (a refused token request, say) say why a
        login failed where the relying party only reports that it did."""
        return "".join(self._lines)

    def start(self) -> OIDCProvider:
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
            message = (
                "node or tests/standins/oidc/node_modules missing: "
                "run `source scripts/bootstrap test`"
            )
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self._tmp = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        config = Path(self._tmp.name) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "users": [_user_config(user) for user in self.users],
                    "clients": [_client_config(client) for client in self.clients],
                }
            )
        )
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(config), "--exit-on-stdin-close"],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # A thread drains the pipe for the provider's whole life: a full pipe would block node.
        self._reader = threading.Thread(target=self._read, name="oidc-provider-log", daemon=True)
        self._reader.start()
        if not self._ready.wait(self.startup_timeout) or not self.issuer:
            self.stop()
            raise RuntimeError(f"the OIDC provider did not start:\n{self.log}")
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.append(line)
            if line.startswith(READY) and not self.issuer:
                self.issuer = line[len(READY) :].strip()
                self.port = int(self.issuer.rsplit(":", 1)[1])
                self._ready.set()
        self._ready.set()  # the process ended: wake a caller still waiting for the ready line

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _user_config(user: OIDCUser) -> dict[str, object]:
    config = asdict(user)
    config["groups"] = list(user.groups)
    return {key: value for key, value in config.items() if value is not None}


def _client_config(client: OIDCClient) -> dict[str, object]:
    return {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_uris": list(client.redirect_uris),
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    }


@dataclass
class LoginForm:
    """A sign-in form found in a page: where it posts and the fields it sends."""

    action: str
    fields: dict[str, str]
    username_field: str
    password_field: str


class _FormParser(HTMLParser):
    """Finds the first form with a password field; enough for a provider's sign-in page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[dict[str, str]]]] = []
        self._inputs: list[dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._inputs = []
            self.forms.append((attributes.get("action", ""), self._inputs))
        elif tag == "input" and self._inputs is not None:
            self._inputs.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inputs = None


def find_login_form(html: str) -> LoginForm | None:
    """The page's sign-in form, or None when the page has none (already signed in, an error)."""
    parser = _FormParser()
    parser.feed(html)
    for action, inputs in parser.forms:
        password = [i["name"] for i in inputs if i.get("type") == "password" and i.get("name")]
        username = [
            i["name"]
            for i in inputs
            if i.get("type", "text") in {"text", "email"} and i.get("name")
        ]
        if password and username:
            fields = {
                i["name"]: i.get("value", "")
                for i in inputs
                if i.get("name") and i.get("type") not in {"submit", "button"}
            }
            return LoginForm(action, fields, username[0], password[0])
    return None


def login(
    session: requests.Session,
    start_url: str,
    username: str,
    password: str,
    *,
    timeout: float = 10,
) -> requests.Response:
    """Sign in the way a browser does: from ``start_url`` (the relying party's login, such as the
    hub's ``/hub/oauth_login``) through the provider's form and back to the relying party.

    Returns the last response: the relying party's page after a successful sign-in, the form
    again (status 401, "Wrong username or password") after a failed one. With a session that is
    already signed in at the provider there is no form and the first response is returned.
    """
    response = session.get(start_url, timeout=timeout)
    form = find_login_form(response.text)
    if form is None:
        return response
    data = {**form.fields, form.username_field: username, form.password_field: password}
    return session.post(urljoin(response.url, form.action), data=data, timeout=timeout)
