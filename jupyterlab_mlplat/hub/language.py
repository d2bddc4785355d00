"""The spawn page in the person's language.

JupyterHub's own pages are English only, but what we add to them (the profile list, why a
profile cannot start, what to do) is ours to translate. The hub has no language setting of its
own and JupyterLab's is not known before the server runs, so the browser's ``Accept-Language``
decides. The texts come from the hub's own catalogue beside the sidebar's
(``locale/<lang>/LC_MESSAGES/jupyterlab_mlplat_hub.po``, compiled to JSON by
``scripts/compile-locale.py``): JupyterLab loads the sidebar's into every browser, and the hub's
words would only weigh it down there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCALE = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "jupyterlab_mlplat_hub"

Translate = Callable[[str], str]


def english(text: str) -> str:
    return text


@functools.cache
def _catalogue(folder: str) -> dict[str, str]:
    path = LOCALE / folder / "LC_MESSAGES" / f"{DOMAIN}.json"
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v[0] for k, v in bundle.items() if k and isinstance(v, list) and v and v[0]}


def _folders() -> dict[str, str]:
    """Primary language → the catalogue's folder: {"ru": "ru_RU"}."""
    if not LOCALE.is_dir():
        return {}
    return {p.name.split("_")[0].lower(): p.name for p in LOCALE.iterdir() if p.is_dir()}


def preferred(accept_language: str) -> str | None:
    """The catalogue folder the browser prefers most, or None for English.

    ``ru-RU,ru;q=0.9,en;q=0.8`` → ``ru_RU``; an English tag before any we ship keeps English.
    """
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    folders = _folders()
    for _, _, language in sorted(weighted):
        if language == "en":
            return None
        if language in folders:
            return folders[language]
    return None


def language_of(handler: Any) -> str | None:
    """The catalogue folder the request ``handler`` serves asks for, None for English."""
    request = getattr(handler, "request", None)
    return preferred(request.headers.get("Accept-Language", "") if request is not None else "")


def translator(folder: str | None) -> Translate:
    """The translation into the catalogue ``folder`` (``ru_RU``); English for None."""
    if folder is None:
        return english
    catalogue = _catalogue(folder)
    return lambda text: catalogue.get(text, text)
