"""Bring a model's files to this machine: a local folder as it is; ``s3://`` through the minio
SDK; ``mlflow-artifacts:/`` through the MLflow server's artifact proxy.

Remote files land in ``cache_dir/<hash of the URI>`` and are renamed into place only once all
have arrived, so a replica restarted on the same node (or a second replica sharing the folder)
skips the download: a model version's files never change. Every name a listing returns is
checked before it becomes a path: a file named ``../x`` would otherwise be written outside
the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from .errors import LoadError

_DONE = ".complete"


def fetch(uri: str, cache_dir: Path) -> Path:
    """A local folder holding the model of ``uri``."""
    scheme = urllib.parse.urlsplit(uri).scheme
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        path = Path(urllib.parse.unquote(urllib.parse.urlsplit(uri).path) if scheme else uri)
        if not path.is_dir():
            raise LoadError(f"{path} is not a folder")
        return path
    if scheme not in ("s3", "mlflow-artifacts"):
        raise LoadError(
            f"model URIs of scheme {scheme!r} are not served; use a folder, file://, s3:// "
            "or mlflow-artifacts:/"
        )
    target = cache_dir / hashlib.sha256(uri.encode()).hexdigest()[:24]
    if (target / _DONE).exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=cache_dir))
    try:
        if scheme == "s3":
            _from_s3(uri, partial)
        else:
            _from_mlflow(uri, partial)
        (partial / _DONE).touch()
        try:
            partial.rename(target)
        except OSError:  # another replica finished first: its copy is as good as ours
            if not (target / _DONE).exists():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _safe(root: Path, relative: str) -> Path:
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        raise LoadError(f"refusing the file name {relative!r} the store listed")
    path = root.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _from_s3(uri: str, dest: Path) -> None:
    from minio import Minio
    from minio.error import MinioException, S3Error

    parsed = urllib.parse.urlsplit(uri)
    bucket, prefix = parsed.netloc, parsed.path.strip("/")
    endpoint = urllib.parse.urlsplit(
        os.environ.get("MLFLOW_S3_ENDPOINT_URL") or "https://s3.amazonaws.com"
    )
    client = Minio(
        endpoint.netloc,
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        session_token=os.environ.get("AWS_SESSION_TOKEN"),
        secure=endpoint.scheme == "https",
        # naming the region spares a request to find it (and moto or MinIO have one only)
        region=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
    )
    found = 0
    try:
        for item in client.list_objects(bucket, prefix=prefix + "/", recursive=True):
            name = str(item.object_name)
            if item.is_dir or name.endswith("/"):
                continue
            client.fget_object(bucket, name, str(_safe(dest, name[len(prefix) + 1 :])))
            found += 1
    except S3Error as e:
        raise LoadError(f"{uri}: {e.code}: {e.message}") from None
    except (MinioException, OSError, ValueError) as e:
        raise LoadError(f"{uri}: {type(e).__name__}: {_line(e)}") from None
    if not found:
        raise LoadError(f"{uri}: no files there")


def _from_mlflow(uri: str, dest: Path) -> None:
    """The artifact proxy of the MLflow server: list a folder, then download each file."""
    tracking = os.environ.get("MLFLOW_TRACKING_URI", "")
    base = urllib.parse.urlsplit(tracking)
    parsed = urllib.parse.urlsplit(uri)
    if base.scheme not in ("http", "https"):
        raise LoadError(f"{uri} needs MLFLOW_TRACKING_URI, the MLflow server's http(s) URL")
    root = f"{base.scheme}://{parsed.netloc or base.netloc}{base.path.rstrip('/')}"
    api = f"{root}/api/2.0/mlflow-artifacts/artifacts"
    headers = {}
    if token := os.environ.get("MLFLOW_TRACKING_TOKEN"):
        headers["Authorization"] = f"Bearer {token}"
    start = parsed.path.strip("/")
    found = 0
    for relative in _walk_mlflow(api, start, "", headers, uri):
        source = f"{api}/{urllib.parse.quote(f'{start}/{relative}')}"
        with _open(source, headers, uri) as answer, _safe(dest, relative).open("wb") as out:
            shutil.copyfileobj(answer, out, 1 << 20)
        found += 1
    if not found:
        raise LoadError(f"{uri}: no files there")


def _walk_mlflow(
    api: str, start: str, below: str, headers: dict[str, str], uri: str
) -> Iterator[str]:
    folder = f"{start}/{below}".strip("/")
    with _open(f"{api}?{urllib.parse.urlencode({'path': folder})}", headers, uri) as answer:
        try:
            listing = json.load(answer)
        except ValueError:
            raise LoadError(f"{uri}: the MLflow server's listing is not JSON") from None
    for entry in listing.get("files", []):
        name = PurePosixPath(str(entry.get("path", ""))).name
        relative = f"{below}/{name}".strip("/")
        if entry.get("is_dir"):
            yield from _walk_mlflow(api, start, relative, headers, uri)
        else:
            yield relative


def _open(url: str, headers: dict[str, str], uri: str):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) checked above
    try:
        return urllib.request.urlopen(request, timeout=60)  # noqa: S310
    except urllib.error.HTTPError as e:
        raise LoadError(f"{uri}: the MLflow server answered {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise LoadError(f"{uri}: cannot reach the MLflow server: {_line(e)}") from None


def _line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
