"""jupyterlab-mlplat: an ML workbench for JupyterHub and JupyterLab.

The distribution carries two import roots: this one (domain, adapters, platform service) and
``jupyterlab_mlplat_server`` (the Jupyter Server extension), so the user server can be upgraded
without the platform and the platform runs without Jupyter Server. The server extension is
enabled by its own name (``jupyterlab_mlplat_server``); this package does not point at it, so
the platform never imports Jupyter Server.
"""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built has no generated version file
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-mlplat"}]
