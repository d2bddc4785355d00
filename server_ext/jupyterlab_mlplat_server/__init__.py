"""The Jupyter Server extension of jupyterlab-mlplat: the sidebar's back end in the user server."""

from __future__ import annotations

from typing import Any

from .app import MLPlatformServerApp

__all__ = ["MLPlatformServerApp"]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "jupyterlab_mlplat_server", "app": MLPlatformServerApp}]
