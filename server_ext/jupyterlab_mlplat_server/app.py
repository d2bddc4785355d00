"""ExtensionApp: configuration of the sidebar's back end and the services its handlers use.

Under JupyterHub the extension forwards shared work to the platform service with the server's
``JUPYTERHUB_API_TOKEN``. With no hub (``jupyter lab`` alone, Binder) it starts the platform
in-process on SQLite for the one user of this server, who then holds every role.
"""

from __future__ import annotations

import functools
import getpass
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tornado.httpserver
import tornado.netutil
from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Type, Unicode, default

from jupyterlab_mlplat import __version__
from jupyterlab_mlplat.adapters.git import CliGit
from jupyterlab_mlplat.adapters.mlflow.registry import MlflowRegistry
from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.mlflow.tracking import MlflowTracker
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.experiments.ports import Tracker
from jupyterlab_mlplat.core.experiments.records import ROOT_ENV
from jupyterlab_mlplat.core.experiments.service import ExperimentService
from jupyterlab_mlplat.core.git.ports import GitRunner
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.models.ports import Registry
from jupyterlab_mlplat.core.models.rules import DEFAULT_CATALOG_PREFIX
from jupyterlab_mlplat.core.models.service import ModelService

from .base import SERVICES_KEY, SidebarServices
from .git_host import PlatformGitHost
from .meta import UNKNOWN_ROUTE
from .models import PlatformDeployments, PlatformPublications
from .openapi import document, handlers
from .workspace import JupyterWorkspace

if TYPE_CHECKING:
    from jupyterlab_mlplat.platform.app import PlatformApp


def _standalone_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers without a passwd entry for the uid
        return "you"


class MLPlatformServerApp(ExtensionApp):
    name = "jupyterlab_mlplat_server"

    platform_url = Unicode(
        help="Base URL of the platform service as the user's server reaches it, e.g. "
        "http://127.0.0.1:8101/services/mlplat/. Defaults to $MLPLAT_PLATFORM_URL; "
        "when neither is set the platform runs in-process (standalone mode)."
    ).tag(config=True)

    @default("platform_url")
    def _platform_url_default(self) -> str:
        return os.environ.get("MLPLAT_PLATFORM_URL", "")

    platform_token = Unicode(
        help="Token presented to the platform. Defaults to $JUPYTERHUB_API_TOKEN, the token the "
        "hub gave this server, whose scopes carry the user's platform roles."
    ).tag(config=True)

    @default("platform_token")
    def _platform_token_default(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    standalone = Bool(
        help="Run the platform inside this server for a single user who holds every role. "
        "Defaults to True when no platform_url is configured."
    ).tag(config=True)

    @default("standalone")
    def _standalone_default(self) -> bool:
        return not self.platform_url

    standalone_data_dir = Unicode(
        help="Where standalone mode keeps its SQLite database and objects, e.g. "
        "~/.local/share/jupyter/jupyterlab-mlplat."
    ).tag(config=True)

    @default("standalone_data_dir")
    def _standalone_data_dir_default(self) -> str:
        return str(Path(jupyter_data_dir()) / "jupyterlab-mlplat")

    request_timeout = Float(10.0, help="Seconds to wait for the platform, e.g. 10.").tag(
        config=True
    )

    mlflow_url = Unicode(
        help="MLflow tracking server the Experiments tab reads, as the user's kernels reach it, "
        "e.g. http://127.0.0.1:8103/services/mlflow. Defaults to $MLFLOW_TRACKING_URI when it "
        "is an http(s) URL; without one the tab says MLflow is not configured."
    ).tag(config=True)

    @default("mlflow_url")
    def _mlflow_url_default(self) -> str:
        uri = os.environ.get("MLFLOW_TRACKING_URI", "")
        return uri if uri.startswith(("http://", "https://")) else ""

    mlflow_token = Unicode(
        help="Bearer token for MLflow; defaults to $MLFLOW_TRACKING_TOKEN (the server's hub "
        "token under the workbench)."
    ).tag(config=True)

    @default("mlflow_token")
    def _mlflow_token_default(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_TOKEN", "")

    gateway_url = Unicode(
        help="The deployments' invocations gateway as this server reaches it, for the "
        "Deployments tab's Try it, e.g. http://127.0.0.1:8104/ (the hub's deployments "
        "service). Defaults to $MLPLAT_GATEWAY_URL; without one Try it answers 503."
    ).tag(config=True)

    @default("gateway_url")
    def _gateway_url_default(self) -> str:
        return os.environ.get("MLPLAT_GATEWAY_URL", "")

    mlflow_ui_url = Unicode(
        help="Where people open the MLflow UI in a browser, e.g. /services/mlflow/. Defaults "
        "to $MLPLAT_MLFLOW_UI_URL."
    ).tag(config=True)

    @default("mlflow_ui_url")
    def _mlflow_ui_url_default(self) -> str:
        return os.environ.get("MLPLAT_MLFLOW_UI_URL", "")

    tracker_class = Type(
        MlflowTracker,
        klass=Tracker,
        help="The experiment tracker client, constructed with (mlflow_url, mlflow_token), e.g. "
        "jupyterlab_mlplat.adapters.mlflow.tracking.MlflowTracker (the default).",
    ).tag(config=True)

    registry_class = Type(
        MlflowRegistry,
        klass=Registry,
        help="The model registry client, constructed with (mlflow_url, mlflow_token), e.g. "
        "jupyterlab_mlplat.adapters.mlflow.registry.MlflowRegistry (the default).",
    ).tag(config=True)

    catalog_prefix = Unicode(
        DEFAULT_CATALOG_PREFIX,
        help="Registered models whose names start with it are the catalog's (written only by "
        "the platform), e.g. catalog.; the same as the platform's and the gateway's.",
    ).tag(config=True)

    git_runner_class = Type(
        CliGit,
        klass=GitRunner,
        help="How git runs in the person's folders, constructed with no arguments, e.g. "
        "jupyterlab_mlplat.adapters.git.CliGit (the default: the git command line).",
    ).tag(config=True)

    user_name = Unicode(
        help="The person this server belongs to; defaults to $JUPYTERHUB_USER, else the local "
        "account (standalone)."
    ).tag(config=True)

    @default("user_name")
    def _user_name_default(self) -> str:
        return os.environ.get("JUPYTERHUB_USER") or _standalone_user()

    _platform: PlatformApp | None = None
    _platform_server: tornado.httpserver.HTTPServer | None = None

    @property
    def mode(self) -> Literal["hub", "standalone"]:
        return "standalone" if self.standalone else "hub"

    def initialize_settings(self) -> None:
        # kernels inherit this; MLflow runs then name their notebook relative to the root
        os.environ[ROOT_ENV] = str(self.serverapp.root_dir) if self.serverapp else ""
        if self.standalone:
            client = self._start_in_process_platform()
        else:
            if not self.platform_token:
                self.log.warning(
                    "jupyterlab-mlplat: no JUPYTERHUB_API_TOKEN; platform calls will be refused"
                )
            client = PlatformClient(
                self.platform_url, self.platform_token, timeout=self.request_timeout
            )
        self.log.info("jupyterlab-mlplat: %s mode, platform at %s", self.mode, client.base_url)
        experiments = None
        models = None
        if self.mlflow_url:
            registry_class: Any = self.registry_class  # a Type trait: mypy knows only `type`
            models = ModelService(
                registry_class(self.mlflow_url, self.mlflow_token),
                user=self.user_name,
                catalog_prefix=self.catalog_prefix,
                publications=PlatformPublications(client),
                deployments=PlatformDeployments(client),
            )
            tracker_class: Any = self.tracker_class  # a Type trait: mypy knows only `type`
            tracker = tracker_class(self.mlflow_url, self.mlflow_token)
            workspace = JupyterWorkspace(
                self.serverapp.contents_manager if self.serverapp else None
            )
            experiments = ExperimentService(tracker, user=self.user_name, workspace=workspace)
        root = Path(self.serverapp.root_dir if self.serverapp else os.getcwd())
        git_runner_class: Any = self.git_runner_class
        git = GitWorkspace(
            git_runner_class(),
            root,
            host=PlatformGitHost(client),
            author=(self.user_name, f"{self.user_name}@{socket.gethostname()}"),
            lineage=experiments,
        )
        self.settings[SERVICES_KEY] = SidebarServices(
            client=client,
            git=git,
            experiments_service=experiments,
            mode=self.mode,
            user=self.user_name,
            mlflow_ui_url=self.mlflow_ui_url or None,
            openapi=functools.partial(document, __version__),
            models_service=models,
            catalog_prefix=self.catalog_prefix,
        )

    def _start_in_process_platform(self) -> PlatformClient:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        port = sockets[0].getsockname()[1]
        # imported here: under a hub the platform runs elsewhere, and importing it (its
        # database layer, python-gitlab) would add ~0.9 s to every server's start
        from jupyterlab_mlplat.platform.app import PlatformApp

        platform, secret = PlatformApp.in_process(
            config=self.config,
            data_dir=self.standalone_data_dir,
            port=port,
            user_name=_standalone_user(),
            log=self.log,
        )
        self._platform = platform
        self._platform_server = platform.listen(sockets)
        return PlatformClient(f"http://127.0.0.1:{port}/", secret)

    def initialize_handlers(self) -> None:
        self.handlers.extend([*handlers(), UNKNOWN_ROUTE])

    async def stop_extension(self) -> None:
        await close_connections()
        if self._platform_server is not None:
            self._platform_server.stop()
        if self._platform is not None:
            self._platform.close()
