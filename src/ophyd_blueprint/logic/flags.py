"""Two-state records as the control system serves them: bool, 0/1 or a 2-label enum.

An EPICS ``bo``/``bi`` is a bool over CA, a two-choice enum over PVA, and an
introspected one is typed by its labels (``Disarm``/``Arm``). Logic that
only means on or off writes and compares through these, whatever the
signal's datatype turned out to be.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from ophyd_blueprint.core import Signal

__all__ = ["FLAG_DTYPES", "flag", "is_on"]

FLAG_DTYPES = frozenset({"bool", "int", "enum", "str"})
"""Dtypes a two-state role accepts."""


def _labels(signal: Signal[Any]) -> list[Any] | None:
    datatype = signal.datatype
    if isinstance(datatype, type) and issubclass(datatype, Enum):
        return list(datatype)
    return None


def flag(signal: Signal[Any], on: bool) -> Any:
    """The value that means `on` (or off) for `signal`: the second label of a
    two-label enum for on, the first for off; 1/0 for an int; a bool else."""
    labels = _labels(signal)
    if labels is not None:
        return labels[1 if on else 0]
    if signal.datatype is int:
        return int(on)
    return on


def is_on(signal: Signal[Any], value: Any) -> bool:
    """Whether `value` read from `signal` means on."""
    labels = _labels(signal)
    if labels is not None:
        return labels.index(value) == 1 if value in labels else False
    return bool(value)
