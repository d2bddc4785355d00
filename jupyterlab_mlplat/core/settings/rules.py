"""The pure rules of live settings: a value checked against its setting's kind and bounds."""

from __future__ import annotations

import math

from .errors import SettingOutOfRange
from .records import Kind, Number, SettingSpec


def checked(spec: SettingSpec, value: object) -> Number:
    """``value`` as the setting holds it, or a 400 naming the setting. An integer setting
    takes a whole number however JSON spells it (``2`` or ``2.0``); ``true`` is no number."""
    number: Number | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        number = value
    if number is not None and spec.kind is Kind.INTEGER:
        number = int(number) if float(number).is_integer() else None
    if number is None or not spec.minimum <= number <= spec.maximum:
        raise SettingOutOfRange(
            f"{spec.key} must be {'a whole number' if spec.kind is Kind.INTEGER else 'a number'} "
            f"from {spec.minimum} to {spec.maximum}",
            spec.key,
            params={
                "field": spec.key,
                "kind": str(spec.kind),
                "minimum": spec.minimum,
                "maximum": spec.maximum,
            },
        )
    return float(number) if spec.kind is Kind.NUMBER else number
