"""The platform service application: configuration, start-up, and the tornado app.

Run as a JupyterHub-managed service (``mlplat-platform``, see hub_config/), or in-process by the
server extension in standalone mode (``PlatformApp.instance_in_process``).
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.platform.asyncio
import tornado.web
from traitlets import (
    Bool,
    CaselessStrEnum,
    Float,
    Int,
    List,
    TraitError,
    Type,
    Unicode,
    default,
    validate,
)
from traitlets.config import Application

from jupyterlab_mlplat import __version__
from jupyterlab_mlplat.adapters.cipher import FernetCipher, key_from_file
from jupyterlab_mlplat.adapters.documents import NbformatNotebooks, PillowImages
from jupyterlab_mlplat.adapters.drift import MlflowDriftReferences, ScipyDriftStatistics
from jupyterlab_mlplat.adapters.gitlab import GitLabApi
from jupyterlab_mlplat.adapters.hub import HubApi
from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.mlflow.activity import MlflowTeamActivity
from jupyterlab_mlplat.adapters.mlflow.deployments import MlflowModelSources
from jupyterlab_mlplat.adapters.mlflow.publishing import CatalogPublisher
from jupyterlab_mlplat.adapters.mlflow.registry import PlatformMlflowRegistry
from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.sql.store import MigrationError, SqlStore, redact_url
from jupyterlab_mlplat.api.mlflow import SECRET_ENV
from jupyterlab_mlplat.api.request_id import LOG_FORMAT, RequestIdFilter, current_request_id
from jupyterlab_mlplat.api.reviews import ModelCardRules
from jupyterlab_mlplat.core.accounts.service import AccountService
from jupyterlab_mlplat.core.analytics.teams_service import TeamService
from jupyterlab_mlplat.core.analytics.usage_service import UsageService
from jupyterlab_mlplat.core.apikeys.service import ApiKeyService
from jupyterlab_mlplat.core.audit.service import AuditService
from jupyterlab_mlplat.core.catalog.service import CatalogService
from jupyterlab_mlplat.core.deployments.drift import DriftSettings
from jupyterlab_mlplat.core.deployments.drift_service import DriftService, Reference
from jupyterlab_mlplat.core.deployments.ports import Deployer
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.deployments.traffic import TrafficSettings
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService
from jupyterlab_mlplat.core.experiments.service import ExperimentEvents
from jupyterlab_mlplat.core.gitlab.ports import Cipher, GitLab
from jupyterlab_mlplat.core.gitlab.service import GitLabAccounts
from jupyterlab_mlplat.core.health.service import HealthService
from jupyterlab_mlplat.core.instructions.records import MAX_ARTICLE_CHARS, MAX_TASKS
from jupyterlab_mlplat.core.instructions.rules import Limits
from jupyterlab_mlplat.core.instructions.service import InstructionService
from jupyterlab_mlplat.core.instructions.starter import starter_set
from jupyterlab_mlplat.core.kernel.storage import MetadataStore, ObjectStore, ObjectStoreSettings
from jupyterlab_mlplat.core.people.service import PeopleService
from jupyterlab_mlplat.core.profiles.rules import load_profiles_file
from jupyterlab_mlplat.core.profiles.service import ProfileService
from jupyterlab_mlplat.core.reviews.service import ReviewService
from jupyterlab_mlplat.core.settings.records import HubPolicy
from jupyterlab_mlplat.core.settings.service import SettingsService

from . import openapi
from .auth import HubTokenAuthenticator, PlatformAuthenticator
from .base import Services
from .drift import DriftJob
from .observability import Metrics
from .reconciler import Reconciler
from .routes import ROUTES
from .routes.meta import NoRouteHandler
from .traffic import TrafficPruneJob
from .usage import UsageJob

#: loggers whose lines should carry the request id and go where the platform logs
_OWN_LOGGERS = ("mlplat", "jupyterlab_mlplat", "tornado.access", "tornado.application")


def _default_data_dir() -> str:
    return os.environ.get("MLPLAT_DATA_DIR") or str(
        Path.home() / ".local" / "share" / "jupyterlab-mlplat"
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Access log without the query string: a query can carry user input or a token."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    logging.getLogger("tornado.access").log(
        level,
        "%d %s %s %.1fms",
        status,
        handler.request.method,
        handler.request.path,
        1000.0 * handler.request.request_time(),
    )


#: the starter set shipped in the package (docs/instructions.md)
STARTER_FOLDER = Path(__file__).resolve().parent.parent / "instructions" / "starter"


class PlatformApp(Application):
    name = "mlplat-platform"
    description = "The jupyterlab-mlplat platform service (runs under JupyterHub)."
    version = __version__

    aliases = {
        "data-dir": "PlatformApp.data_dir",
        "db-url": "PlatformApp.db_url",
        "ip": "PlatformApp.ip",
        "port": "PlatformApp.port",
        "base-url": "PlatformApp.base_url",
        "log-level": "Application.log_level",
        "config": "PlatformApp.config_file",
    }
    flags = {
        "upgrade-db": (
            {"PlatformApp": {"upgrade_db_only": True}},
            "Run the database migrations and exit.",
        ),
    }

    config_file = Unicode("", help="A Python config file, e.g. /etc/mlplat/mlplat_config.py.").tag(
        config=True
    )

    data_dir = Unicode(
        help="Folder of the embedded state (SQLite database, object store), e.g. /srv/mlplat. "
        "Defaults to $MLPLAT_DATA_DIR, else ~/.local/share/jupyterlab-mlplat."
    ).tag(config=True)

    @default("data_dir")
    def _data_dir_default(self) -> str:
        return _default_data_dir()

    db_url = Unicode(
        help="SQLAlchemy URL of the metadata database, e.g. "
        "postgresql+psycopg://mlplat@db:5432/mlplat. Defaults to SQLite in data_dir. "
        "Migrations run on start."
    ).tag(config=True)

    @default("db_url")
    def _db_url_default(self) -> str:
        sqlite_file = Path(self.data_dir) / "mlplat.sqlite"
        return os.environ.get("MLPLAT_DB_URL") or f"sqlite:///{sqlite_file}"

    object_store_dir = Unicode(
        help="Folder of the local object store (embedded mode), e.g. /srv/mlplat/objects."
    ).tag(config=True)

    @default("object_store_dir")
    def _object_store_dir_default(self) -> str:
        return str(Path(self.data_dir) / "objects")

    store_class = Type(
        SqlStore,
        klass=MetadataStore,
        help="Metadata store backend, opened with from_url(db_url), e.g. "
        "jupyterlab_mlplat.adapters.sql.store.SqlStore (the default).",
    ).tag(config=True)

    object_store_class = Type(
        LocalObjectStore,
        klass=ObjectStore,
        help="Object store backend, e.g. "
        "jupyterlab_mlplat.adapters.local.objects.LocalObjectStore (the default, a folder: "
        "object_store_dir) or jupyterlab_mlplat.adapters.s3.S3ObjectStore (a bucket of MinIO "
        "or any S3: the s3_* settings).",
    ).tag(config=True)

    s3_endpoint = Unicode(
        "",
        help="The S3 server of S3ObjectStore, a bare URL, e.g. https://minio.mlplat:9000.",
    ).tag(config=True)
    s3_bucket = Unicode(
        "mlplat", help="The bucket S3ObjectStore keeps objects in, e.g. mlplat (must exist)."
    ).tag(config=True)
    s3_prefix = Unicode(
        "",
        help="A key prefix inside the bucket, so several platforms can share one, e.g. prod.",
    ).tag(config=True)
    s3_region = Unicode("", help="The S3 region, e.g. us-east-1 (empty: asked of the server).").tag(
        config=True
    )
    s3_access_key_file = Unicode(
        "",
        help="File holding the S3 access key id, readable by the platform alone, e.g. "
        "/etc/mlplat/secrets/s3-access-key.",
    ).tag(config=True)
    s3_secret_key_file = Unicode(
        "",
        help="File holding the S3 secret key, readable by the platform alone, e.g. "
        "/etc/mlplat/secrets/s3-secret-key.",
    ).tag(config=True)

    def object_store(self) -> ObjectStore:
        """The configured object store: the class opened on the settings it needs (the folder,
        or the bucket and its key files)."""
        store_class: Any = self.object_store_class
        return store_class.from_settings(  # type: ignore[no-any-return]
            ObjectStoreSettings(
                folder=self.object_store_dir,
                endpoint=self.s3_endpoint,
                bucket=self.s3_bucket,
                prefix=self.s3_prefix,
                region=self.s3_region,
                access_key_file=self.s3_access_key_file,
                secret_key_file=self.s3_secret_key_file,
            )
        )

    gitlab_class = Type(
        GitLabApi,
        klass=GitLab,
        help="GitLab API client, constructed with gitlab_url when one is set, e.g. "
        "jupyterlab_mlplat.adapters.gitlab.GitLabApi (the default, python-gitlab).",
    ).tag(config=True)

    cipher_class = Type(
        FernetCipher,
        klass=Cipher,
        help="Encryption of secrets at rest, opened with from_key_file(token_key_file), e.g. "
        "jupyterlab_mlplat.adapters.cipher.FernetCipher (the default).",
    ).tag(config=True)

    authenticator_class = Type(
        HubTokenAuthenticator,
        klass=PlatformAuthenticator,
        help="How callers are identified, e.g. "
        "jupyterlab_mlplat.platform.auth.HubTokenAuthenticator (the default, under JupyterHub).",
    ).tag(config=True)

    ip = Unicode(help="Address to listen on, e.g. 127.0.0.1.").tag(config=True)
    port = Int(help="Port to listen on, e.g. 8101 (0 picks a free port).").tag(config=True)
    base_url = Unicode(
        help="URL prefix the service is served under, e.g. /services/mlplat/. "
        "Defaults to $JUPYTERHUB_SERVICE_PREFIX, else /."
    ).tag(config=True)

    upgrade_db_only = Bool(False, help="Run the migrations and exit.").tag(config=True)

    profiles_seed_file = Unicode(
        "",
        help="YAML file of workspace profiles copied into the database on the first start, "
        "e.g. hub_config/profiles.yaml. Later starts keep what admins edited.",
    ).tag(config=True)
    gitlab_url = Unicode(
        "",
        help="The organisation's GitLab, e.g. https://gitlab.example.org. Empty: no GitLab "
        "features (the Git tab still commits locally).",
    ).tag(config=True)
    mlflow_url = Unicode(
        help="MLflow's own server, reached directly (not through the gateway), where the "
        "platform reads submitted versions as their authors and writes the catalog as "
        "mlplat-platform, e.g. http://127.0.0.1:8102/services/mlflow. Defaults to "
        "$MLPLAT_MLFLOW_UPSTREAM (with the gateway's prefix); empty: publishing is off.",
    ).tag(config=True)

    @default("mlflow_url")
    def _mlflow_url_default(self) -> str:
        upstream = os.environ.get("MLPLAT_MLFLOW_UPSTREAM", "").rstrip("/")
        return f"{upstream}/services/mlflow" if upstream else ""

    mlflow_secret_file = Unicode(
        "",
        help="File holding the secret MLflow's auth function shares with the gateway, with "
        "which the platform asserts its own identity (and an author's, to read a submission), "
        "e.g. /srv/mlplat/secrets/mlflow-gateway-secret. Empty: $MLPLAT_MLFLOW_GATEWAY_SECRET.",
    ).tag(config=True)

    catalog_prefix = Unicode(
        "catalog.",
        help="The namespace of the catalog's registered models in MLflow, e.g. catalog. "
        "(catalog.churn); the gateway refuses people's writes under it. Keep it equal to the "
        "gateway's and the user servers' catalog_prefix.",
    ).tag(config=True)

    _said_no_mlflow = False

    def platform_registry(self) -> PlatformMlflowRegistry | None:
        """The registry as the platform's own MLflow identity, or None without MLflow."""
        secret = os.environ.get(SECRET_ENV, "")
        if self.mlflow_secret_file:
            secret = Path(self.mlflow_secret_file).read_text().strip()
        if not self.mlflow_url or not secret:
            if not self._said_no_mlflow:  # asked once per room that uses it: said once
                self._said_no_mlflow = True
                self.log.info(
                    "no MLflow for the platform (mlflow_url or its secret unset): publishing to"
                    " the catalog, deploying registered versions, drift references and the"
                    " teams' MLflow figures are off"
                )
            return None
        return PlatformMlflowRegistry(self.mlflow_url, secret)

    def team_activity(self) -> MlflowTeamActivity | None:
        """MLflow's side of the team figures (runs, registered versions), or None without it."""
        registry = self.platform_registry()
        return MlflowTeamActivity(registry) if registry is not None else None

    def catalog_publisher(self) -> CatalogPublisher | None:
        """The reviews room's registry: snapshots read as authors, publishing as the platform."""
        registry = self.platform_registry()
        return CatalogPublisher(registry) if registry is not None else None

    token_key_file = Unicode(
        help="File holding the key that encrypts people's GitLab tokens at rest, e.g. "
        "/etc/mlplat/token.key (created, mode 0600, when missing). Defaults to "
        "data_dir/secrets/token.key. Keep it out of database backups.",
    ).tag(config=True)

    @default("token_key_file")
    def _token_key_file_default(self) -> str:
        return str(Path(self.data_dir) / "secrets" / "token.key")

    known_groups = List(
        Unicode(),
        help="The hub groups a profile may be opened to, e.g. ['data-scientists', 'admins']: "
        "usually the groups allowed to log in. Empty: any name is accepted.",
    ).tag(config=True)

    approvals_required = Int(
        1,
        help="How many distinct reviewers must approve a submission before it is published, "
        "e.g. 2. Never the author. The default of the live setting admins change in the "
        "Admin tab (a stored value overrides it until reset).",
    ).tag(config=True)
    server_idle_timeout = Int(
        help="Seconds the hub's idle culler lets a server idle before stopping it, e.g. 3600, "
        "shown read-only in the Admin tab (the hub's configuration sets the culler: "
        "MLPLAT_IDLE_TIMEOUT on a cluster). 0: no culler. Defaults to $MLPLAT_IDLE_TIMEOUT.",
    ).tag(config=True)

    @default("server_idle_timeout")
    def _server_idle_timeout_default(self) -> int:
        text = os.environ.get("MLPLAT_IDLE_TIMEOUT", "")
        return int(text) if text.isdigit() else 0

    def hub_directory(self) -> HubApi | None:
        """The hub's REST API with the platform's own service token (the people view), or
        None when the platform answers to no hub (standalone)."""
        url = os.environ.get("JUPYTERHUB_API_URL", "")
        token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
        authenticator: Any = self.authenticator_class
        under_hub = issubclass(authenticator, HubTokenAuthenticator)
        return HubApi(url, token) if under_hub and url and token else None

    def settings_service(self, store: Any) -> SettingsService:
        """Live settings: the traits are the defaults an admin's stored values override."""
        return SettingsService(
            store,
            {
                "approvals_required": self.approvals_required,
                "drift_p_value": self.drift_p_value,
                "drift_share": self.drift_share,
                "idle_cpu_fraction": self.idle_cpu_fraction,
                "idle_gpu_notify_minutes": self.idle_gpu_notify_minutes,
            },
            hub=HubPolicy(server_idle_timeout=self.server_idle_timeout),
        )

    champion_alias = Unicode(
        "champion",
        help="The alias publishing moves on the catalog's registered model, e.g. champion.",
    ).tag(config=True)

    deployer_class = Type(
        "jupyterlab_mlplat.adapters.local.processes.LocalProcessDeployer",
        klass=Deployer,
        allow_none=True,
        help="Where deployments' workloads run, constructed with parent=<this app> and "
        "files=<the platform's model files, None without MLflow>, e.g. "
        "jupyterlab_mlplat.adapters.local.processes.LocalProcessDeployer (the default: local "
        "processes, embedded) or jupyterlab_mlplat.adapters.kube.deployer.KubeDeployer. None: "
        "deployments are recorded but nothing runs them.",
    ).tag(config=True)
    reconcile_seconds = Float(
        5.0,
        help="How often the reconciler compares every deployment with its backend, in "
        "seconds, e.g. 10; it also runs right after each change.",
    ).tag(config=True)
    reconcile_pending_seconds = Float(
        0.5,
        help="How often it looks again while a workload is starting, in seconds, e.g. 1: the "
        "route follows a new workload as soon as it is ready.",
    ).tag(config=True)
    drain_seconds = Float(
        10.0,
        help="How long a workload the route no longer uses keeps running, so requests already "
        "sent to it finish, in seconds, e.g. 30.",
    ).tag(config=True)

    def model_sources(self) -> MlflowModelSources | None:
        """The registry as deployments read it: a version's files and owner."""
        registry = self.platform_registry()
        return MlflowModelSources(registry) if registry is not None else None

    def make_deployer(self) -> Deployer | None:
        """The configured backend, or None when there is none (or it cannot be loaded)."""
        try:
            deployer_class: Any = self.deployer_class
        except Exception as err:  # an import error of a configured class: say which, run on
            self.log.error("deployments backend unavailable: %s", type(err).__name__)
            return None
        if deployer_class is None:
            return None
        registry = self.platform_registry()
        files = None
        if registry is not None:
            from jupyterlab_mlplat.adapters.mlflow.artifacts import MlflowModelFiles

            files = MlflowModelFiles(registry)
        deployer: Deployer = deployer_class(parent=self, files=files)
        return deployer

    apikey_pepper_file = Unicode(
        help="File holding the pepper the digests of API keys are keyed with (HMAC-SHA-256), "
        "e.g. /etc/mlplat/apikey-pepper.key (created, mode 0600, when missing). Defaults to "
        "data_dir/secrets/apikey-pepper.key. Losing or replacing it revokes every key; keep it "
        "out of database backups, and shared by every platform process.",
    ).tag(config=True)

    @default("apikey_pepper_file")
    def _apikey_pepper_file_default(self) -> str:
        return str(Path(self.data_dir) / "secrets" / "apikey-pepper.key")

    apikeys_per_person = Int(
        10,
        help="How many active API keys one person may hold (revoked, expired and rotated "
        "ones do not count), e.g. 20.",
    ).tag(config=True)
    apikeys_max_days = Int(
        365,
        help="How far ahead an API key's expiry may be, in days, e.g. 90. A key made without "
        "an expiry gets this one.",
    ).tag(config=True)
    apikeys_max_overlap_seconds = Int(
        86_400,
        help="How long, at most, a rotated key keeps working beside its successor, in seconds, "
        "e.g. 3600. At most 86400, the ceiling the API's document states.",
    ).tag(config=True)
    apikeys_default_rate_limit = Float(
        10.0,
        help="Requests per second the gateway lets through with a key made without its own "
        "rate limit, e.g. 50.",
    ).tag(config=True)
    apikeys_max_rate_limit = Float(
        1_000.0,
        help="The highest rate limit a person may give a key, requests per second, e.g. 200; "
        "at most 1000, the ceiling the API's document states.",
    ).tag(config=True)

    drift_interval_minutes = Float(
        10.0,
        help="How often the drift job compares each served version's sampled requests with "
        "its reference, in minutes, e.g. 60. 0 turns the job off.",
    ).tag(config=True)
    drift_p_value = Float(
        0.05, help="A feature drifted when its test's p-value is below this, e.g. 0.01."
    ).tag(config=True)
    drift_share = Float(
        0.5,
        help="A drift report is drifted (and the owner told) when this share of the features "
        "drifted, e.g. 0.3.",
    ).tag(config=True)
    drift_min_rows = Int(
        30,
        help="Sampled rows a window waits for before it is compared, e.g. 100 (a quiet "
        "deployment is compared after a day with what it has).",
    ).tag(config=True)
    drift_reference_artifact = Unicode(
        "drift_reference.json",
        help="A run artifact holding a dataset sample to compare requests with, preferred to "
        "the model's input example, e.g. drift_reference.json as mlflow.log_table writes it.",
    ).tag(config=True)

    traffic_retention_days = Int(
        30,
        help="How long the deployments' traffic (requests, errors and latency per minute, "
        "which the invocations gateway reports) is kept, in days, e.g. 90. Older minutes are "
        "deleted every traffic_prune_minutes.",
    ).tag(config=True)
    traffic_prune_minutes = Float(
        60.0,
        help="How often traffic minutes past the retention are deleted, in minutes, e.g. 360. "
        "0 turns the deletion off.",
    ).tag(config=True)

    sample_interval = Float(
        60.0,
        help="How often the usage sampler samples every running workspace and deployment "
        "(requested and used CPU, memory, GPUs), in seconds, e.g. 120. Each sample stands for "
        "one interval. 0 turns the sampler off; otherwise at least 60 (samples are kept per "
        "minute).",
    ).tag(config=True)

    @validate("sample_interval")
    def _whole_minutes(self, proposal: dict[str, Any]) -> float:
        """A sample is kept under the minute it was taken in, and a second one in the same
        minute is taken for a repeat (a restart, a second platform process): a shorter interval
        would count one pass in each minute and undercount the rest."""
        value = float(proposal["value"])
        if value != 0 and value < 60:
            raise TraitError(
                f"sample_interval is {value:g} s: 0 (no sampling) or at least 60 s, as usage "
                "is kept per minute"
            )
        return value

    usage_retention_days = Int(
        14,
        help="How many days raw usage samples are kept, e.g. 30; the daily sums the Analytics "
        "tab reads are kept for good.",
    ).tag(config=True)
    idle_cpu_fraction = Float(
        0.05,
        help="A workload's minute is idle when it used less than this share of its requested "
        "CPU and its kernels showed no activity, e.g. 0.1. The default of the live setting "
        "admins change in the Admin tab.",
    ).tag(config=True)
    idle_gpu_notify_minutes = Int(
        60,
        help="A workspace that has held a GPU idle for longer than this many minutes in a row "
        "gets its owner a notification (once per idle stretch), e.g. 30. The default of the "
        "live setting admins change in the Admin tab.",
    ).tag(config=True)
    usage_source = CaselessStrEnum(
        ["auto", "local", "kube", "none"],
        "auto",
        help="Where usage is measured: 'local' (this machine's processes, psutil: the embedded "
        "workbench), 'kube' (pods and the metrics.k8s.io API through the deployer's cluster "
        "client), 'auto' (kube when the deployer is KubeDeployer, else local) or 'none'.",
    ).tag(config=True)
    usage_workspaces_namespace = Unicode(
        "",
        help="The namespace KubeSpawner starts workspaces in, e.g. jhub (usage_source kube). "
        "Empty: the deployer's namespace.",
    ).tag(config=True)

    def usage_service(self, store: Any, settings: SettingsService | None = None) -> UsageService:
        """Usage samples and their questions; the sources are added when the sampler starts
        (they need the deployments' backend, made then)."""
        return UsageService(
            store,
            store,
            interval=self.sample_interval or 60.0,
            retention_days=self.usage_retention_days,
            idle_cpu_fraction=(
                settings.reader("idle_cpu_fraction") if settings else self.idle_cpu_fraction
            ),
            idle_gpu_notify_minutes=(
                settings.reader("idle_gpu_notify_minutes")
                if settings
                else self.idle_gpu_notify_minutes
            ),
        )

    def usage_sources(self, store: Any, deployer: Any) -> list[Any]:
        """What the sampler measures: the cluster's pods or this machine's processes."""
        on_cluster = _is_kube_deployer(deployer)

        kind = self.usage_source.lower()
        if kind == "none":
            return []
        if kind == "auto":
            kind = "kube" if on_cluster else "local"

        def owner_and_size(name: str) -> tuple[str, str] | None:
            found = store.deployment(name)
            return (found.owner, found.spec.size) if found is not None else None

        hub = self.hub_directory()
        if kind == "kube":
            from jupyterlab_mlplat.adapters.kube.metrics import KubeUsage

            if not on_cluster:
                self.log.warning("usage_source kube needs the KubeDeployer: nothing sampled")
                return []
            namespace = deployer.options.namespace
            return [
                KubeUsage(
                    lambda: deployer.api,
                    workspaces_namespace=self.usage_workspaces_namespace or namespace,
                    deployments_namespace=namespace,
                    hub=hub,
                    deployments=owner_and_size,
                )
            ]
        from jupyterlab_mlplat.adapters.local.processes import LocalProcessDeployer
        from jupyterlab_mlplat.adapters.local.usage import LocalUsage

        def profiles() -> list[Any]:
            return [stored.profile for stored in store.profiles()]

        replicas = deployer if isinstance(deployer, LocalProcessDeployer) else None
        # two sources: the hub not answering leaves the model servers sampled
        return [
            LocalUsage(hub, profiles),
            LocalUsage(
                None, profiles, replicas, sizes=lambda name: (owner_and_size(name) or ("", ""))[1]
            ),
        ]

    def drift_service(
        self, store: Any, objects: ObjectStore, settings: SettingsService | None = None
    ) -> DriftService:
        """The drift job's service: references from MLflow as the deployment's owner."""
        registry = self.platform_registry()
        references: Any = (
            MlflowDriftReferences(registry, reference_artifact=self.drift_reference_artifact)
            if registry is not None
            else _NoReferences()
        )
        return DriftService(
            store,
            objects,
            store,
            references,
            ScipyDriftStatistics(),
            self.drift_settings(settings),
            catalog_prefix=self.catalog_prefix,
        )

    def drift_settings(self, settings: SettingsService | None) -> Callable[[], DriftSettings]:
        """The thresholds at each use: the live settings' values (the traits without them)."""

        def in_force() -> DriftSettings:
            p_value, share = self.drift_p_value, self.drift_share
            if settings is not None:
                p_value = float(settings.value("drift_p_value"))
                share = float(settings.value("drift_share"))
            return DriftSettings(p_value=p_value, share=share, min_rows=self.drift_min_rows)

        return in_force

    def _service_url(self) -> Any:
        return urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8101"))

    @default("ip")
    def _ip_default(self) -> str:
        return self._service_url().hostname or "127.0.0.1"

    @default("port")
    def _port_default(self) -> int:
        return self._service_url().port or 8101

    @default("base_url")
    def _base_url_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")

    @default("log_format")
    def _log_format_default(self) -> str:
        return LOG_FORMAT

    # ------------------------------------------------------------------ lifecycle
    services: Services | None = None

    @classmethod
    def in_process(
        cls, *, config: Any, data_dir: str, port: int, user_name: str, log: Any
    ) -> tuple[PlatformApp, str]:
        """A platform for one person inside their own server (standalone: no hub). It trusts
        one fresh secret, which only that server holds; the person holds every role."""
        from .auth import SharedSecretAuthenticator

        secret = SharedSecretAuthenticator().secret
        platform = cls(
            config=config,
            data_dir=data_dir,
            ip="127.0.0.1",
            port=port,
            base_url="/",
            authenticator_class=SharedSecretAuthenticator,
            log=log,
        )
        platform.config.SharedSecretAuthenticator.secret = secret
        platform.config.SharedSecretAuthenticator.user_name = user_name
        platform.services = platform.build_services()
        return platform, secret

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        if self.config_file:
            self.load_config_file(self.config_file)
        self._route_logs_here()
        try:
            self.services = self.build_services()
        except MigrationError as err:
            self.log.critical("Refusing to start: %s", err)
            self.exit(1)

    def _route_logs_here(self) -> None:
        for handler in self.log.handlers:
            handler.addFilter(RequestIdFilter())
        for name in _OWN_LOGGERS:
            logger = logging.getLogger(name)
            logger.handlers = list(self.log.handlers)
            logger.setLevel(self.log.level)
            logger.propagate = False

    instructions_max_tasks = Int(
        MAX_TASKS,
        help=f"The most tasks one instruction article may hold (at most {MAX_TASKS}), e.g. 20.",
    ).tag(config=True)
    instructions_max_chars = Int(
        MAX_ARTICLE_CHARS,
        help="The most characters all texts of one instruction article may hold together, both "
        f"languages (at most {MAX_ARTICLE_CHARS}), e.g. 200000.",
    ).tag(config=True)
    instructions_image_max_bytes = Int(
        5 * 1024 * 1024,
        help="The largest image an instruction article may carry, in bytes, e.g. 2097152.",
    ).tag(config=True)
    instructions_image_max_side = Int(
        8000,
        help="The longest side an instruction image's header may declare, in pixels, e.g. 4000.",
    ).tag(config=True)
    instructions_notebook_max_bytes = Int(
        10 * 1024 * 1024,
        help="The largest example notebook an instruction article may offer, in bytes, "
        "e.g. 5242880.",
    ).tag(config=True)
    instructions_starter = Bool(
        True,
        help="Load the shipped starter articles (jupyterlab_mlplat/instructions/starter) on "
        "start: each once ever, never over an instructor's edit. False, e.g., for a platform "
        "whose instructors write everything themselves.",
    ).tag(config=True)

    def instruction_service(
        self, store: Any, objects: ObjectStore, profiles: ProfileService
    ) -> InstructionService:
        """Articles with the configured limits, the audience of profiles by the profiles' own
        rule, and the starter set loaded (once per slug)."""
        limits = Limits(
            max_tasks=min(self.instructions_max_tasks, MAX_TASKS),
            max_article_chars=min(self.instructions_max_chars, MAX_ARTICLE_CHARS),
            max_image_bytes=self.instructions_image_max_bytes,
            max_image_side=self.instructions_image_max_side,
            max_notebook_bytes=self.instructions_notebook_max_bytes,
        )
        service = InstructionService(
            store,
            objects,
            PillowImages(),
            NbformatNotebooks(),
            startable=lambda who: [s.profile.slug for s in profiles.visible_to(who)],
            known_profiles=lambda: [s.profile.slug for s in store.profiles()],
            known_groups=self.known_groups,
            limits=limits,
        )
        if self.instructions_starter:
            folder = STARTER_FOLDER
            files = {f.name: f.read_text("utf-8") for f in sorted(folder.glob("*.md"))}
            loaded = service.seed(starter_set(files))
            if loaded:
                self.log.info("starter articles loaded: %s", ", ".join(loaded))
        return service

    def build_services(self) -> Services:
        """Open the stores (migrating the database) and wire the core services to them."""
        Path(self.data_dir).mkdir(parents=True, exist_ok=True)
        self.log.info("metadata database: %s", redact_url(self.db_url))
        # Type traits: mypy knows them only as `type`; the klass check made them our ports
        store_class: Any = self.store_class
        gitlab_class: Any = self.gitlab_class
        cipher_class: Any = self.cipher_class
        store = store_class.from_url(self.db_url)  # every feature's store port at once
        objects = self.object_store()
        profiles = ProfileService(store, known_groups=self.known_groups)
        settings = self.settings_service(store)
        deployments = DeploymentService(
            store, self.model_sources(), catalog_prefix=self.catalog_prefix
        )
        if deployments.seed_sizes():
            self.log.info("deployment sizes seeded: small, medium, large")
        if self.profiles_seed_file and profiles.seed(load_profiles_file(self.profiles_seed_file)):
            self.log.info("workspace profiles seeded from %s", self.profiles_seed_file)
        return Services(
            store=store,
            accounts=AccountService(store),
            audit=AuditService(store),
            settings=settings,
            people=PeopleService(
                self.hub_directory(),
                store,
                admin_url=os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/") + "/hub/admin",
            ),
            health=HealthService(
                {"database": store.ping, "object_store": objects.ping}, version=__version__
            ),
            authenticator=self.authenticator_class(parent=self),
            profiles=profiles,
            gitlab=GitLabAccounts(
                store,
                gitlab_class(self.gitlab_url) if self.gitlab_url else None,
                cipher_class.from_key_file(self.token_key_file),
                gitlab_url=self.gitlab_url,
            ),
            experiment_events=ExperimentEvents(store),
            catalog=CatalogService(store, champion_alias=self.champion_alias, serving=deployments),
            reviews=ReviewService(
                store,
                self.catalog_publisher(),
                ModelCardRules(),
                catalog_prefix=self.catalog_prefix,
                approvals_required=lambda: int(settings.value("approvals_required")),
                alias=self.champion_alias,
                serving=deployments,
            ),
            deployments=deployments,
            instructions=self.instruction_service(store, objects, profiles),
            metrics=Metrics(),
            openapi=functools.partial(openapi.document, __version__, self.base_url),
            apikeys=ApiKeyService(
                store,
                store,  # who owns a deployment: the deployments' store answers (owner_of)
                pepper=key_from_file(Path(self.apikey_pepper_file)),
                max_keys_per_person=self.apikeys_per_person,
                max_days=self.apikeys_max_days,
                max_overlap_seconds=self.apikeys_max_overlap_seconds,
                default_rate_limit=self.apikeys_default_rate_limit,
                max_rate_limit=self.apikeys_max_rate_limit,
            ),
            drift=self.drift_service(store, objects, settings),
            traffic=TrafficService(
                store, store, TrafficSettings(retention_days=self.traffic_retention_days)
            ),
            teams=TeamService(store, self.team_activity()),
            usage=self.usage_service(store, settings),
        )

    def make_tornado_app(self) -> tornado.web.Application:
        assert self.services is not None, "initialize() first"
        prefix = "/" + self.base_url.strip("/") + "/" if self.base_url.strip("/") else "/"
        handlers = [(prefix + path, handler) for path, handler in ROUTES]
        return tornado.web.Application(
            handlers,
            default_handler_class=NoRouteHandler,
            mlplat_services=self.services,
            log_function=_log_request,
            xsrf_cookies=False,  # token-authenticated API, no cookies
        )

    reconciler: Reconciler | None = None

    max_body_size = Int(
        16 * 1024 * 1024,
        help="The largest request body the platform reads at all, in bytes, e.g. 33554432. A "
        "larger one is refused (400) from its Content-Length, before any of it is held in "
        "memory; tornado's own default would read 100 MB. Keep it above "
        "instructions_notebook_max_bytes and instructions_image_max_bytes, the largest "
        "uploads, which are refused with a reason naming their own limit.",
    ).tag(config=True)

    def make_http_server(self) -> tornado.httpserver.HTTPServer:
        return tornado.httpserver.HTTPServer(
            self.make_tornado_app(), xheaders=True, max_body_size=self.max_body_size
        )

    def listen(self, sockets: list[socket.socket] | None = None) -> tornado.httpserver.HTTPServer:
        server = self.make_http_server()
        server.add_sockets(sockets or tornado.netutil.bind_sockets(self.port, self.ip))
        self.start_reconciler()
        self.start_drift_job()
        self.start_traffic_job()
        self.start_usage_job()
        return server

    drift_job: DriftJob | None = None

    def start_drift_job(self) -> None:
        assert self.services is not None, "initialize() first"
        if self.drift_job is None:
            interval = 60.0 * self.drift_interval_minutes
            services = self.services
            self.drift_job = DriftJob(services.drift, interval, services.metrics).start()

    usage_job: UsageJob | None = None

    def start_usage_job(self) -> None:
        """Sample on this thread's event loop, after the deployments' backend is made (the
        local sampler measures its processes, the cluster's reads through its client)."""
        assert self.services is not None, "initialize() first"
        if self.usage_job is None and self.sample_interval > 0:
            usage = self.services.usage
            usage.sources = tuple(
                self.usage_sources(self.services.store, self.services.deployments.deployer)
            )
            metrics = self.services.metrics
            self.usage_job = UsageJob(usage, self.sample_interval, metrics).start()

    traffic_job: TrafficPruneJob | None = None

    def start_traffic_job(self) -> None:
        assert self.services is not None, "initialize() first"
        if self.traffic_job is None:
            interval = 60.0 * self.traffic_prune_minutes
            self.traffic_job = TrafficPruneJob(self.services.traffic, interval).start()

    def start_reconciler(self) -> None:
        """Run the deployments' backend and its reconciler on this thread's event loop."""
        assert self.services is not None, "initialize() first"
        if self.reconciler is not None:
            return
        deployer = self.make_deployer()
        service = self.services.deployments
        service.deployer = deployer
        if deployer is None:
            self.log.warning("no deployments backend: deployments are recorded, never run")
            return
        self.reconciler = Reconciler(
            service,
            deployer,
            interval=self.reconcile_seconds,
            pending_interval=self.reconcile_pending_seconds,
            drain=self.drain_seconds,
        )
        self.reconciler.start()

    def close(self) -> None:
        if self.drift_job is not None:
            self.drift_job.stop()
            self.drift_job = None
        if self.traffic_job is not None:
            self.traffic_job.stop()
            self.traffic_job = None
        if self.usage_job is not None:
            self.usage_job.stop()
            self.usage_job = None
        if self.reconciler is not None:
            self.reconciler.stop()
            self.reconciler = None
        if self.services is not None:
            self.services.store.close()

    def start(self) -> None:
        if self.upgrade_db_only:
            self.log.info("database is at the newest schema")
            return
        server = self.listen()
        self.log.info(
            "jupyterlab-mlplat platform %s listening on http://%s:%s%s",
            __version__,
            self.ip,
            self.port,
            self.base_url,
        )
        loop = tornado.ioloop.IOLoop.current()
        # the hub stops its services with SIGINT or SIGTERM, Kubernetes its pods with SIGTERM:
        # either ends the loop between two callbacks (a KeyboardInterrupt would land inside
        # one), then the jobs and the reconciler end their pass and the connections to the
        # database and MLflow are closed, not cut by the process dying
        asyncio_loop = cast(tornado.platform.asyncio.BaseAsyncIOLoop, loop).asyncio_loop
        for sent in (signal.SIGINT, signal.SIGTERM):
            asyncio_loop.add_signal_handler(sent, self._asked_to_stop, loop, sent)
        try:
            loop.start()
        finally:
            try:
                server.stop()
                self.close()
            finally:
                loop.run_sync(close_connections)
                self.log.info("stopped")

    def _asked_to_stop(self, loop: tornado.ioloop.IOLoop, sent: signal.Signals) -> None:
        self.log.info("asked to stop (%s); stopping", sent.name)
        # the stop runs the loop again (jobs end their pass, replicas drain): a second signal
        # (the hub's SIGTERM after its SIGINT) must not stop it under them, so later ones are
        # ignored; a stop that outlasts the hub's patience ends by its SIGKILL
        asyncio_loop = cast(tornado.platform.asyncio.BaseAsyncIOLoop, loop).asyncio_loop
        for each in (signal.SIGINT, signal.SIGTERM):
            asyncio_loop.remove_signal_handler(each)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        loop.stop()


class _NoReferences:
    """Without MLflow no version has a reference: every report says so."""

    async def reference(self, owner: str, model_name: str, version: str) -> Reference | None:
        return None


def _excepthook(typ: type[BaseException], value: BaseException, tb: Any) -> None:
    """A crash says what and where in one line, with no traceback that might carry secrets."""
    frame = traceback.extract_tb(tb)[-1] if tb else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    req = current_request_id.get() or "-"
    sys.stderr.write(f"mlplat-platform: fatal {typ.__name__}{where} (request {req})\n")


def main(argv: list[str] | None = None) -> None:
    sys.excepthook = _excepthook
    PlatformApp.launch_instance(argv)


def _is_kube_deployer(deployer: object) -> bool:
    """Whether ``deployer`` runs models on a cluster. Installed without the cluster extra there
    is no kubernetes client to import, and no such deployer."""
    try:
        from jupyterlab_mlplat.adapters.kube.deployer import KubeDeployer
    except ImportError:
        return False
    return isinstance(deployer, KubeDeployer)
