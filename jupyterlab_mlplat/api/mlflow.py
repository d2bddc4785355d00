"""The contract between the MLflow gateway and MLflow's auth plugin: how an identity travels.

The gateway strips every spelling of these headers a client sent, then sets them; the plugin
trusts them only with the secret that the two processes share through ``SECRET_ENV``.
"""

from __future__ import annotations

USER_HEADER = "X-Mlplat-User"
SECRET_HEADER = "X-Mlplat-Gateway-Secret"  # noqa: S105 - the header's name, not a secret
SECRET_ENV = "MLPLAT_MLFLOW_GATEWAY_SECRET"  # noqa: S105 - the variable's name, not a secret
