"""Launcher of the embedded workbench: prepare the data directory, print how to log in, exec
JupyterHub with hub_config/jupyterhub_config.py.

Everything the stack writes stays under one data directory, so deleting it resets the workbench.
Started as root (a server of its own, as The Littlest JupyterHub is), the launcher also gives
every part its account: the hub's database and secrets stay root's, the services' folders go to
the service account, and each person's workspace later runs as their own (docs/security.md).
Started as anyone else (a laptop), everything runs as that one person: single-trust.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import shutil
import sys
from pathlib import Path

from jupyterlab_mlplat.adapters.local.accounts import (
    SERVICE_ACCOUNT,
    ensure_account,
    hand_over,
    keep_private,
    make_traversable,
    privileged,
    unreachable_interpreter,
)

#: the demo users and what each shows off; hub_config/ gives them their groups
DEMO_USERS: dict[str, str] = {
    "alice": "data scientist",
    "rita": "reviewer",
    "adam": "admin",
    "ivan": "instructor",
}

DEFAULT_PORTS = {
    "hub": 8000,
    "proxy_api": 8001,
    "hub_api": 8081,
    "platform": 8101,
    "mlflow_server": 8102,
    "mlflow": 8103,
    # the deployments' invocations gateway (gateways/invocations.py)
    "deployments": 8104,
}


def kept_secret(data_dir: Path, name: str, size: int = 32) -> str:
    """Generated once, readable by the owner only, reused on every start."""
    path = data_dir / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(size))
    return path.read_text().strip()


def separate_accounts(data_dir: Path, env: dict[str, str], code: list[Path]) -> str:
    """As root: the service account, who owns which folder, and the folders every account must
    pass through. Returns the line the banner prints about trust."""
    if not privileged():
        return (
            f"single-trust: every workspace runs as {getpass.getuser()} and can read the "
            "others' files (start as root for an account per person)"
        )
    blocked = unreachable_interpreter()
    if blocked is not None:
        return (
            f"single-trust: every workspace runs as root, because other accounts cannot reach "
            f"this Python through {blocked}; rebuild the venv with ./scripts/run on a fresh "
            "clone, which picks a Python every account can run"
        )
    service = ensure_account(SERVICE_ACCOUNT, system=True, comment="jupyterlab-mlplat services")
    keep_private([data_dir / "secrets", data_dir / "hub"])
    for sub in ("platform", "mlflow"):
        hand_over(data_dir / sub, service)
    for folder in (data_dir, data_dir / "home"):
        folder.chmod(0o711)  # passed through to reach a home, never listed
    # the workspaces run the venv's programs and reach their homes; the services read the code
    opened = make_traversable([data_dir / "home", Path(sys.prefix), *code, Path(__file__)])
    if opened:
        print(
            "mlplat-embedded: the workspaces' and services' accounts may now pass through "
            "(not list) " + ", ".join(str(p) for p in opened),
            flush=True,
        )
    env["MLPLAT_SERVICE_ACCOUNT"] = service.name
    return f"each workspace runs as its own account (mlplat-<name>); services as {service.name}"


def default_data_dir(as_root: bool) -> Path:
    """Where the workbench keeps its state unless told otherwise: never inside the source tree.
    People's homes live in it, and a home inside a checkout made the checkout's commit look like
    theirs (to git, to MLflow). As root the machine's place for a service's state, otherwise the
    person's data folder (XDG)."""
    if as_root:
        return Path("/var/lib/mlplat")
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mlplat"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("MLPLAT_DATA_DIR") or default_data_dir(privileged()),
        help="all state (default $MLPLAT_DATA_DIR, else /var/lib/mlplat as root, else "
        "$XDG_DATA_HOME/mlplat)",
    )
    parser.add_argument("--config", default=os.environ.get("MLPLAT_HUB_CONFIG", ""))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MLPLAT_HUB_PORT", 8000)))
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    config = Path(args.config or Path.cwd() / "hub_config" / "jupyterhub_config.py").resolve()
    if not config.is_file():
        sys.exit(f"mlplat-embedded: no JupyterHub config at {config}; pass --config")
    for sub in ("hub", "home", "platform", "mlflow/artifacts"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    password = kept_secret(data_dir, "demo-password", 12)
    for name in (
        "mlflow-gateway-secret",
        "mlflow-admin-password",
        "mlflow-flask-secret",
        "spawner-token",
    ):
        kept_secret(data_dir, name)

    offset = args.port - DEFAULT_PORTS["hub"]
    ports = {name: port + offset for name, port in DEFAULT_PORTS.items()}
    env = {f"MLPLAT_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env["MLPLAT_DATA_DIR"] = str(data_dir)
    chp = os.environ.get("MLPLAT_CHP") or shutil.which("configurable-http-proxy") or ""
    if not chp:
        sys.exit("mlplat-embedded: configurable-http-proxy not found; run ./scripts/run")
    env["MLPLAT_CHP"] = chp
    trust = separate_accounts(data_dir, env, [config.parent, Path(chp)])
    os.environ.update(env)

    url = f"http://127.0.0.1:{ports['hub']}"
    users = "\n".join(f"    {name:<6} {role}" for name, role in DEMO_USERS.items())
    print(
        f"\n  jupyterlab-mlplat embedded workbench\n"
        f"  open {url}  and log in as one of\n{users}\n"
        f"  password (all demo users): {password}\n"
        f"  data directory: {data_dir}\n"
        f"  {trust}\n",
        flush=True,
    )
    os.chdir(data_dir / "hub")
    # exec, not a child: signals from the terminal or a supervisor reach JupyterHub directly
    hub = [sys.executable, "-m", "jupyterlab_mlplat.hub.app", "-f", str(config)]
    os.execv(sys.executable, hub)  # noqa: S606


if __name__ == "__main__":
    main()
