"""Drift's two outside parts: the statistics (SciPy) and the reference data (MLflow).

Why SciPy and not Evidently 0.7's ``DataDriftPreset``: for tabular data the preset runs the
same tests (two-sample Kolmogorov-Smirnov for numeric columns, chi-square for categorical ones,
drift when p < 0.05, dataset drift when half the columns drifted), but installing evidently
0.7.23 adds 31 packages to the platform's environment (plotly, nltk, statsmodels, litestar,
Faker, watchdog, … — pip's dry run against this venv, 2026-12-03), while SciPy is already
there with scikit-learn and MLflow. Measured here: a 10,000 against 10,000 row KS test takes
~11 ms, a chi-square of a few categories ~1 ms. SciPy is imported at the first comparison (in
the job's worker thread), not with the platform: ``scipy.stats`` takes ~3 s to import cold on
a busy machine. The thresholds and the decision stay in ``core/deployments/drift.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import yaml

from jupyterlab_mlplat.adapters.mlflow.registry import PlatformMlflowRegistry
from jupyterlab_mlplat.core.deployments.drift import Comparison, FeatureKind, rows_of_request
from jupyterlab_mlplat.core.deployments.drift_service import Reference
from jupyterlab_mlplat.core.kernel.errors import NotFound

#: the largest reference file read (a dataset sample, not the dataset)
MAX_REFERENCE_BYTES = 20 * 1024 * 1024


class ScipyDriftStatistics:
    """The ``DriftStatistics`` port with SciPy's tests."""

    def compare(self, comparison: Comparison) -> tuple[float, float]:
        from scipy import stats  # seconds to import: only when comparing

        if comparison.kind is FeatureKind.NUMERIC:
            result = stats.ks_2samp(comparison.reference, comparison.current)
            return float(result.statistic), float(result.pvalue)
        reference, current = Counter(comparison.reference), Counter(comparison.current)
        categories = sorted(set(reference) | set(current))
        if len(categories) < 2:
            return 0.0, 1.0  # one category on both sides: nothing can have moved
        # a test of homogeneity of the two samples' counts: a category only one side has
        # (a new value in the requests) counts as drift instead of dividing by zero
        table = [[reference[c] for c in categories], [current[c] for c in categories]]
        statistic, p_value, _, _ = stats.chi2_contingency(table, correction=False)
        return float(statistic), float(p_value)


class MlflowDriftReferences:
    """The ``ReferenceSource`` port: a version's reference read from MLflow as the deployment's
    owner. A dataset sample the run logged (``reference_artifact``, e.g. written with
    ``mlflow.log_table(df, "drift_reference.json")``) is preferred, for it holds more rows;
    else the input example logged with the model (``saved_input_example_info`` of MLmodel)."""

    def __init__(
        self, registry: PlatformMlflowRegistry, *, reference_artifact: str = "drift_reference.json"
    ) -> None:
        self.registry = registry
        self.reference_artifact = reference_artifact

    async def reference(self, owner: str, model_name: str, version: str) -> Reference | None:
        registry = self.registry.as_author(owner)
        try:
            found = await registry.get_version(model_name, version)
        except NotFound:
            return None
        if found.run_id and self.reference_artifact:
            rows = await self._rows(
                registry,
                "get-artifact",
                {"run_uuid": found.run_id, "path": self.reference_artifact},
            )
            if rows:
                return Reference(source="dataset", rows=tuple(rows))
        example = await self._example_file(registry, model_name, version)
        if example:
            rows = await self._rows(
                registry,
                "model-versions/get-artifact",
                {"name": model_name, "version": version, "path": example},
            )
            if rows:
                return Reference(source="input_example", rows=tuple(rows))
        return None

    async def _example_file(
        self, registry: PlatformMlflowRegistry, model_name: str, version: str
    ) -> str:
        raw = await _artifact(
            registry,
            "model-versions/get-artifact",
            {"name": model_name, "version": version, "path": "MLmodel"},
        )
        try:
            spec = yaml.safe_load(raw or b"") or {}
        except yaml.YAMLError:
            return ""
        info = spec.get("saved_input_example_info") if isinstance(spec, dict) else None
        file = str(info.get("artifact_path", "")) if isinstance(info, dict) else ""
        # MLflow writes it beside MLmodel; anything else is not ours to follow
        return "" if not file or "/" in file or file.startswith(".") else file

    async def _rows(
        self, registry: PlatformMlflowRegistry, path: str, query: dict[str, str]
    ) -> list[dict[str, Any]]:
        raw = await _artifact(registry, path, query)
        if not raw or len(raw) > MAX_REFERENCE_BYTES:
            return []
        try:
            return rows_of_request(json.loads(raw))
        except ValueError:
            return []


async def _artifact(
    registry: PlatformMlflowRegistry, path: str, query: dict[str, str]
) -> bytes | None:
    """An artifact's bytes, None when it is not there (MLflow's ``Unavailable`` goes up: the
    job tries again at its next run)."""
    try:
        raw, _ = await registry._call(  # the registry's own transport
            "GET", path, query=query, missing=NotFound("no such artifact")
        )
    except NotFound:
        return None
    return raw
