"""What can go wrong in the Experiments tab, each with its own reason code so the sidebar can say
it in the person's language. The service, the records' parsers and the tracker adapter raise
these; the English message is only the fallback. Params are strings or numbers."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Unavailable,
)

# --- the request itself ---------------------------------------------------------------------


class BadSort(InvalidInput):
    """The runs table cannot be sorted so; ``params.field`` (sort_kind, sort_dir or sort_key)
    and ``params.value`` (what was asked)."""

    reason = "run_sort_invalid"


class BadColumn(InvalidInput):
    """``params.column``: a column spec that is not ``metric:<name>`` or ``param:<name>``."""

    reason = "run_column_invalid"


class PageSizeOutOfRange(InvalidInput):
    """``params.limit``: the largest page (the smallest is 1)."""

    reason = "page_size_out_of_range"


class PageTokenInvalid(InvalidInput):
    """``params.field`` (``page_token``): not a ``next_page_token`` this API hands out."""

    reason = "page_token_invalid"


class RunIdInvalid(InvalidInput):
    """``params.run_id``: not a run id (letters, digits, ``-`` and ``_``)."""

    reason = "run_id_invalid"


class MetricKeyMissing(InvalidInput):
    """The metric history was asked for without naming the metric."""

    reason = "metric_key_missing"


class ArtifactPathOutsideRun(InvalidInput):
    """``params.path``: an artifact path that is absolute, empty or climbs out with ``..``."""

    reason = "artifact_path_outside_run"


class TooFewRunsToCompare(InvalidInput):
    """``params.minimum``: comparing needs at least this many different runs."""

    reason = "too_few_runs_to_compare"


class TooManyRunsToCompare(InvalidInput):
    """``params.limit``: at most this many runs are compared at once."""

    reason = "too_many_runs_to_compare"


class NotANotebook(InvalidInput):
    """``params.path``: only notebooks (``.ipynb``) are logged to a run."""

    reason = "not_a_notebook"


class NotebooksUnavailable(InvalidInput):
    """This server has no notebooks to log (no workspace was given to the service)."""

    reason = "notebooks_unavailable"


class NotebookNotFound(NotFound):
    """``params.path``: the notebook is not saved (or not there)."""

    reason = "notebook_not_found"


class NotebookUnreadable(InvalidInput):
    """``params.path``: the notebook exists but cannot be read as a file."""

    reason = "notebook_unreadable"


# --- what the person may do -----------------------------------------------------------------


class NotYourRun(Forbidden):
    """``params.run_id``, ``params.owner``: a change only the run's owner may make."""

    reason = "not_your_run"


class NotYourExperiment(Forbidden):
    """``params.experiment_id``: only the experiment's owner may make it private or shared."""

    reason = "not_your_experiment"


# --- what the tracker (MLflow) answered -----------------------------------------------------


class RunNotFound(NotFound):
    """``params.run_id``: no such run, or one the person may not see (MLflow does not say which,
    so an id cannot be probed)."""

    reason = "run_not_found"


class ExperimentNotFound(NotFound):
    """``params.experiment_id``: no such experiment, or one the person may not see."""

    reason = "experiment_not_found"


class ArtifactNotFound(NotFound):
    """``params.run_id``, ``params.path``: no such artifact in the run."""

    reason = "artifact_not_found"


class ArtifactStoreNotWritable(InvalidInput):
    """``params.run_id``: the run keeps its artifacts where the workbench cannot write."""

    reason = "artifact_store_not_writable"


class MLflowNotFound(NotFound):
    """MLflow has no such object (an experiment, run or route it was asked about)."""

    reason = "mlflow_not_found"


class MLflowRefused(InvalidInput):
    """MLflow refused the request as invalid; ``params.said`` is MLflow's own words."""

    reason = "mlflow_refused"


class MLflowForbidden(Forbidden):
    """MLflow's permissions do not let the person make this change."""

    reason = "mlflow_forbidden"


class MLflowTokenRefused(NotAuthenticated):
    """MLflow (its gateway) did not accept the server's token; signing in again renews it."""

    reason = "mlflow_token_refused"


class MLflowUnavailable(Unavailable):
    """MLflow is not reachable, or says it is temporarily unavailable (restarting)."""

    reason = "mlflow_unavailable"


class MLflowFailed(Unavailable):
    """MLflow answered with an error of its own; ``params.status`` is the HTTP status."""

    reason = "mlflow_failed"


class MLflowNotConfigured(NotFound):
    """This server has no tracking URI: the Experiments tab says so instead of failing."""

    reason = "mlflow_not_configured"


class EventsFromGatewayOnly(Forbidden):
    """Only the MLflow gateway records what people changed in MLflow."""

    reason = "events_from_gateway_only"


class ExperimentIdInvalid(InvalidInput):
    """``params.experiment_id``: not the shape of an MLflow experiment id."""

    reason = "experiment_id_invalid"
