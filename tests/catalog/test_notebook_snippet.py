"""The Catalog tab's "Use in a notebook" code works as shown: a model alice trained, registered
and published (approved by rita), loaded in alice's own kernel behind the embedded hub with
exactly the code the model page shows, through the MLflow gateway as alice."""

from __future__ import annotations

import json
import os
import time
import uuid

import requests

from tests.publishing import Kernel, publish, register_in_kernel, server_token
from tests.workbench import Hub

#: what the person's notebook holds before they paste the snippet: their data
DATA_CELL = """
from sklearn.datasets import load_iris
data = load_iris(as_frame=True).data.head(5)
"""


def test_the_snippet_of_the_model_page_loads_the_champion_in_a_persons_kernel(
    embedded_hub: Hub,
) -> None:
    hub = embedded_hub
    uid = uuid.uuid4().hex[:6]
    name = f"iris-{uid}"
    token = server_token(hub, "alice")
    kernel = Kernel(hub, "alice", token)
    try:
        version = register_in_kernel(kernel, f"alice-iris-{uid}", f"alice/iris-{uid}")
        published = publish(
            hub,
            author="alice",
            reviewer="rita",
            model=f"alice-iris-{uid}",
            version=version,
            card={
                "catalog_name": name,
                "description": "Tells iris species apart by their petals and sepals.",
                "license": "MIT",
            },
        )
        page = requests.get(
            f"{hub.url}/user/alice/jupyterlab-mlplat/catalog/models/{name}",
            headers={"Authorization": f"token {token}"},
            timeout=60,
        )
        assert page.status_code == 200, page.text
        entry = page.json()
        assert entry["mlflow_name"] == f"catalog.{name}"
        assert entry["champion_version"] == int(published["catalog_version"])
        snippet = entry["snippet"]
        assert f'mlflow.pyfunc.load_model("models:/catalog.{name}@champion")' in snippet

        # the snippet as the page shows it, first in the kernel: it needs nothing defined before
        started = time.monotonic()
        shown = kernel.run(snippet)
        took = time.monotonic() - started
        assert "sepal" in shown.lower(), shown  # the input schema, printed
        kernel.run(DATA_CELL + "import json\n")
        # the loaded champion is the published copy of alice's version, and it predicts
        out = kernel.run("print('CLASSES=' + json.dumps([int(c) for c in model.predict(data)]))")
        classes = json.loads(next(x[8:] for x in out.splitlines() if x.startswith("CLASSES=")))
        assert classes == [0, 0, 0, 0, 0]
        print(f"snippet ran in {took:.1f} s (load {os.getloadavg()})")
    finally:
        kernel.close()
