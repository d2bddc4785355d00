"""MLflow behind the real hub, in both flavours the product supports, for every directory that
needs it (experiments, models, deployments): a pytest plugin the root conftest names, so each
session-scoped server starts once however many directories ask for it.

embedded: the workbench's MLflow on SQLite with a local artifact folder (``embedded_hub``,
          the root conftest's).
cluster:  MLflow on the real PostgreSQL with artifacts in a real S3 server (moto_server).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import psycopg
import pytest
import sqlalchemy as sa

from tests.s3 import running_s3_server
from tests.workbench import Hub, embedded_hub, workbench_dir

#: the cluster flavour's artifact bucket (in the S3 server of ``s3_endpoint``)
BUCKET = "mlplat-artifacts"


def _postgres_url() -> str:
    url = os.environ.get("MLPLAT_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("MLPLAT_TEST_POSTGRES_URL is not set under CI: scripts/test starts it")
        pytest.skip("no PostgreSQL: run through scripts/test")
    return url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 server (moto) with ``BUCKET``; tests make buckets of their own beside it."""
    with running_s3_server() as endpoint:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture(scope="session")
def cluster_hub(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Hub]:
    postgres = _postgres_url()
    name = f"mlflow_{uuid.uuid4().hex[:10]}"
    admin = sa.engine.make_url(postgres).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        "MLPLAT_MLFLOW_BACKEND_URI": sa.engine.make_url(postgres)
        .set(database=name)
        .render_as_string(False),
        "MLPLAT_MLFLOW_ARTIFACTS": f"s3://{BUCKET}/",
        "MLFLOW_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with (
        workbench_dir("cluster") as data_dir,
        embedded_hub(data_dir, start=19000, env=env) as workbench,
    ):
        yield Hub(workbench)


@pytest.fixture(params=["embedded", pytest.param("cluster", marks=pytest.mark.postgres)])
def mlflow_hub(request: pytest.FixtureRequest) -> Hub:
    return request.getfixturevalue(f"{request.param}_hub")  # type: ignore[no-any-return]
