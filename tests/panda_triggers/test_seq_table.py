"""Static sequencer tables: written as rows or columns, checked column by column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.logic.panda import (
    MAX_ROWS,
    SeqTable,
    SeqTableError,
    SeqTrigger,
    seq_table,
)


def test_rows_name_only_the_columns_they_set() -> None:
    table = seq_table(
        [
            {"repeats": 3, "time1": 5, "outa1": True, "time2": 5},
            {"trigger": "POSA>=POSITION", "position": -100, "time2": 1},
        ]
    )
    assert isinstance(table, SeqTable)
    assert table.repeats.tolist() == [3, 0]
    assert table.trigger == [SeqTrigger.IMMEDIATE, SeqTrigger.POSA_GT]
    assert table.position.tolist() == [0, -100]
    assert table.outa1.tolist() == [True, False]
    assert table.outb2.tolist() == [False, False]
    assert table.repeats.dtype == np.uint16
    assert table.position.dtype == np.int32
    assert table.time1.dtype == np.uint32


def test_a_table_round_trips_through_its_rows() -> None:
    table = seq_table(repeats=[1, 2], trigger=["BITA=1", "Immediate"], time2=[4, 5])
    assert seq_table(table.rows()) == table


def test_a_trigger_may_be_given_by_its_python_name() -> None:
    assert seq_table([{"trigger": "posb_lt"}]).trigger == [SeqTrigger.POSB_LT]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"repeats": 65536}], "row 0, repeats: 65536 is outside 0..65535"),
        ([{}, {"repeats": -1}], "row 1, repeats: -1 is outside 0..65535"),
        ([{"position": 2**31}], "row 0, position: 2147483648 is outside"),
        ([{"time1": 2**32}], "row 0, time1: 4294967296 is outside 0..4294967295"),
        ([{"time2": 1.5}], "row 0, time2: 1.5 is not an integer"),
        ([{"outa1": "yes"}], "row 0, outa1: 'yes' is not a boolean"),
        ([{"trigger": "POSD>=POSITION"}], "row 0, trigger: 'POSD>=POSITION' is not"),
        ([{"repeat": 1}], "row 0: unknown column\\(s\\) repeat; the columns are"),
    ],
)
def test_a_value_beyond_its_field_is_a_clear_error(
    rows: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(SeqTableError, match=message):
        seq_table(rows)


def test_the_error_carries_row_and_column() -> None:
    with pytest.raises(SeqTableError) as caught:
        seq_table([{}, {}, {"time1": -5}])
    assert (caught.value.row, caught.value.column) == (2, "time1")


def test_more_rows_than_the_block_holds_is_refused() -> None:
    with pytest.raises(SeqTableError, match="4097 rows; the sequencer table holds"):
        seq_table(repeats=np.ones(MAX_ROWS + 1, dtype=np.int64))


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(SeqTableError, match="time1 have fewer than 3 rows"):
        seq_table(repeats=[1, 1, 1], time1=[1])
