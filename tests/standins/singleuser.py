"""A person's single-user server started as the embedded hub starts it, with a stand-in hub API.

What a server start costs and what it loads is measured (bench/server_start.py) and guarded
(tests/hub/test_server_start.py) on the server alone: a whole hub would add its own CPU and
seconds of start-up to every measurement. So the server gets the command, arguments and
environment the embedded configuration gives it, and a stand-in answers the three calls it makes
to its hub over HTTP: the version check at start, the check of each request's token, and the
activity reports.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import secrets
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"
#: the configuration folder the embedded hub gives its servers (``JUPYTER_CONFIG_PATH``)
WORKSPACE_CONFIG = ROOT / "hub_config" / "workspace"
VENV_BIN = Path(sys.executable).parent
USER = "bench"


def _jupyterhub_version() -> str:
    import jupyterhub

    return str(jupyterhub.__version__)


class _HubAPI(BaseHTTPRequestHandler):
    token = ""
    user = USER

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-JupyterHub-Version", _jupyterhub_version())
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/hub/api":
            self._answer(200, {"version": _jupyterhub_version()})
        elif self.path.startswith("/hub/api/user"):
            if self.headers.get("Authorization", "") != f"token {self.token}":
                self._answer(403, {"status": 403, "message": "bad token"})
                return
            self._answer(
                200,
                {
                    "kind": "user",
                    "name": self.user,
                    "admin": False,
                    "groups": [],
                    "session_id": None,
                    "scopes": [
                        f"access:servers!server={self.user}/",
                        f"read:users:name!user={self.user}",
                    ],
                },
            )
        else:
            self._answer(404, {"status": 404})

    def do_POST(self) -> None:  # activity reports
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(200, {})


@contextlib.contextmanager
def hub_api(token: str, user: str = USER) -> Iterator[str]:
    """The stand-in hub's URL; it accepts ``token`` as ``user``'s."""
    handler = type("Handler", (_HubAPI,), {"token": token, "user": user})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def spawner_args(config: Path = HUB_CONFIG) -> list[str]:
    """``c.Spawner.args`` of the embedded configuration, read without running it (it needs the
    workbench's data folder and secrets)."""
    for node in ast.walk(ast.parse(config.read_text())):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and ast.unparse(node.targets[0]) == "c.Spawner.args"
        ):
            return [str(arg) for arg in ast.literal_eval(node.value)]
    return []


def command(with_args: bool = True) -> list[str]:
    """``c.Spawner.cmd`` + ``c.Spawner.args`` of the embedded configuration, as run by the
    spawner (which adds ``allow_root`` when a server runs as root)."""
    nice = shutil.which("nice")
    cmd = [*([nice, "-n", "10"] if nice else []), str(VENV_BIN / "jupyterhub-singleuser")]
    if with_args:
        cmd += spawner_args()
    if os.getuid() == 0:
        cmd.append("--ServerApp.allow_root=True")
    return cmd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Launch:
    """How to start one server: its environment and where it answers."""

    env: dict[str, str]
    port: int
    token: str
    user: str = USER

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/user/{self.user}/"


def environment(hub_url: str, home: Path, token: str, user: str = USER) -> Launch:
    """What ``LocalProcessSpawner.get_env`` and ``EmbeddedProfileSpawner.user_env`` give, with
    the embedded configuration's ``Spawner.environment``."""
    port = free_port()
    prefix = f"/user/{user}/"
    access = json.dumps([f"access:servers!server={user}/", f"access:servers!user={user}"])
    keep = ("PYTHONPATH", "CONDA_ROOT", "CONDA_DEFAULT_ENV", "VIRTUAL_ENV", "LANG", "LC_ALL")
    env = {key: os.environ[key] for key in keep if key in os.environ}  # Spawner.env_keep
    env.update(
        {
            "JUPYTERHUB_API_TOKEN": token,
            "JPY_API_TOKEN": token,
            "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{user}",
            "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED": "0",
            "JUPYTERHUB_HOST": "",
            "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
            "JUPYTERHUB_OAUTH_SCOPES": access,
            "JUPYTERHUB_OAUTH_ACCESS_SCOPES": access,
            "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
            "JUPYTERHUB_USER": user,
            "JUPYTERHUB_SERVER_NAME": "",
            "JUPYTERHUB_API_URL": f"{hub_url}/hub/api",
            "JUPYTERHUB_ACTIVITY_URL": f"{hub_url}/hub/api/users/{user}/activity",
            "JUPYTERHUB_BASE_URL": "/",
            "JUPYTERHUB_SERVICE_PREFIX": prefix,
            "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "MLPLAT_PLATFORM_URL": f"{hub_url}/services/mlplat/",
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "MLFLOW_TRACKING_URI": f"{hub_url}/services/mlflow",
            "MLFLOW_TRACKING_TOKEN": token,
            "MLPLAT_MLFLOW_UI_URL": "/services/mlflow/",
            "JUPYTER_CONFIG_PATH": str(WORKSPACE_CONFIG),
            "USER": user,
            "LOGNAME": user,
            "HOME": str(home),
            "SHELL": "/bin/bash",
        }
    )
    return Launch(env, port, token, user)


def new_token() -> str:
    return secrets.token_hex(16)
