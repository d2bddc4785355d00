"""Where the embedded workbench keeps its state: outside any source tree unless told otherwise,
so no person's home sits inside a checkout whose repository git and MLflow would take for
theirs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jupyterlab_mlplat.hub.embedded import default_data_dir

ROOT = Path(__file__).resolve().parents[2]


def test_as_root_the_state_lives_where_a_server_keeps_a_services_state() -> None:
    assert default_data_dir(as_root=True) == Path("/var/lib/mlplat")


def test_as_a_person_it_lives_in_their_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_data_dir(as_root=False) == tmp_path / "data" / "mlplat"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir(as_root=False) == tmp_path / ".local" / "share" / "mlplat"


@pytest.mark.parametrize("as_root", [True, False])
def test_the_default_is_in_no_checkout_even_when_started_from_one(
    as_root: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # where the README's command starts it
    chosen = default_data_dir(as_root).resolve()
    assert not chosen.is_relative_to(ROOT)
    folder = next(p for p in [chosen, *chosen.parents] if p.exists())
    inside = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert inside.returncode != 0, f"{chosen} is inside the repository {inside.stdout.strip()}"


def test_the_run_script_leaves_the_choice_to_the_launcher() -> None:
    """The README's command passes no folder of the checkout; MLPLAT_DATA_DIR still overrides."""
    script = (ROOT / "scripts" / "run").read_text()
    assert "/var" not in script.replace("/var/lib/mlplat", "")
    assert "--data-dir" not in script
