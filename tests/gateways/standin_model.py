"""A stand-in model server speaking the model server's wire protocols (MLflow scoring at
``/invocations``, Open Inference Protocol v2) that can also FAIL: a body ``{"explode": true}``
gets a 500 with a traceback-like text, which the real model server never answers on purpose.
The gateway's tests use the real server for everything else. Its "model" adds up each row's
numbers and multiplies by ``--factor``.

    python -m tests.gateways.standin_model --port P --name NAME --version V [--factor F]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from aiohttp import web


def rows_of(body: Any) -> list[list[float]]:
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    known = {"dataframe_split", "dataframe_records", "instances", "inputs"}
    given = known & body.keys()
    if len(given) != 1:
        raise ValueError(f"the body must hold exactly one of {sorted(known)}")
    if "dataframe_split" in body:
        rows = body["dataframe_split"]["data"]
    elif "dataframe_records" in body:
        rows = [list(r.values()) for r in body["dataframe_records"]]
    else:
        rows = body.get("instances", body.get("inputs"))
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValueError("rows must be lists of numbers")
    for row in rows:
        for x in row:
            if isinstance(x, bool) or not isinstance(x, int | float):
                raise ValueError(f"{x!r} is not a number")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", default="1")
    parser.add_argument("--factor", type=float, default=1.0)
    args = parser.parse_args()
    served = {"count": 0}

    def predict(rows: list[list[float]]) -> list[float]:
        served["count"] += 1
        return [sum(r) * args.factor for r in rows]

    async def invocations(request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
            if isinstance(body, dict) and body.get("explode"):
                return web.json_response(
                    {"error_code": "INTERNAL_ERROR", "message": "Traceback (most recent call"},
                    status=500,
                )
            rows = rows_of(body)
        except (ValueError, KeyError, TypeError) as err:
            return web.json_response(
                {"error_code": "BAD_REQUEST", "message": f"Invalid input: {err}"}, status=400
            )
        return web.json_response({"predictions": predict(rows)})

    async def infer(request: web.Request) -> web.Response:
        if request.match_info["name"] != args.name:
            return web.json_response({"error": "unknown model"}, status=404)
        try:
            body = json.loads(await request.read())
            tensor = body["inputs"][0]
            rows = [tensor["data"]] if tensor["shape"][0] == 1 else tensor["data"]
            rows = rows_of({"inputs": rows})
        except (ValueError, KeyError, TypeError, IndexError) as err:
            return web.json_response({"error": f"Invalid input: {err}"}, status=400)
        data = predict(rows)
        output = {"name": "predict", "shape": [len(data)], "datatype": "FP64", "data": data}
        return web.json_response({"model_name": args.name, "outputs": [output]})

    async def metadata(request: web.Request) -> web.Response:
        if request.match_info["name"] != args.name:
            return web.json_response({"error": "unknown model"}, status=404)
        return web.json_response({"name": args.name, "versions": [args.version]})

    async def ready(request: web.Request) -> web.Response:
        return web.json_response({"ready": True})

    async def count(request: web.Request) -> web.Response:
        return web.json_response(served)

    app = web.Application()
    app.router.add_post("/invocations", invocations)
    app.router.add_post("/v2/models/{name}/infer", infer)
    app.router.add_get("/v2/models/{name}", metadata)
    app.router.add_get("/v2/models/{name}/ready", ready)
    app.router.add_get("/v2/health/ready", ready)
    app.router.add_get("/count", count)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
