# A person's server under the embedded hub reads this before it loads its server extensions
# (JUPYTER_CONFIG_PATH, hub_config/jupyterhub_config.py).
#
# Importing jupyterlab.labapp runs `node yarn.js config --json` (JupyterLab 4.6: the module-level
# `app_version = get_app_version()` makes a default AppOptions, whose npm `registry` default asks
# yarn), ~0.4 CPU-s of every server start, for a registry that a prebuilt lab people cannot
# rebuild never uses (workspace/labconfig/page_config.json turns the build off). No setting
# reaches it: only whether `node` is on the PATH does. So the module is imported here, before
# the server imports it, with the PATH pointing nowhere, and the PATH is put back at once:
# people's terminals and kernels keep node. bench/README.md ("What is left of a start") has the
# figures; tests/hub/test_server_start.py checks that a start runs no node.
import os

_path = os.environ.get("PATH")
os.environ["PATH"] = os.devnull
try:
    import jupyterlab.labapp  # noqa: F401
finally:
    if _path is None:
        del os.environ["PATH"]
    else:
        os.environ["PATH"] = _path
