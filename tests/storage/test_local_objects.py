from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound


def test_put_get_delete(tmp_path: Path) -> None:
    objects = LocalObjectStore(tmp_path / "objects")
    objects.put("models/a/card.md", b"# card")
    assert objects.get("models/a/card.md") == b"# card"
    objects.delete("models/a/card.md")
    with pytest.raises(NotFound):
        objects.get("models/a/card.md")
    objects.ping()


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", "", "nul\x00byte"])
def test_keys_cannot_leave_the_store(tmp_path: Path, key: str) -> None:
    objects = LocalObjectStore(tmp_path / "objects")
    with pytest.raises(InvalidInput):
        objects.put(key, b"x")
    assert not (tmp_path / "outside").exists()


def test_a_symlink_inside_the_store_cannot_lead_out(tmp_path: Path) -> None:
    objects = LocalObjectStore(tmp_path / "objects")
    (tmp_path / "objects" / "escape").symlink_to(tmp_path)
    with pytest.raises(InvalidInput, match="leaves"):
        objects.put("escape/stolen", b"x")
