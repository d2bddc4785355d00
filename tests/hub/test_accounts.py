"""The launcher opens folders for passage only: never a file, never reading or listing."""

from __future__ import annotations

from pathlib import Path

from jupyterlab_mlplat.adapters.local.accounts import make_traversable


def test_only_folders_above_a_path_are_opened_and_only_for_passage(tmp_path: Path) -> None:
    private = tmp_path / "private"
    code = private / "pkg" / "launcher.py"
    code.parent.mkdir(parents=True)
    code.write_text("")
    code.chmod(0o644)
    private.chmod(0o700)
    opened = make_traversable([code])
    assert private in opened and code not in opened
    assert private.stat().st_mode & 0o777 == 0o701  # passable, not listable
    assert code.stat().st_mode & 0o777 == 0o644  # a file never becomes executable
    assert make_traversable([code]) == []  # already passable: nothing to say
