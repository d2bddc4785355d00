"""Notebooks as git sees them: a readable summary of what changed, and a copy without outputs.

A notebook diff in raw JSON is unreadable (outputs, execution counts, metadata churn); people want
"2 cells added, 1 edited". Outputs are cleared only in what is committed, never on disk.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NotebookChanges:
    added: int = 0
    removed: int = 0
    edited: int = 0
    #: True when only outputs, execution counts or metadata changed
    outputs_only: bool = False
    readable: bool = True


def _cells(raw: bytes | None) -> list[dict[str, Any]] | None:
    if raw is None:
        return []
    try:
        document = json.loads(raw)
    except ValueError:
        return None
    cells = document.get("cells") if isinstance(document, dict) else None
    return cells if isinstance(cells, list) else None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _key(cell: dict[str, Any]) -> str:
    return f"{cell.get('cell_type', '')}\0{_source(cell)}"


def notebook_changes(before: bytes | None, after: bytes | None) -> NotebookChanges:
    """Cells added, removed and edited between two versions (``None``: the file is absent).

    Cells are matched by their nbformat 4.5 ids when both sides have them, else by content.
    """
    old, new = _cells(before), _cells(after)
    if old is None or new is None:
        return NotebookChanges(readable=False)
    old_ids = [c.get("id") for c in old]
    new_ids = [c.get("id") for c in new]
    if old and new and all(old_ids) and all(new_ids):
        old_by_id = {c["id"]: c for c in old}
        new_by_id = {c["id"]: c for c in new}
        added = len(new_by_id.keys() - old_by_id.keys())
        removed = len(old_by_id.keys() - new_by_id.keys())
        edited = sum(
            1
            for i in new_by_id.keys() & old_by_id.keys()
            if _key(new_by_id[i]) != _key(old_by_id[i])
        )
    else:
        added = removed = edited = 0
        matcher = difflib.SequenceMatcher(a=[_key(c) for c in old], b=[_key(c) for c in new])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace":
                paired = min(i2 - i1, j2 - j1)
                edited += paired
                removed += (i2 - i1) - paired
                added += (j2 - j1) - paired
            elif tag == "delete":
                removed += i2 - i1
            elif tag == "insert":
                added += j2 - j1
    outputs_only = not (added or removed or edited) and before != after
    return NotebookChanges(added, removed, edited, outputs_only)


def without_outputs(raw: bytes) -> bytes:
    """The notebook with every code cell's outputs and execution count cleared.

    Written the way Jupyter writes notebooks (indent 1, keys as they were, trailing newline), so
    the committed file diffs cleanly against a saved one.
    """
    document = json.loads(raw)
    for cell in document.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode()


def cell_sources(raw: bytes | None) -> list[str]:
    """A notebook as lines a reviewer reads: each cell's source under a ``# %% [type]`` marker
    (the percent format), outputs and metadata left out; an unreadable file as no lines."""
    lines: list[str] = []
    for cell in _cells(raw) or []:
        lines.append(f"# %% [{cell.get('cell_type', '')}]\n")
        lines.extend(
            line if line.endswith("\n") else line + "\n"
            for line in _source(cell).splitlines(keepends=True)
        )
    return lines


def notebook_diff(path: str, before: bytes | None, after: bytes | None) -> str:
    """One notebook's change between two commits: the cells counted, then a unified diff of the
    cells' sources (what a reviewer judges; outputs are results, not code)."""
    counted = notebook_changes(before, after)
    head = (
        f"notebook {path}: {counted.added} cell(s) added, {counted.removed} removed, "
        f"{counted.edited} edited\n"
    )
    if not counted.readable:
        return head.replace(": ", ": not readable as a notebook; ", 1)
    body = difflib.unified_diff(cell_sources(before), cell_sources(after), f"a/{path}", f"b/{path}")
    return head + "".join(body)
