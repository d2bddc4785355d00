"""The rooms of DESIGN.md stay as designed: the core imports no framework, the glue folders stay
configuration, not packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"


@pytest.mark.parametrize(
    "module", ["tornado", "sqlalchemy", "psycopg", "jupyter_server", "mlflow", "kubernetes"]
)
def test_ruff_refuses_framework_imports_in_the_core(module: str) -> None:
    probe = subprocess.run(
        [RUFF, "check", "--no-cache", "--stdin-filename", "jupyterlab_mlplat/core/probe.py", "-"],
        input=f"import {module}\n\nprint({module})\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert probe.returncode == 1
    assert "TID251" in probe.stdout
    assert "core/ is framework-free" in probe.stdout


def test_the_same_import_is_fine_in_an_adapter() -> None:
    probe = subprocess.run(
        [
            RUFF,
            "check",
            "--no-cache",
            "--stdin-filename",
            "jupyterlab_mlplat/adapters/probe.py",
            "-",
        ],
        input="import sqlalchemy\n\nprint(sqlalchemy)\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert probe.returncode == 0, probe.stdout


def test_glue_folders_are_not_packages() -> None:
    assert not (ROOT / "server_ext" / "__init__.py").exists()
    assert not (ROOT / "hub_config" / "__init__.py").exists()
    assert (ROOT / "server_ext" / "jupyterlab_mlplat_server" / "__init__.py").exists()
