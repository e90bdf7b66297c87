"""Blueprint dtype words -> Python datatypes the core understands.

Enums and tables are generated classes, cached so that one blueprint gives
one class however many instances are built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
from pydantic import create_model

from ophyd_blueprint.blueprint import Signal
from ophyd_blueprint.core import Array1D, StrictEnum, SubsetEnum, Table

__all__ = ["enum_class", "enum_class_name", "member_name", "signal_datatype"]

_SCALARS: dict[str, type] = {"bool": bool, "int": int, "float": float, "str": str}


def _array(word: str) -> Any:
    if word == "str[]":
        return Sequence[str]
    scalar = np.dtype("bool" if word == "bool[]" else word[:-2]).type
    return Array1D[scalar]


def member_name(label: str) -> str:
    """A Python identifier for an enum label: ``"closed now"`` -> ``CLOSED_NOW``."""
    name = re.sub(r"\W+", "_", label.strip()).strip("_").upper() or "EMPTY"
    return f"_{name}" if name[0].isdigit() else name


def enum_class_name(blueprint: str, signal: str, declared: Signal) -> str:
    """The class name of a signal's enum: its `enum_name`, or Blueprint+Signal."""
    if declared.enum_name:
        return declared.enum_name
    words = re.split(r"[_\W]+", signal)
    return blueprint + "".join(w[:1].upper() + w[1:] for w in words if w)


@cache
def enum_class(name: str, choices: tuple[str, ...], strict: bool) -> type[StrictEnum]:
    """A StrictEnum (or SubsetEnum) with one member per choice, labels exact."""
    members: dict[str, str] = {}
    for label in choices:
        key = member_name(label)
        while key in members:
            key += "_"
        members[key] = label
    base: type = StrictEnum if strict else SubsetEnum
    created: type[StrictEnum] = base(name, members)
    return created


@cache
def _table_class(name: str, columns: tuple[tuple[str, str], ...]) -> type[Table]:
    fields: dict[str, Any] = {col: (_array(word), ...) for col, word in columns}
    table: type[Table] = create_model(name, __base__=Table, **fields)
    return table


def signal_datatype(blueprint: str, name: str, signal: Signal) -> Any:
    """The datatype of a declared signal (None for a trigger)."""
    dtype = signal.dtype
    if signal.access == "x" or dtype is None:
        return None
    if dtype in _SCALARS:
        return _SCALARS[dtype]
    if dtype in ("enum", "enum[]"):
        cls = enum_class(
            enum_class_name(blueprint, name, signal),
            tuple(signal.choices or ()),
            signal.strict,
        )
        return cls if dtype == "enum" else Sequence[cls]
    if dtype == "ndarray":
        return np.ndarray
    if dtype == "table":
        return _table_class(
            enum_class_name(blueprint, name, signal),
            tuple((signal.columns or {}).items()),
        )
    return _array(dtype)
