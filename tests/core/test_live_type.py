"""What a server reports -> the datatype a live-typed signal takes (no server)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import Array1D, StrictEnum, datatype_spec
from ophyd_blueprint.core.live_type import (
    ServerType,
    UncarriedTypeError,
    datatype_of,
    is_live,
)
from ophyd_blueprint.core.table import Table

URI = "pva://X"


@pytest.mark.parametrize(
    ("server", "datatype"),
    [
        (ServerType("bool"), bool),
        (ServerType("uint8"), int),
        (ServerType("int64"), int),
        (ServerType("float32"), float),
        (ServerType("str"), str),
        (ServerType("bool", 1), Array1D[np.bool_]),
        (ServerType("int16", 1), Array1D[np.int16]),
        (ServerType("float64", 1), Array1D[np.float64]),
        (ServerType("str", 1), Sequence[str]),
        (ServerType("uint16", 2), np.ndarray),
    ],
)
def test_numbers_and_strings_take_the_datatype_of_their_shape(
    server: ServerType, datatype: Any
) -> None:
    assert datatype_of(server, URI) == datatype


def test_an_enum_is_a_strict_enum_of_the_servers_choices_made_once() -> None:
    choices = ("Open", "closed now", "1st", "", "Open")
    enum = datatype_of(ServerType("enum", choices=choices), URI)
    assert issubclass(enum, StrictEnum)
    assert [m.value for m in enum] == ["Open", "closed now", "1st", ""]
    assert [m.name for m in enum] == ["OPEN", "CLOSED_NOW", "CHOICE_2", "CHOICE_3"]
    assert datatype_of(ServerType("enum", choices=choices), "ca://Y") is enum
    items = datatype_of(ServerType("enum", 1, ("A", "B")), URI)
    assert datatype_spec(items).choices == ("A", "B")


def test_a_table_has_the_servers_columns() -> None:
    columns = (("repeats", ServerType("uint16", 1)), ("name", ServerType("str", 1)))
    table = datatype_of(ServerType("table", columns=columns), URI)
    assert issubclass(table, Table)
    assert {n: c.name for n, c in table.columns().items()} == {
        "repeats": "Array1D[uint16]",
        "name": "Sequence[str]",
    }
    assert datatype_of(ServerType("table", columns=columns), URI) is table


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        (ServerType("DevEncoded", native="DevEncoded attribute"), "DevEncoded"),
        (ServerType("enum", native="enum PV"), "an enum without choices"),
        (ServerType("str", 2), "str"),
        (
            ServerType("table", columns=(("copy", ServerType("int32", 1)),)),
            "'copy' is the name of a Table method",
        ),
        (
            ServerType("table", columns=(("2nd", ServerType("int32", 1)),)),
            "'2nd' cannot be a field",
        ),
        (
            ServerType("table", columns=(("a", ServerType("int32", 0)),)),
            "'a' is not a 1-D array",
        ),
    ],
)
def test_a_type_no_signal_carries_is_a_clear_connect_error(
    server: ServerType, reason: str
) -> None:
    with pytest.raises(UncarriedTypeError, match="which no signal datatype") as info:
        datatype_of(server, URI)
    assert info.value.source == URI
    assert info.value.kind == "wrong type"
    assert reason in str(info.value)


def test_only_any_asks_for_the_servers_type() -> None:
    assert is_live(Any)
    assert not is_live(None)
    assert not is_live(float)
