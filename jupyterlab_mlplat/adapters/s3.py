"""The object store on a cluster: a bucket of an S3 server (MinIO, or any S3), through the
``minio`` SDK.

Keys go through the same canonicalisation as the local folder's (``naming.object_key``), so a
key means the same object whichever store holds it and a key built from user text cannot name
another bucket's object. Every failure becomes a core error whose message names the endpoint,
the bucket and the S3 error code, never a key, a signature or the SDK's own text (which quotes
request headers).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from minio.helpers import check_bucket_name

from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound, Unavailable
from jupyterlab_mlplat.core.kernel.naming import object_key
from jupyterlab_mlplat.core.kernel.storage import ObjectStore, ObjectStoreSettings

log = logging.getLogger("mlplat.s3")
T = TypeVar("T")

#: S3 codes that mean the object (or the version of it) is not there
_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NoSuchVersion"})
#: S3 codes that mean the credentials are refused: said as such, without the credentials
_REFUSED = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}
)


def read_secret_file(path: str) -> str:
    """A credential kept in a file readable by the service alone (the house rule for secrets);
    the error names the file, never its content."""
    try:
        return Path(path).read_text().strip()
    except OSError as err:
        raise Unavailable(f"the object store's credential file {path} cannot be read") from err


class S3ObjectStore(ObjectStore):
    """One bucket, optionally under a key prefix (several platforms may share a bucket)."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        access_key: str,
        secret_key: str,
        region: str | None = None,
        prefix: str = "",
        timeout: float = 10.0,
        retries: int = 2,
    ) -> None:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("the S3 endpoint must be an http(s) URL, e.g. https://minio:9000")
        if parts.username or parts.password or parts.query or parts.path.strip("/"):
            # credentials come from their own files: one written into a URL would end up in logs
            raise InvalidInput("the S3 endpoint is a bare scheme://host:port, without user or path")
        try:
            check_bucket_name(bucket, strict=True)
        except ValueError:
            raise InvalidInput(
                f"the S3 bucket name {bucket[:100]!r} is not valid (3-63 characters: "
                "lower-case letters, digits, '.', '-')"
            ) from None
        self.endpoint = f"{parts.scheme}://{parts.netloc}"
        self.bucket = bucket
        self.prefix = object_key(prefix, prefix=True).rstrip("/")
        # our own pool: minio's default retries a refused connection 5 times with back-off,
        # which makes a health check of a stopped server take half a minute
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
            maxsize=10,
            retries=urllib3.Retry(
                total=retries, backoff_factor=0.2, status_forcelist=(502, 503, 504)
            ),
        )
        self._client = Minio(
            parts.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=parts.scheme == "https",
            region=region or None,
            http_client=http,
        )

    @classmethod
    def from_files(
        cls,
        endpoint: str,
        bucket: str,
        *,
        access_key_file: str,
        secret_key_file: str,
        region: str | None = None,
        prefix: str = "",
    ) -> S3ObjectStore:
        return cls(
            endpoint,
            bucket,
            access_key=read_secret_file(access_key_file),
            secret_key=read_secret_file(secret_key_file),
            region=region,
            prefix=prefix,
        )

    @classmethod
    def from_settings(cls, settings: ObjectStoreSettings) -> S3ObjectStore:
        return cls.from_files(
            settings.endpoint,
            settings.bucket,
            access_key_file=settings.access_key_file,
            secret_key_file=settings.secret_key_file,
            region=settings.region or None,
            prefix=settings.prefix,
        )

    def _name(self, key: str) -> str:
        canonical = object_key(key)
        return f"{self.prefix}/{canonical}" if self.prefix else canonical

    def __repr__(self) -> str:  # never the keys
        return f"S3ObjectStore({self.endpoint!r}, bucket={self.bucket!r})"

    # ------------------------------------------------------------------ the port
    def put(self, key: str, data: bytes) -> None:
        name = self._name(key)
        self._call(
            "write",
            lambda: self._client.put_object(
                self.bucket,
                name,
                io.BytesIO(data),
                len(data),
                content_type="application/octet-stream",
            ),
        )

    def get(self, key: str) -> bytes:
        name = self._name(key)

        def read() -> bytes:
            response = self._client.get_object(self.bucket, name)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return self._call("read", read, missing=key)

    def delete(self, key: str) -> None:
        name = self._name(key)
        self._call("delete", lambda: self._client.remove_object(self.bucket, name))

    def keys(self, prefix: str, *, start_after: str = "") -> list[str]:
        canonical = object_key(prefix, prefix=True)
        full = f"{self.prefix}/{canonical}" if self.prefix else canonical
        cut = len(self.prefix) + 1 if self.prefix else 0
        # the server skips what sorts before: a prefix that grows all day is not listed whole
        after = (f"{self.prefix}/{start_after}" if self.prefix else start_after) or None

        def listed() -> list[str]:
            found = self._client.list_objects(
                self.bucket, prefix=full or None, recursive=True, start_after=after
            )
            return sorted(o.object_name[cut:] for o in found if o.object_name and not o.is_dir)

        return self._call("list", listed)

    def ping(self) -> None:
        if not self._call("reach", lambda: self._client.bucket_exists(self.bucket)):
            raise Unavailable(
                f"the object store's bucket {self.bucket!r} does not exist at {self.endpoint}: "
                "create it (mc mb) or correct PlatformApp.s3_bucket"
            )

    # ------------------------------------------------------------------ errors, in one place
    def _call(self, what: str, fn: Callable[[], T], *, missing: str | None = None) -> T:
        with self._translated(what, missing):
            return fn()
        raise AssertionError("unreachable")  # pragma: no cover - the context manager raises

    @contextmanager
    def _translated(self, what: str, missing: str | None) -> Iterator[None]:
        where = f"{self.endpoint}, bucket {self.bucket!r}"
        try:
            yield
        except S3Error as err:
            code = err.code or "error"
            if missing is not None and code in _MISSING:
                raise NotFound(f"object {missing!r} does not exist") from None
            if code == "NoSuchBucket":
                raise Unavailable(
                    f"the object store's bucket {self.bucket!r} does not exist at {self.endpoint}"
                ) from None
            if code in _REFUSED:
                log.warning("S3 %s refused at %s: %s", what, where, code)
                raise Unavailable(
                    f"the object store at {self.endpoint} refused the platform's credentials "
                    f"({code}): check its access key files"
                ) from None
            log.warning("S3 %s failed at %s: %s", what, where, code)
            raise Unavailable(f"the object store could not {what} ({code}) at {where}") from None
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as err:
            # no str(err): the SDK's and urllib3's texts can carry the request's URL and headers
            log.warning("S3 %s failed at %s: %s", what, where, type(err).__name__)
            raise Unavailable(
                f"the object store at {self.endpoint} does not answer ({type(err).__name__})"
            ) from None
