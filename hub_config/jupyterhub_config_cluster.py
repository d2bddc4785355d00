# JupyterHub configuration of the cluster flavour: OIDC login (groups claim → hub groups → roles),
# KubeSpawner with the profiles admins edit live, the hub's database on PostgreSQL, the idle
# culler, and the services behind the hub's login: the platform, MLflow's gateway and the
# deployments' invocations gateway. Configuration only, read from the environment
# (deploy/z2jh/ sets it; tests/e2e too). Every variable is optional except the OIDC client
# and MLPLAT_SPAWNER_TOKEN:
#
#   MLPLAT_PUBLIC_URL          http://hub.example.org        where people open the hub
#   MLPLAT_HUB_BIND_URL        http://0.0.0.0:8000            the proxy's public listener
#   MLPLAT_HUB_API_URL         http://0.0.0.0:8081            the hub's own API listener
#   MLPLAT_HUB_CONNECT_URL     http://hub.mlplat.svc:8081     how pods reach the hub API
#   MLPLAT_PROXY_API_URL       http://127.0.0.1:8001          configurable-http-proxy's API
#   MLPLAT_CHP                 path of configurable-http-proxy (when the hub starts it)
#   MLPLAT_HUB_DB_URL          postgresql+psycopg://hub@db/jupyterhub (Z2JH: hub.db.url)
#   MLPLAT_STATE_DIR           folder for the cookie secret, proxy pid file, platform data
#   MLPLAT_OIDC_AUTHORIZE_URL, MLPLAT_OIDC_TOKEN_URL, MLPLAT_OIDC_USERDATA_URL
#   MLPLAT_OIDC_CLIENT_ID, MLPLAT_OIDC_CLIENT_SECRET      the hub's client at the provider
#   MLPLAT_USER_GROUPS         data-scientists            groups that may log in (comma list)
#   MLPLAT_REVIEWER_GROUPS / MLPLAT_ADMIN_GROUPS / MLPLAT_INSTRUCTOR_GROUPS  (see roles.py)
#   MLPLAT_PLATFORM_URL        http://127.0.0.1:8101      the platform service
#   MLPLAT_PLATFORM_DB_URL     postgresql+psycopg://mlplat@db/mlplat  (hub-managed platform)
#   MLPLAT_PLATFORM_EXTERNAL   1 when the platform runs as its own Deployment (then
#                              MLPLAT_PLATFORM_API_TOKEN is its hub token)
#   MLPLAT_SPAWNER_TOKEN       the spawner's token for reading profiles from the platform
#   MLPLAT_DEPLOYMENTS_URL     http://127.0.0.1:8104      the invocations gateway (service
#                              `deployments`); unset: no gateway. Hub-managed unless
#                              MLPLAT_DEPLOYMENTS_EXTERNAL is 1 (then MLPLAT_DEPLOYMENTS_API_TOKEN
#                              is its hub token and it runs as its own Deployment)
#   MLPLAT_GATEWAY_URL         http://mlplat-invocations.mlplat.svc:8104/  how workspaces reach
#                              the gateway (the Deployments tab's Try it); default
#                              MLPLAT_DEPLOYMENTS_URL
#   MLPLAT_MLFLOW_URL          http://mlplat-mlflow-gateway:8103  the MLflow gateway (service
#                              `mlflow`, MLFLOW_TRACKING_URI {public URL}/services/mlflow in
#                              workspaces); unset: no MLflow. Hub-managed unless
#                              MLPLAT_MLFLOW_EXTERNAL is 1 (then MLPLAT_MLFLOW_API_TOKEN is its
#                              hub token and it runs as its own Deployment)
#   MLPLAT_MLFLOW_SERVER_URL   http://mlplat-mlflow-server:5000  MLflow's own server (started
#                              with --static-prefix=/services/mlflow and our auth function): the
#                              upstream of a hub-managed gateway, and where a hub-managed platform
#                              publishes to the catalog
#   MLPLAT_MLFLOW_GATEWAY_SECRET  the secret MLflow's auth function trusts, for the hub-managed
#                              gateway and platform (an external one reads its own)
#   MLPLAT_GITLAB_URL          https://gitlab.example.org     the organisation's GitLab
#   MLPLAT_K8S_NAMESPACE       mlplat-users                  where user pods go
#   MLPLAT_HOME_SIZE           10Gi                          each user's volume
#   MLPLAT_IDLE_TIMEOUT        3600                          seconds before an idle server stops
#   JUPYTERHUB_CRYPT_KEY       encrypts auth state (the groups claim is kept there)
import os
import sys
from pathlib import Path

from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from jupyterlab_mlplat.hub.groups import RoleGroups

here = Path(__file__).resolve().parent
env = os.environ
state_dir = Path(env.get("MLPLAT_STATE_DIR", "/srv/jupyterhub"))
venv_bin = Path(sys.executable).parent

load_subconfig(str(here / "roles.py"))

# --- the hub, its proxy and its database. Each is set only when given: under Zero to
# JupyterHub (deploy/z2jh/) the chart configures these itself and this file adds the rest.
public_url = env.get("MLPLAT_PUBLIC_URL", "http://127.0.0.1:8000")
if "MLPLAT_HUB_BIND_URL" in env or "MLPLAT_PUBLIC_URL" in env:
    c.JupyterHub.bind_url = env.get("MLPLAT_HUB_BIND_URL", public_url)
if "MLPLAT_HUB_API_URL" in env:
    c.JupyterHub.hub_bind_url = env["MLPLAT_HUB_API_URL"]
if "MLPLAT_HUB_CONNECT_URL" in env:
    c.JupyterHub.hub_connect_url = env["MLPLAT_HUB_CONNECT_URL"]
if "MLPLAT_PROXY_API_URL" in env:
    c.ConfigurableHTTPProxy.api_url = env["MLPLAT_PROXY_API_URL"]
if "MLPLAT_CHP" in env:
    c.ConfigurableHTTPProxy.command = [env["MLPLAT_CHP"]]
    c.ConfigurableHTTPProxy.pid_file = str(state_dir / "proxy.pid")
if "MLPLAT_HUB_DB_URL" in env:
    c.JupyterHub.db_url = env["MLPLAT_HUB_DB_URL"]
if "MLPLAT_STATE_DIR" in env:
    c.JupyterHub.cookie_secret_file = str(state_dir / "jupyterhub_cookie_secret")
# user pods outlive a hub restart (an upgrade must not stop everyone's work)
c.JupyterHub.cleanup_servers = False

# --- login: the organisation's OpenID Connect provider; its groups claim decides who may enter
env.setdefault("MLPLAT_PUBLIC_URL", public_url)
load_subconfig(str(here / "oidc.py"))
known_groups = RoleGroups.from_environment().all

# the platform's own MLflow identity writes the catalog: no person may sign in under its name
c.Authenticator.blocked_users = {"mlplat-platform"}

# --- services: the platform, the spawner's token, the idle culler
platform_url = env.get("MLPLAT_PLATFORM_URL", "http://127.0.0.1:8101")
platform_api = f"{platform_url.rstrip('/')}/services/mlplat/"
mlflow_server = env.get("MLPLAT_MLFLOW_SERVER_URL", "").rstrip("/")
platform = {"name": "mlplat", "display": False, "url": platform_url, "oauth_no_confirm": True}
if env.get("MLPLAT_PLATFORM_EXTERNAL"):
    platform["api_token"] = env["MLPLAT_PLATFORM_API_TOKEN"]
else:
    platform["command"] = [
        str(venv_bin / "mlplat-platform"),
        f"--PlatformApp.db_url={env['MLPLAT_PLATFORM_DB_URL']}",
        f"--PlatformApp.data_dir={state_dir / 'platform'}",
        f"--PlatformApp.profiles_seed_file={here / 'profiles.yaml'}",
        *(
            [f"--PlatformApp.gitlab_url={os.environ['MLPLAT_GITLAB_URL']}"]
            if os.environ.get("MLPLAT_GITLAB_URL")
            else []
        ),
        *(f"--PlatformApp.known_groups={g}" for g in known_groups),
    ]
    if mlflow_server:
        # MLflow itself, not the gateway: the platform writes the catalog as its own identity
        platform["command"].append(f"--PlatformApp.mlflow_url={mlflow_server}/services/mlflow")
        platform["environment"] = {
            "MLPLAT_MLFLOW_GATEWAY_SECRET": env["MLPLAT_MLFLOW_GATEWAY_SECRET"]
        }
idle_timeout = env.get("MLPLAT_IDLE_TIMEOUT", "3600")
c.JupyterHub.services = [
    platform,
    {"name": "mlplat-spawner", "api_token": env["MLPLAT_SPAWNER_TOKEN"]},
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_timeout}"],
    },
]
c.JupyterHub.load_roles = [
    *c.JupyterHub.load_roles,
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]

# --- the deployments' invocations gateway (docs/deployments-gateway.md), when it is configured:
# it asks the platform for routes and key checks with the two scopes below
if env.get("MLPLAT_DEPLOYMENTS_URL"):
    gateway = {"name": "deployments", "display": False, "url": env["MLPLAT_DEPLOYMENTS_URL"]}
    if env.get("MLPLAT_DEPLOYMENTS_EXTERNAL"):
        gateway["api_token"] = env["MLPLAT_DEPLOYMENTS_API_TOKEN"]
    else:
        gateway["command"] = [str(venv_bin / "mlplat-invocations")]
        gateway["environment"] = {"MLPLAT_PLATFORM_URL": platform_api}
    c.JupyterHub.services.append(gateway)
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

# --- MLflow behind the hub's login (docs/architecture.md): the gateway signs every request in
# as the hub user; MLflow's auth app decides what that user may do. The gateway reports the
# privacy changes MLflow accepted to the platform, for the audit log.
if env.get("MLPLAT_MLFLOW_URL"):
    mlflow = {
        "name": "mlflow",
        "display": True,
        "url": env["MLPLAT_MLFLOW_URL"],
        "oauth_no_confirm": True,
        # the browser's token tells the gateway who is an admin (MLflow's administration is
        # theirs alone); people who do not hold the scope get a token without it
        "oauth_client_allowed_scopes": ["access:services!service=mlflow", "custom:mlplat:admin"],
    }
    if env.get("MLPLAT_MLFLOW_EXTERNAL"):
        mlflow["api_token"] = env["MLPLAT_MLFLOW_API_TOKEN"]
    else:
        mlflow["command"] = [str(venv_bin / "mlplat-mlflow-gateway")]
        mlflow["environment"] = {
            "MLPLAT_MLFLOW_UPSTREAM": env["MLPLAT_MLFLOW_SERVER_URL"],
            "MLPLAT_MLFLOW_GATEWAY_SECRET": env["MLPLAT_MLFLOW_GATEWAY_SECRET"],
            "MLPLAT_PLATFORM_URL": platform_api,
        }
    c.JupyterHub.services.append(mlflow)
    c.JupyterHub.load_roles = [
        *c.JupyterHub.load_roles,
        {
            "name": "mlplat-mlflow-gateway",
            "services": ["mlflow"],
            "scopes": ["access:services!service=mlplat", "custom:mlplat:record-events"],
        },
    ]

# --- user servers: pods from the live profiles, a volume per user, the platform's environment
c.JupyterHub.spawner_class = "jupyterlab_mlplat.hub.kube.PlatformKubeSpawner"
c.ProfileSource.platform_url = platform_api
c.ProfileSource.token = env["MLPLAT_SPAWNER_TOKEN"]
c.ProfileSource.fallback_file = str(here / "profiles.yaml")
c.KubeSpawner.namespace = env.get("MLPLAT_K8S_NAMESPACE", "mlplat-users")
c.KubeSpawner.cmd = ["jupyterhub-singleuser"]
# as in the embedded configuration: no search for language servers at each start, and not
# notebook_shim (bench/server_start.py)
c.KubeSpawner.args = [
    "--LanguageServerManager.autodetect=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
]
c.KubeSpawner.default_url = "/lab"
c.KubeSpawner.storage_pvc_ensure = True
c.KubeSpawner.storage_capacity = env.get("MLPLAT_HOME_SIZE", "10Gi")
c.KubeSpawner.pvc_name_template = "home-{user_server}"
c.KubeSpawner.volumes = [{"name": "home", "persistentVolumeClaim": {"claimName": "{pvc_name}"}}]
c.KubeSpawner.volume_mounts = [{"name": "home", "mountPath": "/home/jovyan"}]
c.KubeSpawner.extra_labels = {
    "app.kubernetes.io/part-of": "jupyterlab-mlplat",
    # a person's server talks to the hub's API: Zero to JupyterHub's hub NetworkPolicy admits
    # pods with this label (from mlplat-users too, with interNamespaceAccessLabels: accept in
    # deploy/z2jh/values.yaml). Set here because this replaces the chart's extra_labels.
    "hub.jupyter.org/network-access-hub": "true",
}
c.KubeSpawner.start_timeout = 300
c.KubeSpawner.http_timeout = 120
# MLflow in the kernels reports nothing to its makers, and its failed attempt cannot race the
# person's code for the environment (jupyterlab_mlplat/core/kernel/telemetry.py)
c.KubeSpawner.environment = {"MLPLAT_PLATFORM_URL": platform_api, **NO_TELEMETRY}
if env.get("MLPLAT_MLFLOW_URL"):
    # MLflow clients in the person's kernels log as the person: the server's own hub token.
    # The public URL (through the hub's proxy), so the run links MLflow prints open in a browser.
    c.KubeSpawner.environment.update(
        {
            "MLFLOW_TRACKING_URI": f"{public_url}/services/mlflow",
            "MLFLOW_TRACKING_TOKEN": lambda spawner: spawner.api_token,
            "MLPLAT_MLFLOW_UI_URL": "/services/mlflow/",
        }
    )
# the Deployments tab's Try it calls the invocations gateway as the person, directly
gateway_url = env.get("MLPLAT_GATEWAY_URL") or env.get("MLPLAT_DEPLOYMENTS_URL", "")
if gateway_url:
    c.KubeSpawner.environment["MLPLAT_GATEWAY_URL"] = gateway_url.rstrip("/") + "/"
