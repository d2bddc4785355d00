from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def jp_server_config(tmp_path: Path, extension_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_mlplat_server": True},
            # every endpoint is tested behind auth, as in the extension template
            "allow_unauthenticated_access": False,
        },
        "MLPlatformServerApp": {
            "standalone_data_dir": str(tmp_path / "mlplat"),
            **extension_config,
        },
    }


@pytest.fixture
def extension_config() -> dict[str, Any]:
    return {}
