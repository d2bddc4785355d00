"""KServe's ``inferenceservices.serving.kserve.io`` CRD, trimmed, for the emulated cluster.

The copy next to this file (``kserve-inferenceservices-crd.yaml``) comes from KServe's own
``config/crd/full/serving.kserve.io_inferenceservices.yaml`` (github kserve/kserve, the commit
named in its header). The full file is 2 MB, mostly the same pod and container schemas repeated
for every framework predictor; the copy keeps what a cluster checks our InferenceServices
against: the v1beta1 version, the whole ``status``, ``spec.predictor`` without the
framework-specific predictors (``sklearn``, ``triton``, ``model``, ``workerSpec``, …) and
without ``description`` texts. Run this module on a fresh download to redo the copy::

    python -m tests.standins.kube.kserve_crd FULL.yaml COMMIT \
        > tests/standins/kube/kserve-inferenceservices-crd.yaml
"""

from __future__ import annotations

import copy
import functools
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CRD_FILE = Path(__file__).with_name("kserve-inferenceservices-crd.yaml")

#: predictor fields that are other ways of naming a model server than our own container
_FRAMEWORKS = {
    "huggingface",
    "lightgbm",
    "model",
    "onnx",
    "paddle",
    "pmml",
    "pytorch",
    "sklearn",
    "tensorflow",
    "triton",
    "workerSpec",
    "xgboost",
}


@functools.cache
def inferenceservice_crd() -> dict[str, Any]:
    """The trimmed CRD as a dict (a fresh copy each caller may keep: do not mutate)."""
    crd: dict[str, Any] = yaml.safe_load(CRD_FILE.read_text())
    return crd


def schema() -> dict[str, Any]:
    """The v1beta1 ``openAPIV3Schema``."""
    version = next(v for v in inferenceservice_crd()["spec"]["versions"] if v["name"] == "v1beta1")
    return copy.deepcopy(version["schema"]["openAPIV3Schema"])


def structural_validator(openapi_schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    """A validator of a CRD's ``openAPIV3Schema`` that refuses unknown fields.

    A real apiserver prunes unknown fields of a structural schema silently (or refuses them
    with ``fieldValidation=Strict``): either way a field the code sends and the CRD does not
    know is a mistake, so here it is an error. ``x-kubernetes-preserve-unknown-fields`` keeps
    an object open, ``x-kubernetes-int-or-string`` takes either, as the apiserver does."""

    def close(node: Any) -> Any:
        if isinstance(node, list):
            return [close(v) for v in node]
        if not isinstance(node, dict):
            return node
        node = {k: close(v) for k, v in node.items()}
        if node.get("x-kubernetes-int-or-string"):
            node.pop("type", None)
            node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        return node

    closed = close(openapi_schema)
    # the apiserver checks metadata itself (ObjectMeta); the CRD says only "type: object"
    closed.setdefault("properties", {})["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(closed)


@functools.cache
def inferenceservice_validator() -> jsonschema.protocols.Validator:
    return structural_validator(schema())


def inferenceservice_problems(obj: dict[str, Any]) -> list[str]:
    """Every way ``obj`` breaks the CRD's schema ("" paths are the root)."""
    return [
        f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in inferenceservice_validator().iter_errors(obj)
    ]


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


def trim(full: dict[str, Any], commit: str) -> str:
    crd = copy.deepcopy(full)
    crd["spec"]["versions"] = [v for v in crd["spec"]["versions"] if v["name"] == "v1beta1"]
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"] = {"predictor": spec["properties"]["predictor"]}
    predictor = spec["properties"]["predictor"]["properties"]
    for name in _FRAMEWORKS:
        predictor.pop(name, None)
    header = (
        "# Trimmed from kserve/kserve config/crd/full/serving.kserve.io_inferenceservices.yaml\n"
        f"# at commit {commit}: v1beta1 only, spec.predictor without the framework predictors,\n"
        "# no descriptions. See tests/standins/kube/kserve_crd.py.\n"
    )
    return header + yaml.safe_dump(_without_descriptions(crd), sort_keys=True)


if __name__ == "__main__":
    source, commit = sys.argv[1], sys.argv[2]
    sys.stdout.write(trim(yaml.safe_load(Path(source).read_text()), commit))
