"""The model server imports nothing of ours outside ``jupyterlab_mlplat.serving``, and no
MLflow for a scikit-learn model: a replica needs only the serving dependencies, loads in
seconds, and no change to the platform can reach the data plane.

Read from a fresh interpreter that imports the server's every module and loads the model the
way the server does, so a lazy import counts too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.serving.servers import ROWS

PROBE = """
import json, sys
from pathlib import Path
import jupyterlab_mlplat.serving.__main__
from jupyterlab_mlplat.serving import app, model, protocols, schema, sources
ROWS = json.loads(sys.argv[2])
loaded = model.load(sources.fetch(sys.argv[1], Path(".")), name="iris", version="1")
batch = protocols.mlflow_input(loaded, json.dumps({"instances": ROWS}).encode(), "application/json")
print(json.dumps({
    "answer": protocols.mlflow_output(loaded.predict(*batch)).decode(),
    "ours": sorted(m for m in sys.modules if m.split(".")[0] == "jupyterlab_mlplat"),
    "mlflow": sorted(m for m in sys.modules if m.split(".")[0] == "mlflow"),
}))
"""


def test_the_server_imports_only_itself_and_no_mlflow(models: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, models["iris"], json.dumps(ROWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert json.loads(seen["answer"]) == {"predictions": [0, 1, 2]}
    outside = [
        m
        for m in seen["ours"]
        if m not in ("jupyterlab_mlplat", "jupyterlab_mlplat._version")
        and not m.startswith("jupyterlab_mlplat.serving")
    ]
    assert outside == []
    assert "jupyterlab_mlplat.serving.app" in seen["ours"]
    assert seen["mlflow"] == []


def test_no_module_of_the_server_names_one_of_ours_outside_it() -> None:
    """The same fence read from the source, so an import on a path the probe above does not
    take (another flavour, an error branch) counts too."""
    root = Path(__file__).resolve().parents[2] / "jupyterlab_mlplat" / "serving"
    wrong = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                wrong.append(f"{path.name}: from {'.' * node.level}{node.module or ''}")
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            wrong += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "jupyterlab_mlplat"
                and not n.startswith("jupyterlab_mlplat.serving")
            ]
    assert wrong == []
