"""Code JupyterHub loads by name from hub_config/: spawners and the embedded launcher.

hub_config/ holds configuration only; anything with logic lives here so it is linted, typed and
tested like the rest of the package.
"""
