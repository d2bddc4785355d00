"""Write the OpenAPI documents of both APIs where the front end reads them.

    python scripts/export-openapi.py            (writes src/api/openapi/*.json)

The sidebar's TypeScript wire types are checked against these files, and a Python test fails
when the committed files differ from what the routes declare today, so a renamed field cannot
reach one side only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: a fixed version in the committed files, so a release bump does not change them
DOCUMENT_VERSION = "0"


def documents() -> dict[str, dict[str, Any]]:
    # imported here: the platform and the server extension are the API's two implementations
    from jupyterlab_mlplat.platform.openapi import document as platform_document
    from jupyterlab_mlplat_server.openapi import document as sidebar_document

    return {
        "platform.json": platform_document(DOCUMENT_VERSION, "/services/mlplat/"),
        "sidebar.json": sidebar_document(DOCUMENT_VERSION),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "src/api/openapi"
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        (folder / name).write_text(render(document), encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
