"""Launcher of the embedded workbench: prepare the data directory, print how to log in, exec
JupyterHub with hub_config/jupyterhub_config.py.

Everything the stack writes stays under one data directory, so deleting it resets the workbench.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("MLPLAT_DATA_DIR", "var"))
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
    os.environ.update(env)

    url = f"http://127.0.0.1:{ports['hub']}"
    users = "\n".join(f"    {name:<6} {role}" for name, role in DEMO_USERS.items())
    print(
        f"\n  jupyterlab-mlplat embedded workbench\n"
        f"  open {url}  and log in as one of\n{users}\n"
        f"  password (all demo users): {password}\n"
        f"  data directory: {data_dir}\n",
        flush=True,
    )
    os.chdir(data_dir / "hub")
    # exec, not a child: signals from the terminal or a supervisor reach JupyterHub directly
    os.execv(sys.executable, [sys.executable, "-m", "jupyterhub", "-f", str(config)])  # noqa: S606


if __name__ == "__main__":
    main()
