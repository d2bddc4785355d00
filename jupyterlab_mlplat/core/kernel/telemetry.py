"""What every process that runs MLflow's code is given: MLflow's telemetry off.

MLflow 3 reports its use to its makers unless told not to. A city's workbench sends nothing
out of the city. And where a cluster has no way out, the report's own settings cannot be
fetched: MLflow's thread that tries then deletes a variable (``_MLFLOW_TELEMETRY_SESSION_ID``)
from ``os.environ`` while the person's code may be reading the environment (``requests`` does,
for proxies, on every call). A notebook's ``mlflow.set_experiment`` once failed so with
``KeyError: '_MLFLOW_TELEMETRY_SESSION_ID'``. So the people's servers, MLflow's server and the
model servers all start with these variables. ``DO_NOT_TRACK`` is the common switch other
libraries honour too.
"""

from __future__ import annotations

NO_TELEMETRY: dict[str, str] = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
