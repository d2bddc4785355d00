"""Nobody reads what is not theirs, tried from inside a person's kernel.

The embedded workbench started as root (as its README's first command does on a fresh machine)
runs alice's and rita's servers as their own accounts. From a kernel in alice's server this test
tries what a curious person would: every secret file, every database, rita's home, the product's
code, /etc/passwd and the environment of every process on the machine. Whatever the kernel
manages to read is searched for each secret the stack holds; none may be there.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from jupyterlab_mlplat.adapters.local.accounts import SERVICE_ACCOUNT, separate_accounts_possible
from jupyterlab_mlplat.core.kernel.naming import system_account
from tests.workbench import ROOT, Hub, run_in_kernel


@pytest.fixture(autouse=True)
def _accounts_possible() -> None:
    if separate_accounts_possible():
        return
    why = "accounts per person need the hub to run as root on a Python every account can run"
    if os.environ.get("CI"):
        pytest.fail(f"{why}: CI runs as root and scripts/bootstrap picks such a Python")
    pytest.skip(why)


SERVER_SCOPES = ["access:servers!user={user}", "servers!user={user}", "read:users!user={user}"]

#: what alice's kernel tries; it prints one JSON object the test reads back
PROBE = r"""
import json, os
data_dir, targets, writes, rita_home = {args}
report = {{"uid": os.getuid(), "home": os.environ.get("HOME"), "opened": {{}}, "wrote": {{}}}}
for path in targets:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
        report["opened"][path] = "read"
    except OSError as err:
        report["opened"][path] = type(err).__name__
for path in writes:
    try:
        with open(path, "ab"):
            pass
        report["wrote"][path] = "written"
    except OSError as err:
        report["wrote"][path] = type(err).__name__
try:
    report["rita_listing"] = os.listdir(rita_home)
except OSError as err:
    report["rita_listing"] = type(err).__name__
seen = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{{pid}}/{{part}}", "rb") as fh:
                    seen.append(fh.read().decode("latin-1"))
            except OSError:
                pass
for top, dirs, files in os.walk(data_dir):
    for name in files:
        try:
            with open(os.path.join(top, name), "rb") as fh:
                seen.append(os.path.join(top, name) + "\n" + fh.read().decode("latin-1"))
        except OSError:
            pass
report["seen"] = seen
print(json.dumps(report))
"""


def _spawn(hub: Hub, user: str) -> str:
    token = hub.token(hub.login(user), user, [s.format(user=user) for s in SERVER_SCOPES])
    headers = {"Authorization": f"token {token}"}
    started = requests.post(
        f"{hub.url}/hub/api/users/{user}/server", json={}, headers=headers, timeout=30
    )
    assert started.status_code in (201, 202, 400), started.text  # 400: already running
    for _ in range(240):
        model = requests.get(f"{hub.url}/hub/api/users/{user}", headers=headers, timeout=10)
        if model.json().get("servers", {}).get("", {}).get("ready"):
            return token
        time.sleep(0.5)
    pytest.fail(f"{user}'s server did not start:\n{hub.log.read_text()[-3000:]}")


def _stop(hub: Hub, user: str, token: str) -> None:
    requests.delete(
        f"{hub.url}/hub/api/users/{user}/server",
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )


async def _execute(hub: Hub, user: str, token: str, code: str) -> str:
    """Run ``code`` in a new kernel of ``user``'s server, as a notebook would; its stdout."""
    base = f"{hub.url}/user/{user}/api/kernels"
    headers = {"Authorization": f"token {token}"}
    kernel = await asyncio.to_thread(
        lambda: requests.post(base, json={"name": "python3"}, headers=headers, timeout=60)
    )
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    url = base.replace("http", "ws", 1) + f"/{kernel_id}/channels"
    try:
        return await run_in_kernel(url, headers, code, user=user)
    finally:
        await asyncio.to_thread(
            lambda: requests.delete(f"{base}/{kernel_id}", headers=headers, timeout=30)
        )


def _environ_of(uid: int) -> list[str]:
    """The environments of ``uid``'s processes, read as root: the tokens they hold."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                found.append(Path(f"/proc/{pid}/environ").read_bytes().decode("latin-1"))
        except OSError:
            continue
    return found


def _status(pid: str) -> dict[str, str]:
    fields = (line.partition(":") for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: value.strip() for name, _, value in fields}


def _hub_children(data_dir: Path) -> dict[int, int]:
    """The processes the hub started (its proxy, services and people's servers): pid → uid.
    The hub is the proxy's parent, and the proxy's pid is in the data directory."""
    proxy = (data_dir / "hub" / "proxy.pid").read_text().strip()
    hub = _status(proxy)["PPid"]
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = _status(pid)
        except OSError:
            continue
        if status.get("PPid") == hub:
            children[int(pid)] = int(status["Uid"].split()[0])
    return children


def _secret_values(data_dir: Path, rita_uid: int, service_uid: int) -> dict[str, str]:
    """Every secret the stack holds, by where it came from."""
    found = {f"secrets/{p.name}": p.read_text().strip() for p in (data_dir / "secrets").iterdir()}
    token_key = data_dir / "platform" / "secrets" / "token.key"
    found["platform token key"] = token_key.read_bytes().decode("latin-1").strip()
    for owner, uid in (("rita", rita_uid), ("service", service_uid)):
        for environ in _environ_of(uid):
            for entry in environ.split("\0"):
                name, _, value = entry.partition("=")
                if ("TOKEN" in name or "SECRET" in name or "PASSWORD" in name) and len(value) > 8:
                    found[f"{owner} env {name}"] = value
    return found


def test_a_workspace_reads_nothing_of_the_stack_or_of_another_person(embedded_hub: Hub) -> None:
    hub, data_dir = embedded_hub, embedded_hub.data_dir
    rita_token = _spawn(hub, "rita")
    alice_token = _spawn(hub, "alice")
    try:
        rita, alice = pwd.getpwnam(system_account("rita")), pwd.getpwnam(system_account("alice"))
        service = pwd.getpwnam(SERVICE_ACCOUNT)
        # nothing the hub started runs as root: the services as their account, people as theirs
        children = _hub_children(data_dir)
        assert len(children) >= 6, children  # proxy, platform, MLflow, its gateway, two servers
        assert set(children.values()) == {service.pw_uid, rita.pw_uid, alice.pw_uid}, children
        rita_home = data_dir / "home" / "rita"
        assert rita_home.stat().st_uid == rita.pw_uid
        assert rita_home.stat().st_mode & 0o777 == 0o700
        rita_note = rita_home / "note.txt"
        rita_note.write_text(f"rita's own {secrets.token_hex(8)}")
        os.chown(rita_note, rita.pw_uid, rita.pw_gid)

        targets = [
            *(str(p) for p in (data_dir / "secrets").iterdir()),
            str(data_dir / "platform" / "secrets" / "token.key"),
            # every database but alice's own (her kernel keeps its history in her home)
            *(
                str(p)
                for p in data_dir.glob("**/*.sqlite")
                if not p.is_relative_to(data_dir / "home" / "alice")
            ),
            str(data_dir / "mlflow" / "auth.ini"),
            str(rita_note),
            str(hub.log),  # the launcher's banner names the demo password
        ]
        assert len(targets) >= 10, (
            targets
        )  # six secrets, the key, three databases, the note, the log
        writes = [
            str(rita_home / "planted.txt"),
            str(ROOT / "jupyterlab_mlplat" / "__init__.py"),
            "/etc/passwd",
            str(data_dir / "mlflow" / "artifacts" / "planted"),
        ]
        args = (str(data_dir), targets, writes, str(rita_home))
        output = asyncio.run(_execute(hub, "alice", alice_token, PROBE.format(args=repr(args))))
        report: dict[str, Any] = json.loads(output.strip().splitlines()[-1])

        assert report["uid"] == alice.pw_uid != 0
        assert report["home"] == str(data_dir / "home" / "alice")
        assert report["opened"] == dict.fromkeys(targets, "PermissionError")
        assert set(report["wrote"].values()) == {"PermissionError"}, report["wrote"]
        assert report["rita_listing"] == "PermissionError"
        assert not (rita_home / "planted.txt").exists()

        seen = "\n".join(report["seen"])
        leaked = [
            where
            for where, value in _secret_values(data_dir, rita.pw_uid, service.pw_uid).items()
            if value in seen
        ]
        assert leaked == [], f"alice's kernel could read: {leaked}"
        # what alice reached under the data directory is her own home and nothing else
        reached = [s.split("\n", 1)[0] for s in report["seen"] if s.startswith(str(data_dir))]
        assert all(p.startswith(str(data_dir / "home" / "alice")) for p in reached), reached
    finally:
        _stop(hub, "alice", alice_token)
        _stop(hub, "rita", rita_token)
