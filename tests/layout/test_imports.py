"""The arrows between the rooms point one way (docs/architecture.md): read from the code's own
imports, so a new import that crosses a wall fails here, not in review."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "jupyterlab_mlplat"
SERVER = "jupyterlab_mlplat_server"

#: room → the rooms of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "api": {"core"},
    "adapters": {"core", "api"},
    "gateways": {"core", "api", "client"},
    "client": {"core", "api"},
    # composition roots: they wire adapters to the core
    "platform": {"core", "api", "adapters"},
    "hub": {"core", "api", "adapters", "client"},
    "server_ext": {"core", "api", "adapters", "client", "platform.app"},
}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT).with_suffix("")
        yield ".".join(p for p in rel.parts if p != "__init__"), path
    for path in sorted((ROOT / "server_ext" / SERVER).rglob("*.py")):
        rel = path.relative_to(ROOT / "server_ext").with_suffix("")
        yield ".".join(p for p in rel.parts if p != "__init__"), path


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = list(ast.walk(tree))  # lazy imports too: an arrow is an arrow
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in (PACKAGE, SERVER)}


def _room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == SERVER:
        return "server_ext"
    return parts[1] if len(parts) > 1 else "package"


MODULES = dict(_modules())
KNOWN = set(MODULES)


def _resolve(name: str) -> str | None:
    """The module an imported name lives in (``a.b.C`` → ``a.b``)."""
    while name and name not in KNOWN:
        name = name.rpartition(".")[0]
    return name or None


def test_the_rooms_were_found() -> None:
    rooms = {_room(m) for m in MODULES}
    assert {
        "core",
        "api",
        "adapters",
        "platform",
        "gateways",
        "client",
        "hub",
        "server_ext",
    } <= rooms


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) in ALLOWED))
def test_imports_point_one_way(module: str) -> None:
    room = _room(module)
    wrong = []
    for name in _imports(module, MODULES[module]):
        target = _resolve(name)
        if target is None or target == PACKAGE:
            continue
        other = _room(target)
        if other == room:
            continue
        allowed = ALLOWED[room]
        dotted = target.split(".", 1)[1] if target.startswith(PACKAGE + ".") else target
        if other in allowed or any(dotted == a or dotted.startswith(a + ".") for a in allowed):
            continue
        wrong.append(target)
    assert not wrong, f"{module} ({room}) may not import {sorted(set(wrong))}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) == "core"))
def test_a_core_feature_reads_another_only_through_its_records_and_errors(module: str) -> None:
    """``core/kernel`` is shared by all; a feature sees another feature's records and errors,
    never its service, rules or ports (those are its own business)."""
    parts = module.split(".")
    feature = parts[2] if len(parts) > 2 else None
    for name in _imports(module, MODULES[module]):
        target = _resolve(name)
        if target is None or _room(target) != "core":
            continue
        tparts = target.split(".")
        other = tparts[2] if len(tparts) > 2 else None
        if other in (None, "kernel", feature):
            continue
        if feature == "kernel":
            pytest.fail(f"{module}: the kernel imports the feature {target}")
        assert tparts[-1] in ("records", "errors"), f"{module} reaches into {target}"


def test_no_import_loops() -> None:
    graph = {
        m: {t for n in _imports(m, p) if (t := _resolve(n)) and t != m} for m, p in MODULES.items()
    }
    # a package's __init__ importing its own submodules is how packages expose them
    for m in graph:
        graph[m] = {
            t for t in graph[m] if not (MODULES[m].name == "__init__.py" and t.startswith(m + "."))
        }
    seen: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if seen.get(nxt) == 1:
                loops.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert not loops, "import loops: " + "; ".join(" → ".join(loop) for loop in loops)
