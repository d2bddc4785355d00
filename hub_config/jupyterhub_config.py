# JupyterHub configuration of the embedded workbench: one machine, local processes, demo users.
# Started by `mlplat-embedded` (./scripts/run), which sets the MLPLAT_* variables read here.
# Configuration only: logic lives in jupyterlab_mlplat.hub.
import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
data_dir = Path(os.environ["MLPLAT_DATA_DIR"])
port = {
    name: int(os.environ[f"MLPLAT_{name}_PORT"])
    for name in ("HUB", "PROXY_API", "HUB_API", "PLATFORM")
}
venv_bin = Path(sys.executable).parent

# --- the hub and its proxy
c.JupyterHub.bind_url = f"http://127.0.0.1:{port['HUB']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port['HUB_API']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port['PROXY_API']}"
c.ConfigurableHTTPProxy.command = [os.environ["MLPLAT_CHP"]]
c.ConfigurableHTTPProxy.pid_file = str(data_dir / "hub" / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{data_dir / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(data_dir / "secrets" / "hub-cookie-secret")
c.JupyterHub.cleanup_servers = True

# --- login: one generated shared password for the demo users (see mlplat-embedded's banner)
demo_users = {
    "alice": "data-scientists",
    "rita": "reviewers",
    "adam": "admins",
    "ivan": "instructors",
}
c.JupyterHub.authenticator_class = "jupyterhub.authenticators.shared.SharedPasswordAuthenticator"
c.SharedPasswordAuthenticator.user_password = (
    (data_dir / "secrets" / "demo-password").read_text().strip()
)
c.Authenticator.allowed_users = set(demo_users)

# --- groups → roles → custom scopes: the platform derives roles from these scopes
groups = sorted(set(demo_users.values()))
c.JupyterHub.load_groups = {
    g: {"users": [u for u, ug in demo_users.items() if ug == g]} for g in groups
}
c.JupyterHub.custom_scopes = {
    "custom:mlplat:review": {"description": "Review and approve model publications."},
    "custom:mlplat:admin": {
        "description": "Administer the ML platform: profiles, audit, all deployments."
    },
    "custom:mlplat:instruct": {"description": "Write the instructions panel."},
}
c.JupyterHub.load_roles = [
    # every user may use the platform service
    {"name": "user", "scopes": ["self", "access:services!service=mlplat"]},
    {"name": "mlplat-reviewer", "groups": ["reviewers"], "scopes": ["custom:mlplat:review"]},
    {"name": "mlplat-admin", "groups": ["admins"], "scopes": ["custom:mlplat:admin"]},
    {"name": "mlplat-instructor", "groups": ["instructors"], "scopes": ["custom:mlplat:instruct"]},
]

# --- the platform service, managed by the hub
platform_url = f"http://127.0.0.1:{port['PLATFORM']}"
c.JupyterHub.services = [
    {
        "name": "mlplat",
        "display": False,
        "url": platform_url,
        "command": [
            str(venv_bin / "mlplat-platform"),
            f"--PlatformApp.data_dir={data_dir / 'platform'}",
        ],
        "oauth_no_confirm": True,
    }
]

# --- user servers: local processes, a home per user under the data directory, profiles
c.JupyterHub.spawner_class = "jupyterlab_mlplat.hub.spawner.EmbeddedProfileSpawner"
c.EmbeddedProfileSpawner.profiles_file = str(here / "profiles.yaml")
c.EmbeddedProfileSpawner.home_dir_template = str(data_dir / "home" / "{username}")
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 90
c.Spawner.start_timeout = 120
c.Spawner.environment = {
    "MLPLAT_PLATFORM_URL": f"{platform_url}/services/mlplat/",
    "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
}
# the server's token carries exactly the platform roles its user holds (the hub keeps the subset)
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    "access:services!service=mlplat",
    "custom:mlplat:review",
    "custom:mlplat:admin",
    "custom:mlplat:instruct",
]
