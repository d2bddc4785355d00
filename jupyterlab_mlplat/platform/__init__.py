"""The central platform service: a JupyterHub-managed tornado service, also runnable in-process."""
