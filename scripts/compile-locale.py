"""Compile the translations (.po, edited by people) into the .json JupyterLab loads.

Every catalogue of a language is compiled: ``jupyterlab_mlplat.po`` (the sidebar, loaded by
JupyterLab) and ``jupyterlab_mlplat_hub.po`` (the hub's spawn page, read by the hub).

    .venv/bin/python scripts/compile-locale.py

The jest test src/__tests__/i18n.spec.tsx fails when a trans.__() string has no translation or
the .json lags behind the .po, so a forgotten step shows up in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "jupyterlab_mlplat"

for po_path in sorted((ROOT / "jupyterlab_mlplat" / "locale").glob(f"*/LC_MESSAGES/{DOMAIN}*.po")):
    domain = po_path.stem
    with po_path.open("rb") as fh:
        catalog = read_po(fh, domain=domain)
    language = str(catalog.locale).replace("_", "-") if catalog.locale else po_path.parts[-3]
    out: dict[str, object] = {
        "": {
            "domain": domain,
            "language": language,
            "plural_forms": catalog.plural_forms,
            "version": catalog.version,
        }
    }
    for message in catalog:
        if message.id and message.string:
            out[str(message.id)] = [message.string]
    target = po_path.with_suffix(".json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{target.relative_to(ROOT)}: {len(out) - 1} messages")
