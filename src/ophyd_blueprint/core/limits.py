"""Limits of a signal as a bluesky DataKey has them, by one rule for every transport.

A server gives each kind of limit (``control``, ``display``, ``alarm``,
``warning``) as a low and a high bound. The rule:

- a bound that is None (not given) or NaN is open: ``None`` in the range;
- a range whose bounds are both open, or both 0, is unset and left out
  (EPICS records say "no limits" with 0 and 0: an ``ao`` without DRVL/DRVH);
- a DataKey without any range has no ``limits`` at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import Limits, LimitsRange

__all__ = ["Bounds", "LimitKind", "limits", "limits_range"]

LimitKind = Literal["control", "display", "alarm", "warning"]
Bounds = tuple[float | None, float | None]
"""(low, high) as the server gives them; None where it gives none."""


def _bound(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return float(value)


def limits_range(low: float | None, high: float | None) -> LimitsRange | None:
    """``{"low": ..., "high": ...}``, or None when the range is unset."""
    lo, hi = _bound(low), _bound(high)
    if (lo is None and hi is None) or (lo == 0 and hi == 0):
        return None
    return {"low": lo, "high": hi}


def limits(bounds: Mapping[LimitKind, Bounds]) -> Limits | None:
    """The DataKey ``limits`` of these (low, high) pairs; None when all are unset."""
    found: Limits = {}
    for kind, (low, high) in bounds.items():
        one = limits_range(low, high)
        if one is not None:
            found[kind] = one
    return found or None
