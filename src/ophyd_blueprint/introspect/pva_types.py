"""A PV's PVA structure -> the dtype (and choices, units, columns) of a signal.

Reads only the structure's type and ID, so it is the same for every PV of a
kind: NTScalar, NTScalarArray, NTEnum, NTTable and NTNDArray.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from ophyd_blueprint.blueprint.vocabulary import ColumnDtype, Dtype
from ophyd_blueprint.transports.pva.client import PvaStructure, type_code

__all__ = ["PvaType", "pva_type"]

_SCALARS: dict[str, Dtype] = {
    "?": "bool",
    "s": "str",
    "f": "float",
    "d": "float",
    **dict.fromkeys("bBhHiIlL", "int"),
}
_ARRAYS: dict[str, ColumnDtype] = {
    "a?": "bool[]",
    "ab": "int8[]",
    "aB": "uint8[]",
    "ah": "int16[]",
    "aH": "uint16[]",
    "ai": "int32[]",
    "aI": "uint32[]",
    "al": "int64[]",
    "aL": "uint64[]",
    "af": "float32[]",
    "ad": "float64[]",
    "as": "str[]",
}


@dataclass(frozen=True)
class PvaType:
    """What a signal on this PV declares."""

    dtype: Dtype
    choices: tuple[str, ...] | None = None
    units: str | None = None
    columns: dict[str, ColumnDtype] | None = None


def pva_type(structure: PvaStructure) -> PvaType | str:
    """The PV's type, or a sentence saying why no signal can carry it."""
    nt = structure.getID()
    if "NTEnum" in nt:
        choices = cast(list[str], structure["value.choices"])
        return PvaType("enum", choices=tuple(choices))
    if "NTNDArray" in nt:
        return PvaType("ndarray")
    if "NTTable" in nt:
        return _table(structure)
    if "value" not in structure:
        return f"a {nt or 'structure'} without a value field"
    code: Any = type_code(structure, "value")
    units = _units(structure)
    if isinstance(code, str) and code in _SCALARS:
        return PvaType(_SCALARS[code], units=units)
    if isinstance(code, str) and code in _ARRAYS:
        return PvaType(_ARRAYS[code], units=units)
    return f"a {nt or 'structure'} whose value has type {code!r}"


def _units(structure: PvaStructure) -> str | None:
    if "display.units" not in structure:
        return None
    return str(structure["display.units"]) or None


def _table(structure: PvaStructure) -> PvaType | str:
    columns: dict[str, ColumnDtype] = {}
    value: Any = type_code(structure, "value")
    fields = cast(list[tuple[str, Any]], value[2]) if isinstance(value, tuple) else []
    for name, code in fields:
        if not isinstance(code, str) or code not in _ARRAYS:
            return f"an NTTable whose column {name!r} has type {code!r}"
        columns[name] = _ARRAYS[code]
    return PvaType("table", columns=columns)
