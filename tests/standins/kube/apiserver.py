"""A Kubernetes API server stand-in that the official clients and KubeSpawner talk to unchanged.

No real apiserver (nor k3s, kind, kwok) can run on the test machines, and a monkey-patched client
would test nothing of the code's wire behaviour. So this speaks the core/v1 REST protocol over real
HTTP: the client under test is configured from a kubeconfig (:meth:`KubeAPI.write_kubeconfig`) and
sends exactly what it would send to a cluster.

What is emulated, and why it matters to the code under test:

* resourceVersions increase globally, lists carry them, and ``watch=true`` streams replay history
  after a resourceVersion and end after ``timeoutSeconds``: KubeSpawner's reflectors depend on all
  three and give up (stopping the hub) when a watch misbehaves;
* every object written (the *result* of a create, replace or patch) is validated against the
  Kubernetes OpenAPI schemas shipped by ``kubernetes_validate`` in strict mode, plus the checks
  the real apiserver makes that a schema cannot express (names, label syntax, quantities), so
  that a manifest a cluster would refuse is refused here too: it answers 422 and lands in
  :attr:`KubeAPI.rejected`;
* pods are deleted gracefully (``deletionTimestamp`` first, removal after the kubelet stopped
  the process), which is the window in which spawners see a terminating pod.

Served: core/v1, apps/v1 Deployments (with ``scale``), autoscaling/v2
HorizontalPodAutoscalers, ``metrics.k8s.io/v1beta1`` PodMetrics (what a test sets with
:meth:`KubeAPI.set_pod_usage`), apiextensions.k8s.io/v1 CustomResourceDefinitions and the custom
resources of every CRD created (validated against its ``openAPIV3Schema`` with unknown fields
refused; see :mod:`tests.standins.kube.kserve_crd` for KServe's), with discovery under
``/apis``. RBAC only as refusals a test asks for (:meth:`KubeAPI.forbid`). With the kubelet,
:mod:`tests.standins.kube.controllers` runs Deployments, InferenceServices and Services.

Not emulated: ReplicaSets and other groups, admission webhooks, server-side apply, ``dryRun``,
deletecollection, pagination (``limit`` is ignored and lists are never continued).

Use::

    with KubeAPI(kubelet=True, kubelet_dir=tmp_path / "kubelet") as kube:
        kube.add_node("gpu-1", gpus=2, labels={...}, taints=[...])
        kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig.yaml", namespace="jhub")
        ...  # KUBECONFIG=kubeconfig for a hub subprocess, or config.new_client_from_config()
        assert kube.rejected == []
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import copy
import dataclasses
import functools
import json
import logging
import random
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema
import kubernetes_validate
import yaml
from aiohttp import web
from kubernetes_validate import utils as validate_utils
from referencing import Registry, Resource

if TYPE_CHECKING:
    from tests.standins.kube.kubelet import Kubelet

log = logging.getLogger(__name__)

#: the newest Kubernetes whose schemas kubernetes_validate ships; /version reports it too
K8S_VERSION = kubernetes_validate.latest_version()

Obj = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    kind: str
    plural: str
    namespaced: bool
    #: writes to the main resource keep the stored status; only ``/status`` changes it
    has_status: bool
    short_names: tuple[str, ...] = ()
    #: the API group ("" for core) and version the kind is served under
    group: str = ""
    version: str = "v1"
    #: a custom resource's schema (from its CRD), checked instead of kubernetes_validate's
    schema: Any = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def custom(self) -> bool:
        return self.schema is not None


KINDS = {
    k.plural: k
    for k in (
        Kind("Namespace", "namespaces", False, True, ("ns",)),
        Kind("Node", "nodes", False, True, ("no",)),
        Kind("Pod", "pods", True, True, ("po",)),
        Kind("PersistentVolumeClaim", "persistentvolumeclaims", True, True, ("pvc",)),
        Kind("Service", "services", True, True, ("svc",)),
        Kind("Secret", "secrets", True, False),
        Kind("ConfigMap", "configmaps", True, False, ("cm",)),
        Kind("ServiceAccount", "serviceaccounts", True, False, ("sa",)),
        Kind("Event", "events", True, False, ("ev",)),
        Kind("Deployment", "deployments", True, True, ("deploy",), "apps"),
        Kind(
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            True,
            True,
            ("hpa",),
            "autoscaling",
            "v2",
        ),
        Kind(
            "CustomResourceDefinition",
            "customresourcedefinitions",
            False,
            True,
            ("crd", "crds"),
            "apiextensions.k8s.io",
        ),
    )
}
#: the metrics server's API (PodMetrics), served read-only beside the stored kinds
METRICS_GROUP = ("metrics.k8s.io", "v1beta1")
#: DELETE of these answers the object (as the real apiserver and the clients' return types do)
DELETE_RETURNS_OBJECT = {"pods", "persistentvolumeclaims", "services", "serviceaccounts"}
#: the verbs a request needs, as RBAC names them (for :meth:`KubeAPI.forbid`)
_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def kind_info(kind: str, kinds: dict[str, Kind] | None = None) -> Kind:
    """Look a resource up by plural (``pods``), kind (``Pod``) or short name (``po``)."""
    wanted = kind.lower()
    for info in (kinds or KINDS).values():
        if wanted in (info.plural, info.kind.lower(), *info.short_names):
            return info
    raise KeyError(f"unknown kind {kind!r}")


class Request(NamedTuple):
    """One write the API received, as the client sent it (``verb`` is e.g. ``patch/status``)."""

    verb: str
    kind: str
    body: Any


class ApiError(Exception):
    """A failure answered as a Kubernetes ``Status`` object."""

    def __init__(self, code: int, reason: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> Obj:
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body


def not_found(info: Kind, name: str) -> ApiError:
    return ApiError(
        404, "NotFound", f'{info.plural} "{name}" not found', name=name, kind=info.plural
    )


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- selectors -------------------------------------------------------------------------------


def parse_label_selector(selector: str) -> list[tuple[str, str, set[str]]]:
    """``a=b,c,!d,e!=f,g in (h,i),j notin (k)`` into (key, operator, values) requirements."""
    terms, depth, current = [], 0, ""
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    requirements = []
    for term in filter(None, (t.strip() for t in terms)):
        if match := re.fullmatch(r"(\S+)\s+(in|notin)\s+\((.*)\)", term):
            values = {v.strip() for v in match[3].split(",") if v.strip()}
            requirements.append((match[1], match[2], values))
        elif match := re.fullmatch(r"([^!=\s]+)\s*(!=|==|=)\s*([^!=\s]*)", term):
            requirements.append((match[1], "!=" if match[2] == "!=" else "=", {match[3]}))
        elif match := re.fullmatch(r"(!?)\s*([^!=\s(),]+)", term):
            requirements.append((match[2], "!" if match[1] else "exists", set()))
        else:
            raise ApiError(400, "BadRequest", f"unable to parse requirement: {term!r}")
    return requirements


def labels_match(requirements: list[tuple[str, str, set[str]]], labels: dict[str, str]) -> bool:
    for key, op, values in requirements:
        present, value = key in labels, labels.get(key)
        ok = {
            "=": present and value in values,
            "in": present and value in values,
            "!=": not present or value not in values,
            "notin": not present or value not in values,
            "exists": present,
            "!": not present,
        }[op]
        if not ok:
            return False
    return True


def field_value(obj: Obj, path: str) -> str:
    """The value a field selector compares: missing fields compare as the empty string."""
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_field_selector(selector: str) -> list[tuple[str, bool, str]]:
    """``metadata.name=x,status.phase!=Failed`` into (path, equal?, value) requirements."""
    requirements = []
    for term in filter(None, (t.strip() for t in selector.split(","))):
        match = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(!=|==|=)\s*(.*)", term)
        if not match:
            raise ApiError(400, "BadRequest", f"invalid field selector: {term!r}")
        requirements.append((match[1], match[2] != "!=", match[3]))
    return requirements


def fields_match(requirements: list[tuple[str, bool, str]], obj: Obj) -> bool:
    return all((field_value(obj, path) == value) == eq for path, eq, value in requirements)


# --- quantities ------------------------------------------------------------------------------

_SUFFIXES = {
    **{s: Decimal(1024) ** (i + 1) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
    **{s: Decimal(1000) ** (i + 1) for i, s in enumerate(("k", "M", "G", "T", "P", "E"))},
    "": Decimal(1),
    "m": Decimal("0.001"),
    "u": Decimal("0.000001"),
    "n": Decimal("0.000000001"),
}


_QUANTITY = re.compile(
    r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:[eE]([-+]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPEmun]))?"
)


def parse_quantity(quantity: str | float) -> Decimal:
    """A Kubernetes quantity (``500m``, ``16Gi``, ``1e3``, ``2``) as a number; ValueError if bad."""
    if isinstance(quantity, bool):
        raise ValueError(f"invalid quantity {quantity!r}")
    if isinstance(quantity, int | float):
        return Decimal(str(quantity))
    match = _QUANTITY.fullmatch(str(quantity))
    if not match:
        raise ValueError(f"invalid quantity {quantity!r}")
    number = Decimal(match[1])
    if match[2]:
        return number * Decimal(10) ** int(match[2])
    return number * _SUFFIXES[match[3] or ""]


# --- patches ---------------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: ``null`` deletes, objects merge, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


#: the patchMergeKey of list fields whose key is not ``name``
_MERGE_KEYS = {"volumeMounts": "mountPath", "conditions": "type", "taints": "key"}


def strategic_merge_patch(target: Any, patch: Any, field: str = "") -> Any:
    """Merge patch, plus the strategic part the clients rely on: lists of named items (containers,
    env, volumes, ports, conditions) merge by their key and ``$patch: delete|replace`` work."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, key)
        else:
            result[key] = strategic_merge_patch(result.get(key), value, key)
    return result


def _merge_list(old: list[Any], new: list[Any], field: str) -> list[Any]:
    items = old + new
    candidates = [_MERGE_KEYS.get(field, "name"), "containerPort", "port"]
    key = next((k for k in candidates if all(isinstance(i, dict) and k in i for i in items)), None)
    if key is None:
        return copy.deepcopy(new)
    merged = copy.deepcopy(old)
    for item in new:
        index = next((n for n, o in enumerate(merged) if o[key] == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del merged[index]
        elif index is None:
            merged.append(strategic_merge_patch({}, item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def json_patch(document: Obj, operations: list[Obj]) -> Obj:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test)."""
    holder = {"": copy.deepcopy(document)}

    def pointer(text: str) -> list[str]:
        if text and not text.startswith("/"):
            raise ValueError(f"invalid JSON pointer {text!r}")
        parts = text.split("/")[1:] if text else []
        return ["", *(p.replace("~1", "/").replace("~0", "~") for p in parts)]

    def parent(path: list[str]) -> tuple[Any, str]:
        node: Any = holder
        for part in path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node, path[-1]

    def get(path: list[str]) -> Any:
        node, last = parent(path)
        return node[int(last)] if isinstance(node, list) else node[last]

    def remove(path: list[str]) -> None:
        node, last = parent(path)
        del node[int(last) if isinstance(node, list) else last]

    def add(path: list[str], value: Any) -> None:
        node, last = parent(path)
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), value)
        else:
            node[last] = value

    for op in operations:
        path = pointer(op["path"])
        match op["op"]:
            case "add":
                add(path, copy.deepcopy(op["value"]))
            case "remove":
                remove(path)
            case "replace":
                remove(path)
                add(path, copy.deepcopy(op["value"]))
            case "move":
                value = get(pointer(op["from"]))
                remove(pointer(op["from"]))
                add(path, value)
            case "copy":
                add(path, copy.deepcopy(get(pointer(op["from"]))))
            case "test":
                if get(path) != op["value"]:
                    raise ValueError(f"test failed at {op['path']}")
            case other:
                raise ValueError(f"unknown JSON patch operation {other!r}")
    return holder[""]


# --- validation ------------------------------------------------------------------------------


@functools.cache
def _schema_validator(kind: str, api_version: str) -> jsonschema.protocols.Validator:
    """kubernetes_validate's strict schema for a kind, compiled once: its own ``validate()``
    re-reads the 860 definitions on every call (~25 ms), too slow for every status update."""
    folder = f"kubernetes-json-schema/v{K8S_VERSION}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = validate_utils.schema_contents(f"{folder}/{kind.lower()}-{group}.json", K8S_VERSION)
    definitions = validate_utils.schema_contents(f"{folder}/_definitions.json", K8S_VERSION)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = rf"{_DNS_LABEL}(\.{_DNS_LABEL})*"
_LABEL_VALUE = r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"


def _problems(info: Kind, obj: Obj) -> Iterator[str]:
    """What the real apiserver refuses beyond the OpenAPI schema."""
    meta = obj.get("metadata", {})
    name = meta.get("name", "")
    name_rule = {"namespaces": _DNS_LABEL, "services": r"[a-z]([-a-z0-9]*[a-z0-9])?"}
    longest = 63 if info.plural in name_rule else 253
    if not re.fullmatch(name_rule.get(info.plural, _DNS_SUBDOMAIN), name) or len(name) > longest:
        yield f'metadata.name: Invalid value: "{name}": must be a lowercase RFC 1123 name'
    for key, value in (meta.get("labels") or {}).items():
        prefix, _, label = key.rpartition("/")
        if not (re.fullmatch(_LABEL_VALUE, label) and 0 < len(label) <= 63) or (
            prefix and not re.fullmatch(_DNS_SUBDOMAIN, prefix)
        ):
            yield f'metadata.labels: Invalid value: "{key}": name part must be a valid label'
        if not isinstance(value, str) or len(value) > 63 or not re.fullmatch(_LABEL_VALUE, value):
            yield (
                f'metadata.labels: Invalid value: "{value}": a valid label must be an empty '
                "string or consist of alphanumerics, '-', '_' or '.' (at most 63 characters)"
            )
    if info.plural != "customresourcedefinitions":  # a schema names "limits" as a field
        yield from _quantity_problems(obj, "")
    spec = obj.get("spec") or {}
    if info.plural == "pods":
        containers = spec.get("containers") or []
        if spec.get("containers") == []:
            yield "spec.containers: Required value"
        names = [c.get("name", "") for c in containers + (spec.get("initContainers") or [])]
        for index, container_name in enumerate(names):
            if not re.fullmatch(_DNS_LABEL, container_name) or len(container_name) > 63:
                yield f'spec.containers[{index}].name: Invalid value: "{container_name}"'
            if names.count(container_name) > 1:
                yield f'spec.containers[{index}].name: Duplicate value: "{container_name}"'
    if info.plural == "services":
        for index, port in enumerate(spec.get("ports") or []):
            port_name = port.get("name")
            if port_name is not None and not (
                re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", port_name)
                and len(port_name) <= 15
                and re.search("[a-z]", port_name)
                and "--" not in port_name
            ):
                yield (
                    f'spec.ports[{index}].name: Invalid value: "{port_name}": must be no more '
                    "than 15 characters, lower-case letters, digits and '-' (IANA_SVC_NAME)"
                )
    if info.plural == "secrets":
        for key, value in (obj.get("data") or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except (ValueError, TypeError):
                yield f"data[{key}]: Invalid value: illegal base64 data"


def _quantity_problems(node: Any, path: str) -> Iterator[str]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _quantity_problems(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key in ("requests", "limits", "capacity", "allocatable") and isinstance(value, dict):
                for resource, quantity in value.items():
                    try:
                        parse_quantity(quantity)
                    except ValueError:
                        yield (
                            f'{where}[{resource}]: Invalid value: "{quantity}": quantities '
                            "must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                        )
            else:
                yield from _quantity_problems(value, where)


def validate(info: Kind, obj: Obj) -> list[str]:
    """Every reason a cluster would answer 422 for this object (empty if it is valid)."""
    problems = []
    try:
        validator = info.schema or _schema_validator(obj["kind"], obj["apiVersion"])
    except (KeyError, FileNotFoundError):
        return [f"no schema for {obj.get('apiVersion')}/{obj.get('kind')}"]
    error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"{where.lstrip('.') or '<root>'}: {error.message}")
    with contextlib.suppress(TypeError, AttributeError, KeyError):  # malformed: said above
        problems.extend(_problems(info, obj))
    return problems


# --- the store -------------------------------------------------------------------------------


class Event(NamedTuple):
    rv: int
    type: str
    plural: str
    object: Obj
    #: the object before a MODIFIED, so watches with selectors can turn it into ADDED/DELETED
    old: Obj | None


class Store:
    """The objects, their history and the watchers. Used only on the API's event loop: every
    method is synchronous, so each one is atomic with respect to watches and the kubelet."""

    def __init__(self, api: KubeAPI) -> None:
        self.api = api
        #: the built-in kinds and those of the CRDs created since
        self.kinds: dict[str, Kind] = dict(KINDS)
        self.objects: dict[tuple[str, str, str], Obj] = {}
        self.rv = 0
        self.history: collections.deque[Event] = collections.deque(maxlen=20_000)
        self.watchers: set[asyncio.Queue[Event | None]] = set()
        #: called with every Event on the loop; must only schedule work, never write back inline
        self.listeners: list[Callable[[Event], None]] = []
        #: takes over a terminating pod (the kubelet stops its process, then calls remove())
        self.terminate_pod: Callable[[Obj], None] | None = None

    def get(self, plural: str, namespace: str, name: str) -> Obj:
        info = self.kinds[plural]
        key = (plural, namespace if info.namespaced else "", name)
        if key not in self.objects:
            raise not_found(info, name)
        return self.objects[key]

    def select(self, plural: str, namespace: str | None = None) -> list[Obj]:
        return [
            obj
            for (kind, ns, _), obj in sorted(self.objects.items())
            if kind == plural and namespace in (None, ns)
        ]

    def _emit(self, type_: str, plural: str, obj: Obj, old: Obj | None = None) -> None:
        event = Event(int(obj["metadata"]["resourceVersion"]), type_, plural, obj, old)
        self.history.append(event)
        for queue in self.watchers:
            queue.put_nowait(event)
        for listener in self.listeners:
            listener(event)

    def _admit(self, info: Kind, obj: Obj) -> None:
        if problems := validate(info, obj):
            self._reject(info, obj, problems)

    def _reject(self, info: Kind, obj: Obj, problems: list[str]) -> None:
        """422 Invalid, the way the apiserver words it; the object is kept in ``rejected``."""
        self.api.rejected.append(copy.deepcopy(obj))
        name = obj.get("metadata", {}).get("name", "")
        message = problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]"
        raise ApiError(
            422,
            "Invalid",
            f'{info.kind} "{name}" is invalid: {message}',
            name=name,
            kind=info.kind,
            causes=[{"reason": "FieldValueInvalid", "message": p} for p in problems],
        )

    def _commit(self, info: Kind, obj: Obj, old: Obj | None) -> Obj:
        self._admit(info, obj)
        if old is not None and _without_rv(obj) == _without_rv(old):
            return old  # a no-op write changes nothing, not even the resourceVersion
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        meta = obj["metadata"]
        self.objects[(info.plural, meta.get("namespace", ""), meta["name"])] = obj
        self._emit("ADDED" if old is None else "MODIFIED", info.plural, obj, old)
        return obj

    def create(self, plural: str, namespace: str, body: Obj) -> Obj:
        info = self.kinds[plural]
        obj = copy.deepcopy(body)
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        obj.setdefault("apiVersion", info.api_version)
        obj.setdefault("kind", info.kind)
        if (obj["apiVersion"], obj["kind"]) != (info.api_version, info.kind):
            raise ApiError(
                400,
                "BadRequest",
                f"expected {info.api_version} {info.kind}, got {obj['apiVersion']} {obj['kind']}",
            )
        meta = obj.setdefault("metadata", {})
        if info.namespaced:
            if meta.setdefault("namespace", namespace) != namespace:
                raise ApiError(
                    400,
                    "BadRequest",
                    "the namespace of the provided object does not match the namespace sent "
                    "on the request",
                )
            self._live_namespace(namespace)
        if not meta.get("name") and meta.get("generateName"):
            alphabet = "bcdfghjklmnpqrstvwxz2456789"
            meta["name"] = meta["generateName"] + "".join(random.choices(alphabet, k=5))
        if not meta.get("name"):
            required = "metadata.name: Required value: name or generateName is required"
            self._reject(info, obj, [required])
        key = (plural, meta.get("namespace", ""), meta["name"])
        if key in self.objects:
            raise ApiError(
                409,
                "AlreadyExists",
                f'{plural} "{meta["name"]}" already exists',
                name=meta["name"],
                kind=plural,
            )
        for field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(field, None)
        meta.update(uid=str(uuid.uuid4()), creationTimestamp=now())
        if "spec" in obj:
            meta["generation"] = 1
        with contextlib.suppress(AttributeError, TypeError, KeyError):
            _defaults_on_create(info, obj, self)  # a malformed object: validation will say why
        created = self._commit(info, obj, None)
        if plural == "customresourcedefinitions":
            self._install(created)
        return created

    def _install(self, crd: Obj) -> None:
        """A CRD makes its kind servable (every served version, checked against its
        ``openAPIV3Schema`` with unknown fields refused) and is Established at once."""
        from tests.standins.kube.kserve_crd import structural_validator

        spec, names = crd["spec"], crd["spec"]["names"]
        for version in spec["versions"]:
            if not version.get("served", True):
                continue
            schema = structural_validator(version["schema"]["openAPIV3Schema"])
            self.kinds[names["plural"]] = Kind(
                names["kind"],
                names["plural"],
                spec["scope"] == "Namespaced",
                "status" in (version.get("subresources") or {}),
                tuple(names.get("shortNames") or ()),
                spec["group"],
                version["name"],
                schema,
            )

        def established(obj: Obj) -> None:
            obj["status"] = {
                "acceptedNames": dict(names),
                "storedVersions": [v["name"] for v in spec["versions"] if v.get("storage")],
                "conditions": [
                    {
                        "type": t,
                        "status": "True",
                        "reason": r,
                        "message": m,
                        "lastTransitionTime": now(),
                    }
                    for t, r, m in (
                        ("NamesAccepted", "NoConflicts", "no conflicts found"),
                        ("Established", "InitialNamesAccepted", "the initial names are accepted"),
                    )
                ],
            }

        self.update("customresourcedefinitions", "", crd["metadata"]["name"], established)

    def _uninstall(self, crd: Obj) -> None:
        plural = crd["spec"]["names"]["plural"]
        for kind, ns, name in [k for k in self.objects if k[0] == plural]:
            self.remove(kind, ns, name)
        self.kinds.pop(plural, None)

    def _live_namespace(self, namespace: str) -> None:
        ns = self.objects.get(("namespaces", "", namespace))
        if ns is None:
            raise not_found(self.kinds["namespaces"], namespace)
        if "deletionTimestamp" in ns["metadata"]:
            raise ApiError(
                403,
                "Forbidden",
                f"unable to create new content in namespace {namespace} because it is being "
                "terminated",
            )

    def write(self, plural: str, namespace: str, name: str, new: Obj, subresource: str = "") -> Obj:
        """Replace an object by ``new`` as PUT (and PATCH, once applied) do: server-owned metadata
        is kept, and the status changes only through ``/status`` (the spec only without it)."""
        info = self.kinds[plural]
        old = self.get(plural, namespace, name)
        if not isinstance(new, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        new = copy.deepcopy(new)
        meta = new.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise ApiError(400, "BadRequest", "the name of the object does not match the URL")
        expected = meta.get("resourceVersion")
        if expected and expected != old["metadata"]["resourceVersion"]:
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {plural} "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again",
                name=name,
                kind=plural,
            )
        if subresource == "status":
            new = {**copy.deepcopy(old), "status": new.get("status")}
            if new["status"] is None:
                del new["status"]
        else:
            new.setdefault("apiVersion", old["apiVersion"])
            new.setdefault("kind", old["kind"])
            for field in (
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ):
                if field in old["metadata"]:
                    meta[field] = old["metadata"][field]
            meta["name"] = name
            if info.namespaced:
                meta["namespace"] = namespace
            if info.has_status:
                new.pop("status", None)
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
            _keep_immutable(info, old, new)
            if "spec" in new and new.get("spec") != old.get("spec"):
                meta["generation"] = old["metadata"].get("generation", 0) + 1
        return self._commit(info, new, old)

    def patch(
        self,
        plural: str,
        namespace: str,
        name: str,
        patch: Any,
        content_type: str,
        subresource: str = "",
    ) -> Obj:
        old = copy.deepcopy(self.get(plural, namespace, name))  # patched below, shallowly
        try:
            if content_type == "application/json-patch+json":
                if not isinstance(patch, list):
                    raise ApiError(
                        400,
                        "BadRequest",
                        "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
                    )
                new = json_patch(old, patch)
            elif content_type == "application/merge-patch+json":
                new = merge_patch(old, patch)
            elif content_type == "application/strategic-merge-patch+json":
                new = strategic_merge_patch(old, patch)
            else:
                raise ApiError(415, "UnsupportedMediaType", f"unsupported patch {content_type}")
        except (KeyError, IndexError, ValueError, TypeError) as error:
            raise ApiError(422, "Invalid", f"the patch could not be applied: {error}") from error
        if new.get("metadata", {}).get("resourceVersion") == old["metadata"]["resourceVersion"]:
            new["metadata"].pop("resourceVersion")  # only a patch that names one is checked
        return self.write(plural, namespace, name, new, subresource)

    def update(self, plural: str, namespace: str, name: str, change: Callable[[Obj], None]) -> Obj:
        """For the emulated controllers (kubelet, scheduler): change a copy of the stored object
        in place, including status and spec, and commit it with the usual validation."""
        info = self.kinds[plural]
        old = self.get(plural, namespace, name)
        new = copy.deepcopy(old)
        change(new)
        return self._commit(info, new, old)

    def delete(self, plural: str, namespace: str, name: str, grace: int | None = None) -> Obj:
        obj = self.get(plural, namespace, name)
        meta = obj["metadata"]
        if plural == "namespaces":
            obj = self.update(plural, "", name, _mark_terminating)
            for (kind, ns, child), _ in list(self.objects.items()):
                if ns == name and (kind, ns, child) in self.objects:
                    self.delete(kind, ns, child)
            self._finish_namespace(name)
            return obj
        if "deletionTimestamp" in meta and not (plural == "pods" and grace == 0):
            return obj  # already terminating: the kubelet is on it
        if plural != "pods":
            return self.remove(plural, namespace, name)
        phase = obj.get("status", {}).get("phase")
        if grace == 0 or not obj["spec"].get("nodeName") or phase in ("Succeeded", "Failed"):
            return self.remove(plural, namespace, name)  # nothing runs that could be stopped
        if grace is None:
            grace = obj["spec"].get("terminationGracePeriodSeconds", 30)

        def terminating(pod: Obj) -> None:
            pod["metadata"]["deletionTimestamp"] = now()
            pod["metadata"]["deletionGracePeriodSeconds"] = grace

        obj = self.update(plural, namespace, name, terminating)
        if self.terminate_pod is not None:
            self.terminate_pod(obj)
        else:
            uid = meta["uid"]
            asyncio.get_running_loop().call_later(
                0.5, self._remove_if_same, plural, namespace, name, uid
            )
        return obj

    def _remove_if_same(self, plural: str, namespace: str, name: str, uid: str) -> None:
        with contextlib.suppress(ApiError):
            if self.get(plural, namespace, name)["metadata"]["uid"] == uid:
                self.remove(plural, namespace, name)

    def remove(self, plural: str, namespace: str, name: str) -> Obj:
        """Really delete: DELETED to the watches, and the objects it owned collected."""
        info = self.kinds[plural]
        obj = self.get(plural, namespace, name)
        ns = namespace if info.namespaced else ""
        if plural == "customresourcedefinitions":
            self._uninstall(obj)
        del self.objects[(plural, ns, name)]
        self.rv += 1
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self._emit("DELETED", plural, obj)
        uid = obj["metadata"]["uid"]
        for (kind, child_ns, child), child_obj in list(self.objects.items()):
            owners = child_obj["metadata"].get("ownerReferences") or []
            if owners and {o.get("uid") for o in owners} == {uid}:
                with contextlib.suppress(ApiError):
                    self.delete(kind, child_ns, child)
        if info.namespaced:
            self._finish_namespace(namespace)
        return obj

    def _finish_namespace(self, namespace: str) -> None:
        ns = self.objects.get(("namespaces", "", namespace))
        emptied = not any(k[1] == namespace for k in self.objects if k[0] != "namespaces")
        if ns and "deletionTimestamp" in ns["metadata"] and emptied:
            self.remove("namespaces", "", namespace)


def _keep_immutable(info: Kind, old: Obj, new: Obj) -> None:
    """What an update may not change: a Deployment's selector, a Service's cluster IP (an
    update that leaves it out keeps the allocated one, as the apiserver does since 1.20)."""
    old_spec, new_spec = old.get("spec") or {}, new.get("spec")
    if not isinstance(new_spec, dict):
        return
    name = old["metadata"]["name"]
    if info.plural == "deployments" and new_spec.get("selector") != old_spec.get("selector"):
        raise ApiError(
            422,
            "Invalid",
            f'Deployment.apps "{name}" is invalid: spec.selector: Invalid value: '
            f"{json.dumps(new_spec.get('selector'))}: field is immutable",
            name=name,
            kind="Deployment",
        )
    if info.plural == "services" and old_spec.get("clusterIP"):
        for field in ("clusterIP", "clusterIPs"):
            if not new_spec.get(field) and old_spec.get(field):
                new_spec[field] = copy.deepcopy(old_spec[field])
        if new_spec["clusterIP"] != old_spec["clusterIP"]:
            raise ApiError(
                422,
                "Invalid",
                f'Service "{name}" is invalid: spec.clusterIPs[0]: Invalid value: '
                f'["{new_spec["clusterIP"]}"]: may not change once set',
                name=name,
                kind="Service",
            )


def _without_rv(obj: Obj) -> Obj:
    return {**obj, "metadata": {**obj["metadata"], "resourceVersion": None}}


def _mark_terminating(ns: Obj) -> None:
    ns["metadata"].setdefault("deletionTimestamp", now())
    ns["status"] = {"phase": "Terminating"}


def _defaults_on_create(info: Kind, obj: Obj, store: Store) -> None:
    """What the apiserver's create strategies fill in, as far as clients can observe it."""
    if info.plural == "pods":
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj)}
        spec = obj.setdefault("spec", {})
        for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            resources = container.get("resources") or {}
            if resources.get("limits"):  # a limit without a request also requests that much
                resources["requests"] = {**resources["limits"], **(resources.get("requests") or {})}
        spec.setdefault("restartPolicy", "Always")
        spec.setdefault("terminationGracePeriodSeconds", 30)
        spec.setdefault("schedulerName", "default-scheduler")
    elif info.plural == "persistentvolumeclaims":
        obj["status"] = {"phase": "Pending"}
    elif info.plural == "namespaces":
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"][
            "name"
        ]
        obj["status"] = {"phase": "Active"}
    elif info.plural == "services":
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        if spec.get("clusterIP") != "None" and spec["type"] != "ExternalName":
            # with a service proxy (controllers.ServiceProxy) the address is a loopback one
            # it listens on; otherwise an address nothing answers, as outside a cluster
            allocate = store.api.allocate_cluster_ip
            ip = allocate(obj) if allocate else None
            spec["clusterIP"] = ip or f"10.96.{store.rv // 250 % 250}.{store.rv % 250 + 1}"
            spec["clusterIPs"] = [spec["clusterIP"]]
        for port in spec.get("ports", []):
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
        obj["status"] = {"loadBalancer": {}}
    elif info.plural == "deployments":
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault(
            "strategy",
            {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
        )
        obj["status"] = {}
    elif info.plural == "secrets" and "stringData" in obj:
        data = obj.setdefault("data", {})
        for key, value in obj.pop("stringData").items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def qos_class(pod: Obj) -> str:
    containers = pod.get("spec", {}).get("containers") or []
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits = r.get("limits") or {}
        requests = {**limits, **(r.get("requests") or {})}
        if any(
            name not in limits or str(requests[name]) != str(limits[name])
            for name in ("cpu", "memory")
        ):
            return "Burstable"
    return "Guaranteed"


# --- HTTP ------------------------------------------------------------------------------------


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


class KubeAPI:
    """The API server, on 127.0.0.1 in a background thread with its own event loop.

    Use as a context manager (or ``start()``/``stop()``), point clients at
    :meth:`write_kubeconfig`, and assert on :attr:`rejected` (manifests refused by validation)
    and :attr:`received` (every write as the client sent it). With ``kubelet=True`` a
    :class:`tests.standins.kube.kubelet.Kubelet` schedules pods onto the nodes added with
    :meth:`add_node` and runs their first container as a local process (its logs and claim
    directories under ``kubelet_dir``, a temporary directory if not given). ``token`` is the
    bearer token clients must send (random by default); ``namespaces`` exist from the start.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        kubelet: bool = False,
        kubelet_dir: str | Path | None = None,
        namespaces: tuple[str, ...] = ("default", "kube-system", "kube-public"),
    ) -> None:
        self.token = token or secrets.token_hex(16)
        self.rejected: list[Obj] = []
        self.received: list[Request] = []
        #: requests the emulator itself failed on (500): a bug here, not in the code under test
        self.failures: list[str] = []
        #: (verb, resource) pairs RBAC refuses, e.g. ("create", "deployments") (:meth:`forbid`)
        self.forbidden: set[tuple[str, str]] = set()
        #: when set, only what these RBAC rules allow is allowed (:meth:`restrict`)
        self.rules: list[Obj] | None = None
        #: gives a new Service its cluster IP (set by a service proxy that listens there)
        self.allocate_cluster_ip: Callable[[Obj], str | None] | None = None
        self.store = Store(self)
        #: what the metrics server reports of each pod, set by :meth:`set_pod_usage`:
        #: (namespace, pod) -> container -> {"cpu": ..., "memory": ...}
        self.pod_usage: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
        self.kubelet: Kubelet | None = None
        #: the Deployment and InferenceService controllers and the service proxy (with the
        #: kubelet)
        self._controllers: list[Any] = []
        self._want_kubelet, self._kubelet_dir = kubelet, kubelet_dir
        self._namespaces = namespaces
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle --

    def __enter__(self) -> KubeAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> KubeAPI:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="kube-apiserver", daemon=True)
        self._thread.start()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        try:
            self.call(self._serve_async, sock)
            for namespace in self._namespaces:
                self.create(
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
                )
            if self._want_kubelet:
                from tests.standins.kube import controllers
                from tests.standins.kube.kubelet import Kubelet

                kubelet = Kubelet(self, work_dir=self._kubelet_dir).start()  # sets self.kubelet
                self._controllers = self.call(controllers.start, self, kubelet)
        except BaseException:
            self.stop()
            raise
        return self

    def _run_loop(self) -> None:
        assert self.loop is not None
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    async def _serve_async(self, sock: socket.socket) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    def stop(self) -> None:
        """Stop the kubelet's processes, end every watch, and stop the server and its thread."""
        if self.loop is None or self._thread is None:
            return
        try:
            if self._controllers:
                from tests.standins.kube import controllers

                self.call(controllers.stop, self._controllers)
                self._controllers = []
            if self.kubelet is not None:
                self.kubelet.stop()
                self.kubelet = None
            self.call(self._shutdown_async)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop = self._thread = None

    async def _shutdown_async(self) -> None:
        for queue in self.store.watchers:
            queue.put_nowait(None)
        if self._runner is not None:
            await self._runner.cleanup()

    def call(self, function: Callable[..., Any], *args: Any, timeout: float = 30) -> Any:
        """Run ``function`` (plain or async) on the API's loop and return its result: the way in
        for other threads, since the store is only ever touched from that loop."""
        assert self.loop is not None, "the API is not running"
        if threading.current_thread() is self._thread:
            raise RuntimeError("call() from the API's own loop would deadlock")

        async def run() -> Any:
            result = function(*args)
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    # -- test helpers --

    def write_kubeconfig(self, path: str | Path, namespace: str = "default") -> Path:
        """A kubeconfig with this server and its bearer token (what ``load_kube_config`` reads)."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "emulated", "cluster": {"server": self.url}}],
            "users": [{"name": "emulated", "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": "emulated",
                    "context": {"cluster": "emulated", "user": "emulated", "namespace": namespace},
                }
            ],
            "current-context": "emulated",
        }
        path = Path(path)
        path.write_text(yaml.safe_dump(config))
        return path

    def objects(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """Copies of the stored objects of a kind (``Pod``, ``pods`` or ``po``)."""
        plural = kind_info(kind, self.store.kinds).plural
        found: list[Obj] = self.call(lambda: copy.deepcopy(self.store.select(plural, namespace)))
        return found

    def create(self, obj: Obj) -> Obj:
        """Create an object directly (validated like any other), e.g. a namespace or a secret."""
        info = kind_info(obj["kind"], self.store.kinds)
        namespace = obj.get("metadata", {}).get("namespace", "default") if info.namespaced else ""
        created: Obj = self.call(
            lambda: copy.deepcopy(self.store.create(info.plural, namespace, obj))
        )
        return created

    def add_node(
        self,
        name: str,
        cpu: str = "4",
        memory: str = "16Gi",
        gpus: int = 0,
        gpu_resource: str = "nvidia.com/gpu",
        labels: dict[str, str] | None = None,
        taints: list[Obj] | None = None,
        pods: int = 110,
    ) -> Obj:
        """A Ready node with this allocatable capacity, for the kubelet to schedule onto."""
        capacity = {"cpu": cpu, "memory": memory, "pods": str(pods)}
        if gpus:
            capacity[gpu_resource] = str(gpus)
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    **(labels or {}),
                },
            },
            "spec": {"taints": taints} if taints else {},
            "status": {
                "capacity": capacity,
                "allocatable": dict(capacity),
                "addresses": [
                    {"type": "InternalIP", "address": "127.0.0.1"},
                    {"type": "Hostname", "address": name},
                ],
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "reason": "KubeletReady",
                        "lastHeartbeatTime": now(),
                        "lastTransitionTime": now(),
                    }
                ],
            },
        }
        return self.create(node)

    def set_pod_usage(
        self,
        namespace: str,
        pod: str,
        cpu: str = "0",
        memory: str = "0",
        container: str | None = None,
    ) -> None:
        """What ``metrics.k8s.io`` reports the pod's container (its first by default) uses,
        in the metrics server's own quantities (``"250m"``, ``"1234567n"``, ``"512Mi"``).
        A running pod whose usage was never set is not listed: the metrics server has not
        scraped it yet."""

        def set_usage() -> None:
            obj = self.store.get("pods", namespace, pod)
            name = container or obj["spec"]["containers"][0]["name"]
            self.pod_usage.setdefault((namespace, pod), {})[name] = {"cpu": cpu, "memory": memory}

        self.call(set_usage)

    def forbid(self, verb: str, resource: str) -> None:
        """Refuse ``verb`` (get, list, watch, create, update, patch, delete) on ``resource``
        (``deployments``, ``pods/log``) with 403, worded as RBAC words it: a service account
        missing a permission."""
        self.forbidden.add((verb, resource))

    def restrict(self, rules: list[Obj]) -> None:
        """Allow only what these rules (a Role's ``rules``) allow, as if every client held
        that Role alone: a test proves a Role is all the code needs. Discovery stays open,
        as ``system:discovery`` keeps it for every account."""
        self.rules = rules

    def _allowed(self, verb: str, group: str, resource: str) -> bool:
        if self.rules is None:
            return True
        return any(
            (group in rule.get("apiGroups", []) or "*" in rule.get("apiGroups", []))
            and (resource in rule.get("resources", []) or "*" in rule.get("resources", []))
            and (verb in rule.get("verbs", []) or "*" in rule.get("verbs", []))
            for rule in self.rules
        )

    def _authorize(self, verb: str, info: Kind, namespace: str, sub: str = "") -> None:
        resource = f"{info.plural}/{sub}" if sub else info.plural
        if (verb, resource) in self.forbidden or not self._allowed(verb, info.group, resource):
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            raise ApiError(
                403,
                "Forbidden",
                f"{resource}{'.' + info.group if info.group else ''} is forbidden: "
                'User "system:serviceaccount:mlplat:mlplat-platform" '
                f'cannot {verb} resource "{resource}" in API group "{info.group}"{where}',
                kind=info.plural,
            )

    # -- HTTP --

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._route(request)
        except ApiError as error:
            return _json(error.status(), error.code)
        except Exception as error:
            log.exception("emulated apiserver failed on %s %s", request.method, request.path)
            self.failures.append(f"{request.method} {request.path}: {error!r}")
            return _json(ApiError(500, "InternalError", repr(error)).status(), 500)

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path in ("/healthz", "/readyz", "/livez"):
            return web.Response(text="ok")
        if path == "/version":
            major, minor = K8S_VERSION.split(".")[:2]
            return _json(
                {
                    "major": major,
                    "minor": minor,
                    "gitVersion": f"v{K8S_VERSION}",
                    "gitCommit": "0" * 40,
                    "gitTreeState": "clean",
                    "buildDate": "2026-01-01T00:00:00Z",
                    "goVersion": "go1.25.0",
                    "compiler": "gc",
                    "platform": "linux/amd64",
                }
            )
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if path == "/api":
            return _json(
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": request.host}
                    ],
                }
            )
        kinds = self.store.kinds
        if path == "/apis":
            groups = sorted(
                {(k.group, k.version) for k in kinds.values() if k.group} | {METRICS_GROUP}
            )
            return _json(
                {
                    "kind": "APIGroupList",
                    "apiVersion": "v1",
                    "groups": [_api_group(group, version) for group, version in groups],
                }
            )
        if path == "/apis/metrics.k8s.io" or path.startswith("/apis/metrics.k8s.io/"):
            return self._metrics(request, path.removeprefix("/apis/metrics.k8s.io"))
        if path.startswith("/api/v1"):
            group, version, rest = "", "v1", path.removeprefix("/api/v1")
        elif match := re.fullmatch(r"/apis/([^/]+)(?:/([^/]+))?(/.*)?", path):
            group, version, rest = match[1], match[2] or "", match[3] or ""
            served = [k for k in kinds.values() if k.group == group]
            if not served or (version and version not in {k.version for k in served}):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            if not version:
                return _json(_api_group(group, served[0].version))
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        here = {p: k for p, k in kinds.items() if (k.group, k.version) == (group, version)}
        if not rest:
            return _json(_resource_list(here, f"{group}/{version}" if group else version))
        parts = rest.split("/")[1:]
        if parts[:1] == ["namespaces"] and len(parts) >= 3 and parts[2] in here:
            namespace, parts = parts[1], parts[2:]
        else:
            namespace = ""
        if not parts or parts[0] not in here or len(parts) > 3:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        info = here[parts[0]]
        if info.namespaced and len(parts) > 1 and not namespace:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if len(parts) == 1:
            return await self._collection(request, info, namespace)
        return await self._item(request, info, namespace, parts[1], "/".join(parts[2:]))

    def _metrics(self, request: web.Request, rest: str) -> web.StreamResponse:
        """``metrics.k8s.io/v1beta1`` PodMetrics as the metrics server serves them (read-only):
        the running pods whose usage a test set, listed per namespace or cluster-wide (with
        ``labelSelector``), or one by name."""
        group, version = METRICS_GROUP
        if rest in ("", "/"):
            return _json(_api_group(group, version))
        parts = rest.strip("/").split("/")
        if parts[0] != version:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        parts = parts[1:]
        if not parts:
            return _json(
                {
                    "kind": "APIResourceList",
                    "groupVersion": f"{group}/{version}",
                    "resources": [
                        {
                            "name": "pods",
                            "singularName": "",
                            "namespaced": True,
                            "kind": "PodMetrics",
                            "verbs": ["get", "list"],
                        }
                    ],
                }
            )
        namespace = ""
        if parts[0] == "namespaces" and len(parts) >= 3:
            namespace, parts = parts[1], parts[2:]
        if parts[0] != "pods" or len(parts) > 2 or request.method != "GET":
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        info = Kind("PodMetrics", "pods", True, False, (), group, version)
        self._authorize("get" if len(parts) == 2 else "list", info, namespace)
        labels = parse_label_selector(request.query.get("labelSelector", ""))
        items = [
            metrics
            for pod in self.store.select("pods", namespace or None)
            if labels_match(labels, pod["metadata"].get("labels") or {})
            and (metrics := self._pod_metrics(pod)) is not None
        ]
        if len(parts) == 2:
            found = [m for m in items if m["metadata"]["name"] == parts[1]]
            if not found:
                raise ApiError(404, "NotFound", f'podmetrics.metrics.k8s.io "{parts[1]}" not found')
            return _json({"kind": "PodMetrics", "apiVersion": f"{group}/{version}", **found[0]})
        return _json(
            {
                "kind": "PodMetricsList",
                "apiVersion": f"{group}/{version}",
                "metadata": {},
                "items": items,
            }
        )

    def _pod_metrics(self, pod: Obj) -> Obj | None:
        meta = pod["metadata"]
        usage = self.pod_usage.get((meta.get("namespace", ""), meta["name"]))
        if usage is None or (pod.get("status") or {}).get("phase") != "Running":
            return None
        return {
            "metadata": {
                "name": meta["name"],
                "namespace": meta.get("namespace", ""),
                "labels": dict(meta.get("labels") or {}),
                "creationTimestamp": now(),
            },
            "timestamp": now(),
            "window": "30s",
            "containers": [{"name": name, "usage": dict(u)} for name, u in usage.items()],
        }

    async def _body(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            return json.loads(raw) if raw else None
        except ValueError as error:
            raise ApiError(400, "BadRequest", f"invalid JSON body: {error}") from error

    async def _collection(
        self, request: web.Request, info: Kind, namespace: str
    ) -> web.StreamResponse:
        query = request.query
        watching = query.get("watch", "").lower() in ("true", "1")
        verb = _VERBS.get(request.method, "watch" if watching else "list")
        self._authorize(verb, info, namespace)
        if request.method == "POST":
            body = await self._body(request)
            self.received.append(Request("create", info.kind, body))
            if info.namespaced and not namespace:
                raise ApiError(405, "MethodNotAllowed", "create needs a namespace in the path")
            return _json(self.store.create(info.plural, namespace, body), 201)
        if request.method != "GET":
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported here")
        labels = parse_label_selector(query.get("labelSelector", ""))
        fields = parse_field_selector(query.get("fieldSelector", ""))

        def matches(obj: Obj) -> bool:
            return labels_match(labels, obj["metadata"].get("labels") or {}) and fields_match(
                fields, obj
            )

        scope = namespace if info.namespaced and namespace else None
        if watching:
            return await self._watch(request, info, scope, matches)
        items = [
            {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
            for obj in self.store.select(info.plural, scope)
            if matches(obj)
        ]
        return _json(
            {
                "kind": f"{info.kind}List",
                "apiVersion": info.api_version,
                "metadata": {"resourceVersion": str(self.store.rv)},
                "items": items,
            }
        )

    async def _watch(
        self,
        request: web.Request,
        info: Kind,
        namespace: str | None,
        matches: Callable[[Obj], bool],
    ) -> web.StreamResponse:
        """Stream events after ``resourceVersion`` (or the current objects as ADDED when it is
        absent or 0), then live ones, until ``timeoutSeconds`` pass or the server stops."""
        store, query = self.store, request.query
        timeout = float(query.get("timeoutSeconds") or 1800)
        since = query.get("resourceVersion", "") or "0"
        if not since.isdigit():
            raise ApiError(400, "BadRequest", f"invalid resourceVersion {since!r}")
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        store.watchers.add(queue)  # from here on no event can be missed: no await in between
        backlog: list[tuple[str, Obj]] = []
        if since == "0":
            backlog = [
                ("ADDED", obj) for obj in store.select(info.plural, namespace) if matches(obj)
            ]
        elif store.history and int(since) < store.history[0].rv - 1:
            gone = ApiError(410, "Expired", f"too old resource version: {since}").status()
            backlog = [("ERROR", gone)]
        else:
            backlog = [
                converted
                for event in store.history
                if event.rv > int(since)
                and (converted := _for_watch(event, info, namespace, matches))
            ]
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            async with asyncio.timeout(timeout):
                for type_, obj in backlog:
                    await _send(response, type_, obj)
                while (event := await queue.get()) is not None:
                    if converted := _for_watch(event, info, namespace, matches):
                        await _send(response, *converted)
        except (TimeoutError, ConnectionResetError):
            pass
        finally:
            store.watchers.discard(queue)
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response

    async def _item(
        self, request: web.Request, info: Kind, namespace: str, name: str, sub: str
    ) -> web.StreamResponse:
        store, method = self.store, request.method
        if (
            sub not in ("", "status", "log", "scale")
            or (sub == "log" and info.plural != "pods")
            or (sub == "scale" and info.plural != "deployments")
        ):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        self._authorize(_VERBS.get(method, "get"), info, namespace, sub)
        if sub == "scale":
            return await self._scale(request, info, namespace, name)
        if sub == "log":
            store.get(info.plural, namespace, name)
            text = self.kubelet.log_text(namespace, name) if self.kubelet else ""
            tail = request.query.get("tailLines", "")
            if tail.isdigit():
                lines = text.splitlines(keepends=True)
                text = "".join(lines[-int(tail) :]) if int(tail) else ""
            return web.Response(text=text)
        if sub == "status" and not info.has_status:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        verb_suffix = f"/{sub}" if sub else ""
        if method == "GET":
            return _json(store.get(info.plural, namespace, name))
        if method == "PUT":
            body = await self._body(request)
            self.received.append(Request(f"replace{verb_suffix}", info.kind, body))
            return _json(store.write(info.plural, namespace, name, body, sub))
        if method == "PATCH":
            body = await self._body(request)
            self.received.append(Request(f"patch{verb_suffix}", info.kind, body))
            content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
            return _json(store.patch(info.plural, namespace, name, body, content_type, sub))
        if method == "DELETE" and not sub:
            body = await self._body(request)
            self.received.append(Request("delete", info.kind, body))
            grace = request.query.get("gracePeriodSeconds")
            if grace is None and isinstance(body, dict):
                grace = body.get("gracePeriodSeconds")
            obj = store.delete(info.plural, namespace, name, None if grace is None else int(grace))
            if info.plural in DELETE_RETURNS_OBJECT or info.custom:
                return _json(obj)
            details = {"name": name, "kind": info.plural, "uid": obj["metadata"]["uid"]}
            return _json(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Success",
                    "details": details,
                }
            )
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    async def _scale(
        self, request: web.Request, info: Kind, namespace: str, name: str
    ) -> web.StreamResponse:
        """The ``scale`` subresource (autoscaling/v1 Scale) of a Deployment: reads and sets
        ``spec.replicas`` alone."""
        if request.method in ("PUT", "PATCH"):
            body = await self._body(request)
            self.received.append(Request(f"{request.method.lower()}/scale", info.kind, body))
            replicas = ((body or {}).get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise ApiError(422, "Invalid", "spec.replicas: must be a non-negative integer")
            current = self.store.get(info.plural, namespace, name)
            changed = copy.deepcopy(current)
            changed["spec"]["replicas"] = replicas
            self.store.write(info.plural, namespace, name, changed)
        elif request.method != "GET":
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported here")
        obj = self.store.get(info.plural, namespace, name)
        meta = obj["metadata"]
        return _json(
            {
                "kind": "Scale",
                "apiVersion": "autoscaling/v1",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "uid": meta["uid"],
                    "resourceVersion": meta["resourceVersion"],
                },
                "spec": {"replicas": obj["spec"].get("replicas", 1)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0)},
            }
        )


async def _send(response: web.StreamResponse, type_: str, obj: Obj) -> None:
    await response.write(json.dumps({"type": type_, "object": obj}).encode() + b"\n")


def _for_watch(
    event: Event, info: Kind, namespace: str | None, matches: Callable[[Obj], bool]
) -> tuple[str, Obj] | None:
    """The event as this watch sees it: an object leaving its selector is DELETED for it,
    one entering it ADDED, as the real apiserver's watch cache does."""
    if event.plural != info.plural:
        return None
    if namespace is not None and event.object["metadata"].get("namespace") != namespace:
        return None
    now_matches = matches(event.object)
    was_matching = event.old is not None and matches(event.old)
    if event.type == "MODIFIED" and now_matches != was_matching:
        return ("ADDED" if now_matches else "DELETED"), event.object
    return (event.type, event.object) if now_matches else None


def _api_group(group: str, version: str) -> Obj:
    group_version = {"groupVersion": f"{group}/{version}", "version": version}
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [group_version],
        "preferredVersion": group_version,
    }


def _resource_list(kinds: dict[str, Kind], group_version: str) -> Obj:
    """Discovery, for clients that look before they ask (kubectl, the dynamic client, code
    that checks whether a CRD is installed)."""

    def entry(name: str, info: Kind, verbs: list[str], singular: str = "") -> Obj:
        return {
            "name": name,
            "singularName": singular,
            "namespaced": info.namespaced,
            "kind": info.kind,
            "verbs": verbs,
        }

    resources = [entry("pods/log", kinds["pods"], ["get"])] if "pods" in kinds else []
    for info in kinds.values():
        verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        main = entry(info.plural, info, verbs, info.kind.lower())
        resources.append({**main, "shortNames": list(info.short_names)})
        if info.has_status:
            resources.append(entry(f"{info.plural}/status", info, ["get", "patch", "update"]))
    return {"kind": "APIResourceList", "groupVersion": group_version, "resources": resources}


def wait_until(
    condition: Callable[[], Any], timeout: float = 10, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll ``condition`` until it returns something truthy (which is returned) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)
