"""``python -m jupyterlab_mlplat.serving``: the command line every deployer builds.

    python -m jupyterlab_mlplat.serving --model-uri URI --name NAME [--version V]
        [--host 127.0.0.1] [--port 8080] [--cache-dir DIR] [--max-body-bytes N]

A model that cannot be loaded ends the process with exit status 1 and ONE line on stderr,
``mlplat-serving: cannot load model: <why>``, which the deployers show as the workload's last
error; nothing else is written before it. A port already taken ends it with status 3 and
uvicorn's one line. ``--max-body-bytes`` (16 MiB by default) bounds a request body (413 above).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from .app import DEFAULT_MAX_BODY, ServingApp
from .model import NAMES_WARNING, Model, load
from .sources import fetch

PREFIX = "mlplat-serving"
#: seconds an idle kept-alive connection stays open: longer than the gateway keeps one
#: (``gateways.invocations.IDLE_CONNECTION_S``), so the gateway is the side that closes it
KEEP_ALIVE_S = 75


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jupyterlab_mlplat.serving",
        description="Serve one MLflow model over the MLflow scoring protocol and Open "
        "Inference Protocol v2.",
    )
    parser.add_argument(
        "--model-uri", required=True, help="folder, file://, s3:// or mlflow-artifacts:/"
    )
    parser.add_argument("--name", required=True, help="the model's name in /v2/models/{name}")
    parser.add_argument("--version", default="", help="the model version it serves")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--cache-dir", type=Path, help="where remote files land (default: a temp dir)"
    )
    parser.add_argument(
        "--max-body-bytes", type=int, default=DEFAULT_MAX_BODY, help="larger bodies get 413"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format=f"{PREFIX}: %(levelname)s %(message)s"
    )
    # the names were checked against the signature before any array reaches the model
    warnings.filterwarnings("ignore", message=NAMES_WARNING, category=UserWarning)
    cache = args.cache_dir
    if cache is None:
        cache = Path(tempfile.mkdtemp(prefix="mlplat-serving-"))
        atexit.register(shutil.rmtree, cache, ignore_errors=True)
    failure: list[str] = []

    def loader() -> Model:
        # warnings while loading (a scikit-learn version mismatch) are logged after success,
        # so that a failure's line is the only one
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = load(fetch(args.model_uri, cache), name=args.name, version=args.version)
        for w in caught:
            logging.getLogger("mlplat.serving").warning(
                "while loading: %s", str(w.message).splitlines()[0]
            )
        return model

    import uvicorn

    def fatal(why: str) -> None:
        failure.append(why)
        server.should_exit = True

    app = ServingApp(args.name, args.version, loader, on_fatal=fatal, max_body=args.max_body_bytes)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        http="httptools",
        loop="uvloop",
        lifespan="on",
        access_log=False,
        log_config=None,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=5,
        # whoever closes an idle connection must be the side that sends on it, or a request
        # can go out on a connection the server is closing (uvicorn's default is 5 s)
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    server = uvicorn.Server(config)
    server.run()
    if failure:
        sys.stderr.write(f"{PREFIX}: cannot load model: {failure[0]}\n")
        sys.stderr.flush()
        return 1
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
