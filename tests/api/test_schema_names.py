"""The documents name a schema by its model's class name: two wire models of one name would be
documented as one of them, and the other's clients would be generated the wrong shape (the
instructions' RevisionList and NotebookBody were, until renamed)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from pydantic import BaseModel

import jupyterlab_mlplat.api as api


def test_one_name_is_one_schema() -> None:
    found: dict[str, set[type[BaseModel]]] = defaultdict(set)
    for module in pkgutil.iter_modules(api.__path__):
        loaded = importlib.import_module(f"{api.__name__}.{module.name}")
        for value in vars(loaded).values():
            ours = inspect.isclass(value) and value.__module__.startswith(api.__name__)
            if ours and issubclass(value, BaseModel):
                found[value.__name__].add(value)
    clashes = {
        name: sorted(f"{m.__module__}.{m.__name__}" for m in models)
        for name, models in found.items()
        # the same shape under one name (a revision sent back) documents both correctly
        if len({str(m.model_json_schema()) for m in models}) > 1
    }
    assert not clashes, f"wire models sharing a schema name with different shapes: {clashes}"
