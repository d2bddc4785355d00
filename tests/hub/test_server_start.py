"""A person's server loads at start what people use there, and nothing that only costs time.

In a spawn storm every CPU-second of a server's start is paid once per person on the same cores
(bench/server_start.py, bench/README.md). Timings are noisy on a shared machine, so these tests
guard where the seconds went instead: the modules and server extensions that cost the most and
serve nobody at start. Each runs in a real subprocess, the server as the embedded hub starts it.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.standins import singleuser

#: what a server under the hub never needs at start: the compiled IRI grammar of jsonschema's
#: format checkers (1.1 CPU-s), the platform's own database layer, GitLab and MLflow clients
NEVER_AT_START = (
    "rfc3987_syntax",
    "lark",
    "gitlab",
    "mlflow",
    "psycopg",
    "kubernetes",
    "jupyterlab_mlplat.platform",
    "jupyterlab_mlplat.adapters.sql",
    "jupyterlab_mlplat.gateways",
)
#: a server extension installed with JupyterLab that serves nobody in a workspace
UNUSED = ("notebook_shim",)
#: and what people use, which must stay (the lab asks jupyter_lsp which language servers exist)
USED = ("jupyterlab", "jupyter_server_terminals", "jupyterlab_mlplat_server", "jupyter_lsp")

#: runs the server's own entry point; when it exits, writes the modules it imported, the server
#: extensions it had enabled, whether jupyter_lsp searched for language servers and the
#: commands it ran
DUMP_MODULES = """
import atexit, json, runpy, subprocess, sys
out = sys.argv.pop(1)
ran = []
_popen = subprocess.Popen.__init__

def recorded(self, args, *more, **options):
    ran.append([str(a) for a in ([args] if isinstance(args, (str, bytes)) else args)])
    _popen(self, args, *more, **options)

subprocess.Popen.__init__ = recorded

def dump():
    from jupyter_server.serverapp import ServerApp
    extensions = ServerApp.instance().extension_manager.extensions
    enabled = sorted(name for name, package in extensions.items() if package.enabled)
    lsp = getattr(ServerApp.instance(), "language_server_manager", None)
    with open(out, "w") as file:
        json.dump(
            {
                "modules": sorted(sys.modules),
                "extensions": enabled,
                "lsp_autodetect": lsp.autodetect if lsp else None,
                "ran": ran,
            },
            file,
        )

atexit.register(dump)
sys.argv[0] = "jupyterhub-singleuser"
runpy.run_module("jupyterhub.singleuser", run_name="__main__", alter_sys=True)
"""


def loaded(names: set[str], package: str) -> bool:
    return any(name == package or name.startswith(f"{package}.") for name in names)


def test_our_server_extension_imports_nothing_a_start_does_not_need() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, jupyterlab_mlplat_server; print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=singleuser.ROOT,
    )
    names = set(json.loads(out.stdout.splitlines()[-1]))
    assert [p for p in NEVER_AT_START if loaded(names, p)] == []


def test_a_started_server_loads_what_people_use_and_nothing_that_only_costs(
    tmp_path: Path,
) -> None:
    token = singleuser.new_token()
    home = tmp_path / "home"
    home.mkdir()
    modules = tmp_path / "started.json"
    with singleuser.hub_api(token) as hub_url:
        launch = singleuser.environment(hub_url, home, token)
        command = singleuser.command()
        server = command.index(str(singleuser.VENV_BIN / "jupyterhub-singleuser"))
        command[server : server + 1] = [sys.executable, "-c", DUMP_MODULES, str(modules)]
        auth = {"Authorization": f"token {token}"}
        with (tmp_path / "server.log").open("wb") as log:
            proc = subprocess.Popen(
                command, env=launch.env, cwd=home, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                status = wait_for_status(proc, f"{launch.url}api/status", auth, tmp_path)
                assert "started" in status
                # what people use answers: the lab, terminals, our sidebar's API
                used = ("lab", "api/terminals", "lsp/status", "jupyterlab-mlplat/openapi.json")
                for path in used:
                    answer = requests.get(f"{launch.url}{path}", headers=auth, timeout=30)
                    assert answer.status_code == 200, (path, answer.text[:300])
                # the lab is prebuilt: a page does not ask whether to rebuild (node, twice)
                page = page_config(requests.get(f"{launch.url}lab", headers=auth, timeout=30).text)
                assert (page["buildCheck"], page["buildAvailable"]) == (False, False)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    started = json.loads(modules.read_text())
    assert [p for p in NEVER_AT_START if loaded(set(started["modules"]), p)] == []
    extensions = set(started["extensions"])
    assert set(USED) <= extensions
    assert extensions.isdisjoint(UNUSED)
    # no language server is installed: searching for them ran `npm prefix -g` at every start
    assert started["lsp_autodetect"] is False
    # nor node at all: importing JupyterLab asked yarn for an npm registry (~0.4 CPU-s), which
    # the workspace configuration keeps node out of sight for (hub_config/workspace)
    programs = [Path(command[0]).name for command in started["ran"] if command]
    assert not {"node", "nodejs", "npm"} & set(programs), started["ran"]


def page_config(html: str) -> dict[str, object]:
    """The configuration JupyterLab's page hands the front end."""
    found = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, html[:500]
    return dict(json.loads(found[1]))


def wait_for_status(
    proc: subprocess.Popen[bytes], url: str, auth: dict[str, str], tmp_path: Path
) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
        try:
            answer = requests.get(url, headers=auth, timeout=10)
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        if answer.status_code == 200:
            return dict(answer.json())
        time.sleep(0.1)
    raise AssertionError(f"no answer from {url}: {(tmp_path / 'server.log').read_text()[-3000:]}")
