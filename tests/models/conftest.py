"""MLflow behind the real hub in both flavours (embedded: SQLite and a folder; cluster:
PostgreSQL and S3), shared with the experiments' tests."""

from tests.experiments.conftest import cluster_hub, mlflow_hub, s3_endpoint

__all__ = ["cluster_hub", "mlflow_hub", "s3_endpoint"]
