"""The model server: one process per replica of a deployment, the model loaded once, here only.

Models are code (a pickle runs whatever its author wrote), so loading and calling one happens
in this process and nowhere else: the platform and the hub never import a model. For the same
reason this package imports nothing of ``jupyterlab_mlplat`` outside itself, so a replica's
image needs only the serving dependencies and a change to the platform cannot slow or break the
data plane (``tests/serving/test_isolation.py`` holds the fence).

    python -m jupyterlab_mlplat.serving --model-uri URI --name NAME [--version V]
        [--host 127.0.0.1] [--port 8080] [--cache-dir DIR] [--max-body-bytes N]

It speaks the MLflow scoring protocol (``/invocations``, ``/ping``, ``/health``, ``/version``),
the Open Inference Protocol v2 (``/v2/...``) and Prometheus (``/metrics``). Its stack was chosen
by measuring (``bench/serving.py``): a bare ASGI callable on uvicorn with httptools and uvloop,
orjson, no framework on the request path.
"""
