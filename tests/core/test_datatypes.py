from collections.abc import Sequence

import numpy as np
import pytest

from ophyd_blueprint import (
    Array1D,
    StrictEnum,
    SubsetEnum,
    Table,
    datatype_spec,
    soft_signal_rw,
)


class Shutter(StrictEnum):
    OPEN = "Open"
    CLOSED = "closed now"


class Mode(SubsetEnum):
    FAST = "FAST"


@pytest.mark.parametrize(
    ("scalar", "dtype_numpy"),
    [
        (np.bool_, "|b1"),
        (np.int8, "|i1"),
        (np.uint8, "|u1"),
        (np.int16, "<i2"),
        (np.uint16, "<u2"),
        (np.int32, "<i4"),
        (np.uint32, "<u4"),
        (np.int64, "<i8"),
        (np.uint64, "<u8"),
        (np.float32, "<f4"),
        (np.float64, "<f8"),
    ],
)
async def test_array_datakey_has_the_exact_numpy_dtype(
    scalar: type[np.generic], dtype_numpy: str
):
    sig = soft_signal_rw(Array1D[scalar], np.zeros(4, dtype=scalar), name="a")
    key = (await sig.describe())["a"]
    assert key["dtype"] == "array"
    assert key["dtype_numpy"] == dtype_numpy
    assert key["shape"] == [4]


async def test_enum_labels_are_kept_exactly_in_any_case():
    sig = soft_signal_rw(Shutter, name="shutter")
    await sig.set("closed now")  # type: ignore[arg-type]
    assert await sig.get_value() is Shutter.CLOSED
    key = (await sig.describe())["shutter"]
    assert key["choices"] == ["Open", "closed now"]
    assert key["dtype"] == "string"
    with pytest.raises(TypeError, match=r"one of \['Open', 'closed now'\]"):
        sig.set("OPEN")  # type: ignore[arg-type]


def test_plain_enum_is_refused_with_the_fix():
    from enum import Enum

    class Plain(Enum):
        A = "a"

    with pytest.raises(TypeError, match="must subclass StrictEnum or SubsetEnum"):
        datatype_spec(Plain)


def test_sequences_of_str_and_enum_are_supported():
    assert datatype_spec(Sequence[str]).coerce(("a", "b")) == ["a", "b"]
    assert datatype_spec(Sequence[Mode]).coerce(["FAST"]) == [Mode.FAST]
    with pytest.raises(TypeError):
        datatype_spec(Sequence[str]).coerce("ab")


class Points(Table):
    x: Array1D[np.float64]
    n: Array1D[np.int32]
    label: Sequence[str]


async def test_table_columns_are_typed_and_equal_length():
    table = Points(x=[1.0, 2.0], n=[1, 2], label=["a", "b"])  # type: ignore[arg-type]
    assert table.n.dtype == np.int32
    assert len(table) == 2
    with pytest.raises(ValueError, match="differ in length"):
        Points(x=[1.0], n=[1, 2], label=["a", "b"])  # type: ignore[arg-type]
    sig = soft_signal_rw(Points, table, name="t")
    assert await sig.get_value() == table
    key = (await sig.describe())["t"]
    assert key["dtype_numpy"] == "[x:<f8,n:<i4,label:|S40]"


def test_unsupported_datatype_lists_what_is_supported():
    with pytest.raises(TypeError, match="supported: bool, int, float"):
        datatype_spec(complex)
