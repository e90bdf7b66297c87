"""Blueprint dtype words -> Python datatypes the core understands.

Words that name a fixed datatype come from the core's `DATATYPE_OF_WORD`
(the stub generator reads the same table). Enums and tables are generated
classes, cached so that one blueprint gives one class however many instances
are built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import create_model

from ophyd_blueprint.blueprint import Signal
from ophyd_blueprint.blueprint.naming import datatype_class_name, enum_members
from ophyd_blueprint.core import StrictEnum, SubsetEnum, Table
from ophyd_blueprint.core.datatype_words import DATATYPE_OF_WORD
from ophyd_blueprint.core.live_type import LIVE

__all__ = ["enum_class", "signal_datatype"]


@cache
def enum_class(name: str, choices: tuple[str, ...], strict: bool) -> type[StrictEnum]:
    """A StrictEnum (or SubsetEnum) with one member per choice, labels exact."""
    base: type = StrictEnum if strict else SubsetEnum
    created: type[StrictEnum] = base(name, enum_members(list(choices)))
    return created


@cache
def _table_class(name: str, columns: tuple[tuple[str, str], ...]) -> type[Table]:
    fields: dict[str, Any] = {
        col: (DATATYPE_OF_WORD[word], ...) for col, word in columns
    }
    table: type[Table] = create_model(name, __base__=Table, **fields)
    return table


def signal_datatype(blueprint: str, name: str, signal: Signal) -> Any:
    """The datatype of a declared signal: None for a trigger, ``Any`` when
    the dtype is left out (the signal takes its server's at connect)."""
    dtype = signal.dtype
    if signal.access == "x":
        return None
    if dtype is None:
        return LIVE
    fixed = DATATYPE_OF_WORD.get(dtype)
    if fixed is not None:
        return fixed
    if dtype in ("enum", "enum[]"):
        cls = enum_class(
            datatype_class_name(blueprint, name, signal),
            tuple(signal.choices or ()),
            signal.strict,
        )
        return cls if dtype == "enum" else Sequence[cls]
    return _table_class(  # "table", the one word left
        datatype_class_name(blueprint, name, signal),
        tuple((signal.columns or {}).items()),
    )
