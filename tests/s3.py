"""A real S3 server (moto's) for the tests, on a port the kernel gives it as it binds.

moto's ``ThreadedMotoServer.start()`` waits without a limit for its thread to bind. A port
chosen beforehand (probed free, then let go) can be taken in between by another process on a
loaded machine (an outgoing connection's ephemeral port is enough); the bind then fails inside
the thread, nothing tells ``start()``, and the test session waits forever. Port 0 cannot lose
that race.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def running_s3_server() -> Iterator[str]:
    """The endpoint of a running S3 server, stopped on leaving."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
