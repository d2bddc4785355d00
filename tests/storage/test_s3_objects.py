"""The S3 object store against a real S3 server (moto's, over HTTP, in-process), as the
platform uses it on a cluster: the same keys as the local folder, the same errors."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.s3 import S3ObjectStore
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound, Unavailable
from jupyterlab_mlplat.core.kernel.storage import ObjectStore
from tests.s3 import running_s3_server

ACCESS = "mlplat-access"
SECRET = "s3cr3t-never-shown-0123456789"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with running_s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_server: str) -> str:
    name = f"mlplat-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=ACCESS,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    ).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(s3_server: str, bucket: str) -> S3ObjectStore:
    return S3ObjectStore(
        s3_server, bucket, access_key=ACCESS, secret_key=SECRET, region="us-east-1"
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """Both stores the platform can be configured with, for what they must do alike."""
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    return request.getfixturevalue("s3")  # type: ignore[no-any-return]


def test_put_get_list_delete(store: ObjectStore) -> None:
    store.put("drift/churn/3/20261203T120000Z-1.jsonl", b'{"a": 1}\n')
    store.put("drift/churn/3/20261203T120500Z-2.jsonl", b'{"a": 2}\n')
    store.put("drift/churn/31/20261203T120000Z-1.jsonl", b"other version")
    store.put("models/a/card.md", b"# card")

    assert store.get("drift/churn/3/20261203T120500Z-2.jsonl") == b'{"a": 2}\n'
    assert store.keys("drift/churn/3/") == [
        "drift/churn/3/20261203T120000Z-1.jsonl",
        "drift/churn/3/20261203T120500Z-2.jsonl",
    ]
    # a prefix need not end at a folder
    assert store.keys("drift/churn/3") == [
        "drift/churn/3/20261203T120000Z-1.jsonl",
        "drift/churn/3/20261203T120500Z-2.jsonl",
        "drift/churn/31/20261203T120000Z-1.jsonl",
    ]
    assert store.keys("nothing/here/") == []
    assert store.keys("drift/churn/3/", start_after="drift/churn/3/20261203T120000Z") == [
        "drift/churn/3/20261203T120000Z-1.jsonl",
        "drift/churn/3/20261203T120500Z-2.jsonl",
    ]
    assert store.keys("drift/", start_after="drift/churn/3/20261203T120000Z-1.jsonl") == [
        "drift/churn/3/20261203T120500Z-2.jsonl",
        "drift/churn/31/20261203T120000Z-1.jsonl",
    ]
    store.delete("models/a/card.md")
    with pytest.raises(NotFound):
        store.get("models/a/card.md")
    store.delete("models/a/card.md")  # deleting what is gone is not an error
    store.ping()


def test_keys_are_canonicalised_alike(store: ObjectStore) -> None:
    store.put("a//b/./c.txt", b"x")
    assert store.get("a/b/c.txt") == b"x"
    assert store.keys("a/") == ["a/b/c.txt"]


@pytest.mark.parametrize(
    "key", ["../outside", "/etc/passwd", "a/../../b", "a/..", "", "nul\x00byte", "k" * 1100]
)
def test_keys_cannot_leave_the_store(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidInput):
        store.put(key, b"x")
    with pytest.raises(InvalidInput):
        store.get(key)
    with pytest.raises(InvalidInput):
        store.keys(key + "/" if key else "../")


def test_a_prefix_keeps_platforms_apart(s3_server: str, bucket: str) -> None:
    ours = S3ObjectStore(s3_server, bucket, access_key=ACCESS, secret_key=SECRET, prefix="prod")
    theirs = S3ObjectStore(s3_server, bucket, access_key=ACCESS, secret_key=SECRET, prefix="dev")
    ours.put("x/y", b"ours")
    theirs.put("x/y", b"theirs")
    assert ours.get("x/y") == b"ours"
    assert ours.keys("") == ["x/y"]
    with pytest.raises(InvalidInput):
        ours.get("../dev/x/y")


def test_a_missing_bucket_is_unavailable_and_says_which(
    s3_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = S3ObjectStore(s3_server, "no-such-bucket", access_key=ACCESS, secret_key=SECRET)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unavailable, match="bucket 'no-such-bucket' does not exist") as ping:
        store.ping()
    with pytest.raises(Unavailable, match="no-such-bucket") as put:
        store.put("a", b"x")
    with pytest.raises(Unavailable) as get:
        store.get("a")
    for err in (ping, put, get):
        assert SECRET not in str(err.value)
    assert SECRET not in caplog.text


def test_a_server_that_does_not_answer_is_unavailable_quickly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = S3ObjectStore(
        f"http://127.0.0.1:{_free_port()}",
        "bucket",
        access_key=ACCESS,
        secret_key=SECRET,
        timeout=2,
        retries=0,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unavailable, match="does not answer") as err:
        store.ping()
    assert SECRET not in str(err.value) and SECRET not in caplog.text
    assert repr(store) == f"S3ObjectStore('{store.endpoint}', bucket='bucket')"


@pytest.mark.parametrize(
    "endpoint", ["http://user:pass@127.0.0.1:9000", "ftp://host", "http://host/path", "http://"]
)
def test_an_endpoint_is_a_bare_url(endpoint: str) -> None:
    with pytest.raises(InvalidInput) as err:
        S3ObjectStore(endpoint, "bucket", access_key=ACCESS, secret_key=SECRET)
    assert "pass" not in str(err.value)


@pytest.mark.parametrize("name", ["b", "Upper", "a_b", "x" * 64])
def test_a_bucket_name_is_checked_before_any_call(name: str) -> None:
    with pytest.raises(InvalidInput, match="bucket name"):
        S3ObjectStore("http://127.0.0.1:9", name, access_key=ACCESS, secret_key=SECRET)


def test_credentials_come_from_files(tmp_path: Path, s3_server: str, bucket: str) -> None:
    (tmp_path / "access").write_text(ACCESS + "\n")
    (tmp_path / "secret").write_text(SECRET + "\n")
    store = S3ObjectStore.from_files(
        s3_server,
        bucket,
        access_key_file=str(tmp_path / "access"),
        secret_key_file=str(tmp_path / "secret"),
    )
    store.put("k", b"v")
    assert store.get("k") == b"v"
    with pytest.raises(Unavailable, match="missing") as err:
        S3ObjectStore.from_files(
            s3_server, bucket, access_key_file=str(tmp_path / "missing"), secret_key_file="x"
        )
    assert SECRET not in str(err.value)


def test_the_platform_selects_the_s3_store_by_configuration(
    tmp_path: Path, s3_server: str, bucket: str
) -> None:
    from traitlets.config import Config

    from jupyterlab_mlplat.platform.app import PlatformApp

    (tmp_path / "access").write_text(ACCESS)
    (tmp_path / "secret").write_text(SECRET)
    config = Config()
    config.PlatformApp.object_store_class = "jupyterlab_mlplat.adapters.s3.S3ObjectStore"
    config.PlatformApp.s3_endpoint = s3_server
    config.PlatformApp.s3_bucket = bucket
    config.PlatformApp.s3_access_key_file = str(tmp_path / "access")
    config.PlatformApp.s3_secret_key_file = str(tmp_path / "secret")
    store = PlatformApp(config=config, data_dir=str(tmp_path)).object_store()
    assert isinstance(store, S3ObjectStore) and store.bucket == bucket
    store.ping()
    default = PlatformApp(data_dir=str(tmp_path)).object_store()
    assert isinstance(default, LocalObjectStore) and default.root == (tmp_path / "objects")


def test_the_gateway_writes_its_samples_where_the_platform_reads_them(
    tmp_path: Path, s3_server: str, bucket: str
) -> None:
    """One config file for both: the same s3_* settings open the same bucket."""
    from traitlets.config import Config

    from jupyterlab_mlplat.gateways.invocations import InvocationsGatewayApp
    from jupyterlab_mlplat.platform.app import PlatformApp

    (tmp_path / "access").write_text(ACCESS)
    (tmp_path / "secret").write_text(SECRET)
    config = Config()
    for app in ("PlatformApp", "InvocationsGatewayApp"):
        config[app].object_store_class = "jupyterlab_mlplat.adapters.s3.S3ObjectStore"
        config[app].s3_endpoint = s3_server
        config[app].s3_bucket = bucket
        config[app].s3_access_key_file = str(tmp_path / "access")
        config[app].s3_secret_key_file = str(tmp_path / "secret")
    gateway = InvocationsGatewayApp(config=config).build(control=object())  # type: ignore[arg-type]
    written = gateway.sampler.store
    assert isinstance(written, S3ObjectStore)
    written.put("drift/churn/1/20261203T120000.000000Z-1.jsonl", b"{}\n")
    platform = PlatformApp(config=config, data_dir=str(tmp_path)).object_store()
    assert platform.keys("drift/churn/1/") == ["drift/churn/1/20261203T120000.000000Z-1.jsonl"]
