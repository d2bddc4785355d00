"""A Deployment of deploy/kustomize run as a local process: the same program, flags, variables
and mounted files its manifest gives it, so an end-to-end test exercises the configuration a
cluster would run, not a copy of it.

What a cluster provides is provided here: a secret's key from ``secrets`` (by secret and key),
a mounted secret or config map as files under a folder, an emptyDir as an empty folder; and
what its DNS would resolve (``http://hub:8081``) is replaced, as text, by the test's address.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZE = ROOT / "deploy" / "kustomize"


def manifest(kind: str, name: str) -> dict[str, Any]:
    for path in sorted(KUSTOMIZE.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document["kind"] == kind and document["metadata"]["name"] == name:
                return dict(document)
    raise KeyError(f"{kind}/{name}")


def _replace(text: str, replacements: dict[str, str]) -> str:
    for old in sorted(replacements, key=len, reverse=True):  # the longest spelling first
        text = text.replace(old, replacements[old])
    return text


def local_command(
    deployment: str,
    *,
    secrets: dict[tuple[str, str], str],
    replace: dict[str, str],
    folder: Path,
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of the Deployment's first container, run here."""
    pod = manifest("Deployment", deployment)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts: dict[str, str] = {}
    for mount in container.get("volumeMounts", []):
        local = folder / "volumes" / mount["name"]
        local.mkdir(parents=True, exist_ok=True)
        volume = volumes[mount["name"]]
        if "secret" in volume:
            name = volume["secret"]["secretName"]
            for item in volume["secret"]["items"]:
                (local / item["path"]).write_text(secrets[(name, item["key"])])
        elif "configMap" in volume:
            data = manifest("ConfigMap", volume["configMap"]["name"])["data"]
            for key, text in data.items():
                (local / key).write_text(_replace(text, replace))
        mounts[mount["mountPath"]] = str(local)

    def translate(value: str) -> str:
        """The text with the test's addresses, and a mounted path (alone or as a flag's
        value) as the local folder standing in for the mount."""
        value = _replace(value, replace)
        flag, equals, rest = value.partition("=")
        for path in sorted(mounts, key=len, reverse=True):
            if equals and (rest == path or rest.startswith(path + "/")):
                return f"{flag}={mounts[path]}{rest[len(path) :]}"
            if value == path or value.startswith(path + "/"):
                return mounts[path] + value[len(path) :]
        return value

    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "LANG": "C.UTF-8",
    }
    for entry in container.get("env", []):
        if "valueFrom" in entry:
            ref = entry["valueFrom"]["secretKeyRef"]
            env[entry["name"]] = secrets[(ref["name"], ref["key"])]
        else:
            env[entry["name"]] = translate(entry["value"])
    argv = [translate(a) for a in [*container["command"], *container.get("args", [])]]
    argv[0] = shutil.which(argv[0], path=env["PATH"]) or argv[0]
    return argv, env


@contextmanager
def running(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The process, stopped with its children (MLflow's workers) however the test ends."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
