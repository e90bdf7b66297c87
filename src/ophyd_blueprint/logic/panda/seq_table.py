"""The PandA sequencer's table as a typed, validated model.

Columns as pandablocks-ioc serves the SEQ block's ``TABLE`` NTTable: `repeats`,
`trigger`, `position`, `time1`, ``outa1``..``outf1``, `time2`,
``outa2``..``outf2``. `seq_table` builds one from rows (mappings of column ->
value, as written in YAML or Python) or columns, checking every value against
the width of its field in the FPGA (``seq.block.ini``); an out-of-range value
is a `SeqTableError` naming the row, the column, the value and the limit,
never a silent wrap-around in a cast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ophyd_blueprint.core import Array1D, StrictEnum, Table

__all__ = [
    "BOOL_COLUMNS",
    "MAX_ROWS",
    "SeqTable",
    "SeqTableError",
    "SeqTableInfo",
    "SeqTrigger",
    "seq_table",
]

MAX_ROWS = 4096
"""Rows the SEQ block's table holds (``lines: 4096`` in seq.block.ini)."""

OUTPUTS = "abcdef"
BOOL_COLUMNS = tuple(f"out{o}{phase}" for phase in (1, 2) for o in OUTPUTS)
"""``outa1`` .. ``outf1``, ``outa2`` .. ``outf2``."""

LIMITS: dict[str, tuple[int, int]] = {
    "repeats": (0, 2**16 - 1),
    "position": (-(2**31), 2**31 - 1),
    "time1": (0, 2**32 - 1),
    "time2": (0, 2**32 - 1),
}
"""Inclusive range of each numeric column: REPEATS is 16 bits (0 repeats the
row until ENABLE falls), POSITION a signed 32-bit count, TIME1/TIME2 32-bit
multiples of the block's PRESCALE."""

_NUMPY: dict[str, type[np.generic]] = {
    "repeats": np.uint16,
    "position": np.int32,
    "time1": np.uint32,
    "time2": np.uint32,
}


class SeqTrigger(StrictEnum):
    """What a row waits for before its phases (the TRIGGER column)."""

    IMMEDIATE = "Immediate"
    BITA_0 = "BITA=0"
    BITA_1 = "BITA=1"
    BITB_0 = "BITB=0"
    BITB_1 = "BITB=1"
    BITC_0 = "BITC=0"
    BITC_1 = "BITC=1"
    POSA_GT = "POSA>=POSITION"
    POSA_LT = "POSA<=POSITION"
    POSB_GT = "POSB>=POSITION"
    POSB_LT = "POSB<=POSITION"
    POSC_GT = "POSC>=POSITION"
    POSC_LT = "POSC<=POSITION"


class SeqTableError(ValueError):
    """A sequencer table the block cannot hold, with the facts as attributes."""

    def __init__(
        self, reason: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.reason = reason
        self.row = row
        self.column = column
        where = [] if row is None else [f"row {row}"]
        where += [] if column is None else [column]
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


class SeqTable(Table):
    """One SEQ block table; build it with `seq_table` to have it checked."""

    repeats: Array1D[np.uint16]
    trigger: Sequence[SeqTrigger]
    position: Array1D[np.int32]
    time1: Array1D[np.uint32]
    outa1: Array1D[np.bool_]
    outb1: Array1D[np.bool_]
    outc1: Array1D[np.bool_]
    outd1: Array1D[np.bool_]
    oute1: Array1D[np.bool_]
    outf1: Array1D[np.bool_]
    time2: Array1D[np.uint32]
    outa2: Array1D[np.bool_]
    outb2: Array1D[np.bool_]
    outc2: Array1D[np.bool_]
    outd2: Array1D[np.bool_]
    oute2: Array1D[np.bool_]
    outf2: Array1D[np.bool_]

    def rows(self) -> list[dict[str, Any]]:
        """The table as rows of plain values (what `seq_table` accepts)."""
        out: list[dict[str, Any]] = []
        for i in range(len(self)):
            row: dict[str, Any] = {}
            for name in type(self).model_fields:
                value = getattr(self, name)[i]
                row[name] = (
                    value.value if isinstance(value, SeqTrigger) else value.item()
                )
            out.append(row)
        return out


def seq_table(
    rows: Iterable[Mapping[str, Any]] | None = None,
    *,
    max_rows: int = MAX_ROWS,
    **columns: Sequence[Any] | npt.NDArray[Any],
) -> SeqTable:
    """A checked `SeqTable` from `rows` or from `columns` (not both).

    A row names the columns it sets; the others default to 0, ``Immediate``
    and False: ``{"repeats": 3, "time1": 5, "outa1": True, "time2": 5}``.
    """
    if rows is not None and columns:
        raise SeqTableError("give rows or columns, not both")
    given: Mapping[str, Sequence[Any] | npt.NDArray[Any]] = (
        columns if rows is None else _columns_of(list(rows))
    )
    known = SeqTable.model_fields
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise SeqTableError(
            f"unknown column(s) {', '.join(unknown)}; the columns are "
            f"{', '.join(known)}"
        )
    lengths = {name: len(values) for name, values in given.items()}
    length = max(lengths.values(), default=0)
    short = sorted(n for n, k in lengths.items() if k != length)
    if short:
        raise SeqTableError(
            f"columns differ in length: {', '.join(short)} have fewer than "
            f"{length} rows"
        )
    if length > max_rows:
        raise SeqTableError(
            f"{length} rows; the sequencer table holds at most {max_rows}"
        )
    checked: dict[str, Any] = {
        name: _column(name, given.get(name), length) for name in known
    }
    return SeqTable(**checked)


def _columns_of(rows: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
    known = SeqTable.model_fields
    for index, row in enumerate(rows):
        unknown = sorted(set(row) - set(known))
        if unknown:
            raise SeqTableError(
                f"unknown column(s) {', '.join(unknown)}; the columns are "
                f"{', '.join(known)}",
                row=index,
            )
    defaults: dict[str, Any] = {
        name: False if name in BOOL_COLUMNS else 0 for name in known
    }
    defaults["trigger"] = SeqTrigger.IMMEDIATE
    return {
        name: [row.get(name, defaults[name]) for row in rows] for name in known if rows
    }


def _column(name: str, values: Any, length: int) -> Any:
    if values is None:
        if name == "trigger":
            return [SeqTrigger.IMMEDIATE] * length
        dtype = np.bool_ if name in BOOL_COLUMNS else _NUMPY[name]
        return np.zeros(length, dtype=dtype)
    if name == "trigger":
        return [_trigger(i, v) for i, v in enumerate(values)]
    if name in BOOL_COLUMNS:
        array = np.asarray(values)
        if array.dtype == np.bool_:
            return array
        return np.array([_bool(name, i, v) for i, v in enumerate(values)], np.bool_)
    return _integers(name, values)


def _trigger(row: int, value: Any) -> SeqTrigger:
    if isinstance(value, SeqTrigger):
        return value
    try:
        return SeqTrigger(str(value))
    except ValueError:
        by_name = SeqTrigger.__members__.get(str(value).upper())
        if by_name is not None:
            return by_name
        raise SeqTableError(
            f"{value!r} is not a trigger; one of "
            f"{', '.join(t.value for t in SeqTrigger)}",
            row=row,
            column="trigger",
        ) from None


def _bool(name: str, row: int, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, np.bool_ | np.integer | int) and value in (0, 1):
        return bool(value == 1)
    raise SeqTableError(f"{value!r} is not a boolean", row=row, column=name)


def _integers(name: str, values: Any) -> npt.NDArray[Any]:
    low, high = LIMITS[name]
    array = np.asarray(values)
    if array.dtype.kind not in "iub":
        for row, value in enumerate(list(values)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool):
                raise SeqTableError(
                    f"{value!r} is not an integer", row=row, column=name
                )
        array = np.asarray([int(v) for v in values], dtype=object)
    bad = np.flatnonzero((array < low) | (array > high))
    if len(bad):
        row = int(bad[0])
        raise SeqTableError(
            f"{int(array[row])} is outside {low}..{high}", row=row, column=name
        )
    return array.astype(_NUMPY[name])


@dataclass(frozen=True)
class SeqTableInfo:
    """A static table to run: `repeats` times, its times in ticks of `tick` s."""

    table: SeqTable
    repeats: int = 1
    tick: float = 1e-6

    def __post_init__(self) -> None:
        if not 0 <= self.repeats <= 2**32 - 1:
            raise SeqTableError(f"table repeats {self.repeats} is outside 0..2**32-1")
        if not self.tick > 0:
            raise SeqTableError(f"a tick must be positive, not {self.tick}")
