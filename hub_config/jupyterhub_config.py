# JupyterHub configuration of the embedded workbench: one machine, local processes, demo users.
# Started by `mlplat-embedded` (./scripts/run), which sets the MLPLAT_* variables read here.
# Configuration only: logic lives in jupyterlab_mlplat.hub.
import os
import shutil
import sys
from pathlib import Path

from jupyterlab_mlplat.adapters.local.accounts import ensure_account, hand_over
from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from jupyterlab_mlplat.hub.groups import RoleGroups
from jupyterlab_mlplat.hub.tether import tethered

here = Path(__file__).resolve().parent
data_dir = Path(os.environ["MLPLAT_DATA_DIR"])
port = {
    name: int(os.environ[f"MLPLAT_{name}_PORT"])
    for name in (
        "HUB",
        "PROXY_API",
        "HUB_API",
        "PLATFORM",
        "MLFLOW_SERVER",
        "MLFLOW",
        "DEPLOYMENTS",
    )
}
venv_bin = Path(sys.executable).parent
secrets_dir = data_dir / "secrets"
# set by mlplat-embedded when it runs as root: the services run as this unprivileged account,
# each person's workspace as their own (docs/security.md); unset, all run as the hub's user
service_account = os.environ.get("MLPLAT_SERVICE_ACCOUNT", "")
# the account deployed models run as, when the hub runs as root (deployments, below)
MODELS_ACCOUNT = "mlplat-models"


def as_service(service: dict, home: Path) -> dict:
    """A hub-managed service, run as the service account (in ``home``) when there is one."""
    return {**service, "user": service_account, "cwd": str(home)} if service_account else service


# --- the hub and its proxy
c.JupyterHub.bind_url = f"http://127.0.0.1:{port['HUB']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port['HUB_API']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port['PROXY_API']}"
# the proxy holds its API token in its environment: run as the service account, not as root
# nor as a workspace's account, so nobody else reads it from /proc
drop_to_service = [
    *(shutil.which("setpriv") or "setpriv", "--init-groups"),
    *(f"--reuid={service_account}", f"--regid={service_account}", "--"),
]
# (tied to the hub by a tether started after setpriv, so that it too runs as the service account)
c.ConfigurableHTTPProxy.command = [
    *(drop_to_service if service_account else []),
    *tethered([os.environ["MLPLAT_CHP"]], parent=os.getpid()),
]
c.ConfigurableHTTPProxy.pid_file = str(data_dir / "hub" / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{data_dir / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(data_dir / "secrets" / "hub-cookie-secret")
c.JupyterHub.cleanup_servers = True

# --- login: one generated shared password for the demo users (see mlplat-embedded's banner),
# or the organisation's OpenID Connect provider when MLPLAT_OIDC_* are set (hub_config/oidc.py)
if os.environ.get("MLPLAT_OIDC_AUTHORIZE_URL"):
    os.environ.setdefault("MLPLAT_PUBLIC_URL", f"http://127.0.0.1:{port['HUB']}")
    load_subconfig(str(here / "oidc.py"))
    groups = RoleGroups.from_environment().all
else:
    demo_users = {
        "alice": "data-scientists",
        "rita": "reviewers",
        "adam": "admins",
        "ivan": "instructors",
    }
    c.JupyterHub.authenticator_class = (
        "jupyterhub.authenticators.shared.SharedPasswordAuthenticator"
    )
    c.SharedPasswordAuthenticator.user_password = (
        (data_dir / "secrets" / "demo-password").read_text().strip()
    )
    c.Authenticator.allowed_users = set(demo_users)
    groups = sorted(set(demo_users.values()))
    c.JupyterHub.load_groups = {
        g: {"users": [u for u, ug in demo_users.items() if ug == g]} for g in groups
    }

# the platform's own MLflow identity writes the catalog: no person may sign in under its name
c.Authenticator.blocked_users = {"mlplat-platform"}

# --- groups → roles → custom scopes: the platform derives roles from these scopes
load_subconfig(str(here / "roles.py"))

# --- the platform service, managed by the hub
platform_url = f"http://127.0.0.1:{port['PLATFORM']}"
c.JupyterHub.services = [
    as_service(
        {
            "name": "mlplat",
            "display": False,
            "url": platform_url,
            "command": [
                str(venv_bin / "mlplat-platform"),
                f"--PlatformApp.data_dir={data_dir / 'platform'}",
                f"--PlatformApp.profiles_seed_file={here / 'profiles.yaml'}",
                *(
                    [f"--PlatformApp.gitlab_url={os.environ['MLPLAT_GITLAB_URL']}"]
                    if os.environ.get("MLPLAT_GITLAB_URL")
                    else []
                ),
                *(f"--PlatformApp.known_groups={g}" for g in groups),
                # MLflow itself, not the gateway: the platform writes the catalog as its own
                # identity (mlplat-platform) with the secret the gateway uses
                f"--PlatformApp.mlflow_url=http://127.0.0.1:{port['MLFLOW_SERVER']}/services/mlflow",
            ],
            "environment": {
                "MLPLAT_MLFLOW_GATEWAY_SECRET": (secrets_dir / "mlflow-gateway-secret")
                .read_text()
                .strip()
            },
            "oauth_no_confirm": True,
        },
        data_dir / "platform",
    ),
    {
        "name": "mlplat-spawner",
        "api_token": (secrets_dir / "spawner-token").read_text().strip(),
    },
]

# --- deployments: the platform runs each replica of a deployed model as a local process
# (jupyterlab_mlplat/adapters/local/processes.py), the versions' files and the servers' home
# under data_dir/deployments. Models are code: as root, they run as an account of their own
# that reads nothing of the platform's. To start them so, the platform keeps three of root's
# powers (changing accounts, signalling them: CAP_SETUID, CAP_SETGID, CAP_KILL) and no
# other; the deployer hands none of them on (no capabilities, no_new_privs in every server).
deployments_dir = data_dir / "deployments"
platform_service = c.JupyterHub.services[0]
platform_service["command"].append(f"--LocalDeployments.deployments_dir={deployments_dir}")
if service_account:
    services_account = ensure_account(
        service_account, system=True, comment="jupyterlab-mlplat services"
    )
    models_account = ensure_account(
        MODELS_ACCOUNT, system=True, comment="jupyterlab-mlplat model servers"
    )
    hand_over(deployments_dir, services_account, 0o755)
    hand_over(deployments_dir / "models", services_account, 0o755)
    hand_over(deployments_dir / "home", models_account, 0o700)
    # setpriv changes the account, keeping the three powers (at the end of this file, before
    # the tether, which then runs as the services' account too, as the proxy's does)
    del platform_service["user"]
    platform_service["environment"]["HOME"] = str(data_dir / "platform")
    platform_service["command"].append(f"--LocalDeployments.account={MODELS_ACCOUNT}")

# --- MLflow: the tracking server on loopback, and the gateway that puts it behind the hub login.
# MLflow's auth app enforces permissions (creators manage, everybody reads); its
# authorization_function trusts only the gateway, which signs in every request as the hub user.
mlflow_prefix = "/services/mlflow"
mlflow_dir = data_dir / "mlflow"
mlflow_upstream = f"http://127.0.0.1:{port['MLFLOW_SERVER']}"
mlflow_auth_ini = mlflow_dir / "auth.ini"
mlflow_auth_ini.write_text(  # no secret in it: the passwords go by the environment
    "[mlflow]\n"
    "default_permission = READ\n"
    f"database_uri = sqlite:///{mlflow_dir / 'auth.sqlite'}\n"
    "admin_username = mlplat-admin\n"
    "grant_default_workspace_access = true\n"
    "authorization_function = jupyterlab_mlplat.adapters.mlflow.auth:authenticate_from_gateway\n"
)
mlflow_secret = (secrets_dir / "mlflow-gateway-secret").read_text().strip()
mlflow_backend = (
    os.environ.get("MLPLAT_MLFLOW_BACKEND_URI") or f"sqlite:///{mlflow_dir / 'mlflow.sqlite'}"
)
mlflow_artifacts = os.environ.get("MLPLAT_MLFLOW_ARTIFACTS") or str(mlflow_dir / "artifacts")
mlflow_env = {
    "MLPLAT_MLFLOW_GATEWAY_SECRET": mlflow_secret,
    "MLFLOW_AUTH_CONFIG_PATH": str(mlflow_auth_ini),
    "MLFLOW_AUTH_ADMIN_PASSWORD": (secrets_dir / "mlflow-admin-password").read_text().strip(),
    "MLFLOW_FLASK_SERVER_SECRET_KEY": (secrets_dir / "mlflow-flask-secret").read_text().strip(),
    # the embedded workbench needs no background job runner (saves ~1.5 GB of processes)
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    # in the environment, not the command line: every account can read a process's arguments,
    # and a PostgreSQL URI carries a password
    "MLFLOW_BACKEND_STORE_URI": mlflow_backend,
    "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    # nothing reported to MLflow's makers (jupyterlab_mlplat/core/kernel/telemetry.py)
    **NO_TELEMETRY,
    # an S3 artifact store (cluster flavour, tests) is configured by these, when set
    **{
        name: os.environ[name]
        for name in (
            "MLFLOW_S3_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
        )
        if name in os.environ
    },
}
# MLflow answers in Python, one request at a time per process (its interpreter lock): 15-20 ms
# of CPU for a search or a run through its permission engine. With one worker 30 people's
# sidebars queued behind each other on one core (bench/sidebar_load.py, bench/README.md). One
# worker per core, at most 4: more only adds memory (~300 MB each) and contention.
mlflow_workers = int(os.environ.get("MLPLAT_MLFLOW_WORKERS", "0")) or min(os.cpu_count() or 1, 4)
c.JupyterHub.services += [
    as_service(
        {
            "name": "mlflow-server",
            "command": [
                str(venv_bin / "mlflow"),
                "server",
                "--app-name=basic-auth",
                "--host=127.0.0.1",
                f"--port={port['MLFLOW_SERVER']}",
                "--serve-artifacts",
                f"--artifacts-destination={mlflow_artifacts}",
                f"--static-prefix={mlflow_prefix}",
                f"--workers={mlflow_workers}",
                f"--allowed-hosts=127.0.0.1:{port['MLFLOW_SERVER']},localhost:{port['MLFLOW_SERVER']}",
            ],
            "environment": mlflow_env,
        },
        mlflow_dir,
    ),
    as_service(
        {
            "name": "mlflow",
            "display": True,
            "url": f"http://127.0.0.1:{port['MLFLOW']}",
            "command": [str(venv_bin / "mlplat-mlflow-gateway")],
            "environment": {
                "MLPLAT_MLFLOW_GATEWAY_SECRET": mlflow_secret,
                "MLPLAT_MLFLOW_UPSTREAM": mlflow_upstream,
                "MLPLAT_PLATFORM_URL": f"{platform_url}/services/mlplat/",
            },
            "oauth_no_confirm": True,
            # the browser's token tells the gateway who is an admin (MLflow's administration
            # is theirs alone); people who do not hold the scope get a token without it
            "oauth_client_allowed_scopes": [
                "access:services!service=mlflow",
                "custom:mlplat:admin",
            ],
        },
        mlflow_dir,
    ),
]

# the gateway reports the privacy changes MLflow accepted to the platform, for the audit log
c.JupyterHub.load_roles = [
    *c.JupyterHub.load_roles,
    {
        "name": "mlplat-mlflow-gateway",
        "services": ["mlflow"],
        "scopes": ["access:services!service=mlplat", "custom:mlplat:record-events"],
    },
]

# --- the deployments' invocations gateway (the data plane): external systems call models with
# API keys, people with their hub token. It asks the platform where each deployment runs and
# whose keys are valid (the two scopes below), and keeps drift samples in the platform's objects.
c.JupyterHub.services += [
    as_service(
        {
            "name": "deployments",
            "display": False,
            "url": f"http://127.0.0.1:{port['DEPLOYMENTS']}",
            "command": [str(venv_bin / "mlplat-invocations")],
            "environment": {
                "MLPLAT_PLATFORM_URL": f"{platform_url}/services/mlplat/",
                "MLPLAT_OBJECT_STORE_DIR": str(data_dir / "platform" / "objects"),
            },
        },
        data_dir / "platform",
    ),
]
c.JupyterHub.load_roles = [
    *c.JupyterHub.load_roles,
    {
        "name": "mlplat-invocations",
        "services": ["deployments"],
        "scopes": [
            "access:services!service=mlplat",
            "custom:mlplat:route-deployments",
            "custom:mlplat:check-keys",
            "custom:mlplat:report-traffic",
        ],
    },
]

# --- user servers: local processes, a home per user under the data directory, profiles
c.JupyterHub.spawner_class = "jupyterlab_mlplat.hub.spawner.EmbeddedProfileSpawner"
c.ProfileSource.platform_url = f"{platform_url}/services/mlplat/"
c.ProfileSource.token = (secrets_dir / "spawner-token").read_text().strip()
c.ProfileSource.fallback_file = str(here / "profiles.yaml")
c.EmbeddedProfileSpawner.home_dir_template = str(data_dir / "home" / "{username}")
# servers start at a lower priority: during a spawn storm on a small machine the hub, the
# platform and the proxy stay responsive (bench/spawn_storm.py); once a server answers, the
# spawner gives it the default priority back (adapters/local/priority.py)
nice = shutil.which("nice")
c.Spawner.cmd = [*([nice, "-n", "10"] if nice else []), str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# what a workspace does at start: JupyterLab, terminals and ours, not work that serves nobody
# here. jupyter_lsp searches for language servers at every start (running `npm prefix -g`), and
# none is installed; it stays loaded, for the lab asks it which servers there are. notebook_shim
# carries classic-notebook configuration and server extensions over, and there are none
# (bench/server_start.py, tests/hub/test_server_start.py)
c.Spawner.args = [
    "--LanguageServerManager.autodetect=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
]
# the lab is prebuilt and people cannot rebuild it, as workspace/labconfig/page_config.json tells
# it; otherwise every page load asks whether a build is due, which runs node twice (~0.9 CPU-s)
workspace_config = str(here / "workspace")
# 30 servers starting at once on 2 cores take ~100 s each (bench/README.md); allow a margin
c.Spawner.http_timeout = int(os.environ.get("MLPLAT_SPAWN_TIMEOUT", "300"))
c.Spawner.start_timeout = int(os.environ.get("MLPLAT_SPAWN_TIMEOUT", "300"))
c.Spawner.environment = {
    "MLPLAT_PLATFORM_URL": f"{platform_url}/services/mlplat/",
    # the Deployments tab's Try it calls the invocations gateway as the person, directly
    "MLPLAT_GATEWAY_URL": f"http://127.0.0.1:{port['DEPLOYMENTS']}/",
    "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    # MLflow clients in the user's kernels log as the user: the server's own hub token. The
    # public URL (through the hub's proxy), so the run links MLflow prints open in a browser.
    "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port['HUB']}{mlflow_prefix}",
    "MLFLOW_TRACKING_TOKEN": lambda spawner: spawner.api_token,
    "MLPLAT_MLFLOW_UI_URL": f"{mlflow_prefix}/",
    "JUPYTER_CONFIG_PATH": workspace_config,
    # MLflow in the kernels reports nothing to its makers, and its failed attempt cannot race
    # the person's code for the environment (jupyterlab_mlplat/core/kernel/telemetry.py)
    **NO_TELEMETRY,
}

# --- whatever stops the hub (SIGTERM, SIGKILL, a crash) stops everything it started: the proxy
# (above), the services and the people's servers each run under a tether bound to this process
# (jupyterlab_mlplat/hub/tether.py), which also ends what they leave behind
for service in c.JupyterHub.services:
    if service.get("command"):
        service["command"] = tethered(service["command"], parent=os.getpid())
c.Spawner.cmd = tethered(c.Spawner.cmd, parent=os.getpid())
if service_account:  # the platform's three powers (deployments, above)
    powers = "+setuid,+setgid,+kill"
    platform_service["command"] = [
        *drop_to_service[:-1],
        *(f"--inh-caps={powers}", f"--ambient-caps={powers}", "--"),
        *platform_service["command"],
    ]
# JupyterHub 6's periodic service check reads a service's server after its stop removed it and
# prints an AttributeError traceback when it fires during shutdown; a service that exits is
# restarted by the hub's own poll, so the check would only add a log line
c.JupyterHub.service_check_interval = 0
