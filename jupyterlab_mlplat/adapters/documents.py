"""Readers of uploaded documents that need a library: an image's header (Pillow) and a
notebook's format (nbformat).

Neither decodes more than it must: Pillow's ``open`` reads only the header (the size and the
format), never the pixels, so a small file that claims a huge canvas costs nothing here, and
the core's limit on a side refuses it; nbformat validates the notebook's JSON against its
version 4 schema.
"""

from __future__ import annotations

import io
import json
import warnings

import nbformat
from PIL import Image, UnidentifiedImageError

from jupyterlab_mlplat.core.instructions.records import ImageKind

#: Pillow's name of each kind's format
_PILLOW_FORMATS = {
    ImageKind.PNG: "PNG",
    ImageKind.JPEG: "JPEG",
    ImageKind.GIF: "GIF",
    ImageKind.WEBP: "WEBP",
}


class PillowImages:
    """``ImageHeaders`` with Pillow, restricted to the one format the magic bytes named."""

    def size(self, data: bytes, kind: ImageKind) -> tuple[int, int] | None:
        wanted = _PILLOW_FORMATS[kind]
        try:
            with warnings.catch_warnings():
                # a huge declared canvas is the core's refusal (too_many_pixels), not a warning
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=[wanted]) as image:
                    if image.format != wanted:
                        return None
                    width, height = image.size
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
            return None
        except Exception:  # a damaged header may trip any of Pillow's parsers
            return None
        return int(width), int(height)


class NbformatNotebooks:
    """``NotebookCheck`` with nbformat: JSON, version 4, valid against its schema."""

    def problem(self, data: bytes) -> str | None:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return "not_json"
        if not isinstance(document, dict) or document.get("nbformat") != 4:
            return "not_nbformat4"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                notebook = nbformat.reads(data.decode(), as_version=4)  # type: ignore[no-untyped-call]
                nbformat.validate(notebook)
        except Exception:  # nbformat raises ValidationError, but also its parsers' own errors
            return "not_nbformat4"
        return None
