"""A PV's PVA structure -> the dtype (and choices, units, columns) of a signal.

The datatype is the one a live-typed signal on the PV would take (the PVA
transport's `server_type`, decided by `core.live_type.datatype_of`), written
as a blueprint declares it, so introspection and connect cannot disagree.
Reads only the structure's type and ID (and its units), so it is the same
for every PV of a kind: NTScalar, NTScalarArray, NTEnum, NTTable, NTNDArray.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ophyd_blueprint.blueprint.vocabulary import ColumnDtype, Dtype
from ophyd_blueprint.core.datatype_words import words_of
from ophyd_blueprint.core.live_type import UncarriedTypeError, datatype_of
from ophyd_blueprint.transports.pva.client import PvaStructure
from ophyd_blueprint.transports.pva.convert import server_type

__all__ = ["PvaType", "pva_type"]

_WITHOUT_UNITS = frozenset({"enum", "table", "ndarray"})


@dataclass(frozen=True)
class PvaType:
    """What a signal on this PV declares."""

    dtype: Dtype
    choices: tuple[str, ...] | None = None
    units: str | None = None
    columns: dict[str, ColumnDtype] | None = None


def pva_type(structure: PvaStructure) -> PvaType | str:
    """The PV's type, or a sentence saying why no signal can carry it."""
    try:
        datatype = datatype_of(server_type(structure), "")
    except UncarriedTypeError as error:
        return error.reason.removeprefix("is ")
    words = words_of(datatype)
    dtype = cast(Dtype, words.dtype)
    units = None if dtype in _WITHOUT_UNITS else _units(structure)
    columns = cast(dict[str, ColumnDtype] | None, words.columns)
    return PvaType(dtype, words.choices, units, columns)


def _units(structure: PvaStructure) -> str | None:
    if "display.units" not in structure:
        return None
    return str(structure["display.units"]) or None
