"""PVA datatypes against both QSRV 2 (pvxs) and QSRV 1 (epicscorelibs) IOCs."""

from collections.abc import Sequence

import numpy as np
import pytest

from ophyd_blueprint.core.datatypes import Array1D, StrictEnum, SubsetEnum
from ophyd_blueprint.core.errors import NotConnectedError
from ophyd_blueprint.core.signal import SignalR
from ophyd_blueprint.core.transport import signal_r, signal_rw
from ophyd_blueprint.testing.ioc import EpicsIoc


class Shutter(StrictEnum):
    OPEN = "Open"
    CLOSED = "closed now"
    MOVING = "MOVING"


class Closing(SubsetEnum):
    CLOSED = "closed now"


class Wrong(StrictEnum):
    OPEN = "open"
    CLOSED = "Closed"


@pytest.fixture(params=["pvxs", "qsrv1"])
def ioc(request: pytest.FixtureRequest) -> EpicsIoc:
    name = "epics_ioc" if request.param == "pvxs" else "epics_ioc_qsrv1"
    return request.getfixturevalue(name)


def pva(ioc: EpicsIoc, record: str) -> str:
    return f"pva://{ioc.pv(record)}"


async def type_error_of(sig: SignalR[object]) -> str:
    """The message of the TypeError that made `sig` fail to connect."""
    with pytest.raises(NotConnectedError) as info:
        await sig.connect(timeout=5)
    (leaf,) = info.value.leaves().values()
    assert isinstance(leaf, TypeError)
    return str(leaf)


async def test_float_reads_with_units_precision_and_limits(ioc: EpicsIoc):
    sig = signal_r(float, pva(ioc, "AI"), name="ai")
    await sig.connect(timeout=5)
    assert await sig.get_value() == 2.5
    key = (await sig.describe())["ai"]
    assert key["dtype"] == "number"
    assert key["dtype_numpy"] == "<f8"
    assert key["shape"] == []
    assert key["units"] == "mm"
    assert key["precision"] == 3
    limits = key.get("limits") or {}
    assert limits.get("display") == {"low": -10.0, "high": 10.0}


@pytest.mark.parametrize(
    ("record", "datatype", "value", "dtype_numpy"),
    [
        ("AO", float, 3.25, "<f8"),
        ("LONGOUT", int, -12, "<i4"),
        ("INT64OUT", int, 2**40 + 1, "<i8"),
        ("STRINGOUT", str, "some words", "|S40"),
        ("BO", bool, True, "|b1"),
        ("BOOL_LONG", bool, False, "|b1"),
    ],
)
async def test_scalar_put_then_get_round_trips(
    ioc: EpicsIoc, record: str, datatype: type, value: object, dtype_numpy: str
):
    sig = signal_rw(datatype, pva(ioc, record), name="s")
    await sig.connect(timeout=5)
    await sig.set(value)
    got = await sig.get_value()
    assert got == value
    assert type(got) is datatype
    assert (await sig.describe())["s"]["dtype_numpy"] == dtype_numpy


@pytest.mark.parametrize(
    ("record", "dtype"),
    [
        ("WF_CHAR", np.int8),
        ("WF_UCHAR", np.uint8),
        ("WF_SHORT", np.int16),
        ("WF_USHORT", np.uint16),
        ("WF_LONG", np.int32),
        ("WF_ULONG", np.uint32),
        ("WF_INT64", np.int64),
        ("WF_UINT64", np.uint64),
        ("WF_FLOAT", np.float32),
        ("WF_DOUBLE", np.float64),
    ],
)
async def test_numeric_arrays_keep_their_exact_dtype(
    ioc: EpicsIoc, record: str, dtype: type[np.generic]
):
    sig = signal_rw(Array1D[dtype], pva(ioc, record), name="wf")
    await sig.connect(timeout=5)
    written = np.array([5, 6, 7, 8], dtype=dtype)
    await sig.set(written)
    got = await sig.get_value()
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, written)
    key = (await sig.describe())["wf"]
    assert key["dtype_numpy"] == np.dtype(dtype).str
    assert key["shape"] == [4]


async def test_string_array_reads_as_sequence_of_str(ioc: EpicsIoc):
    sig = signal_rw(Sequence[str], pva(ioc, "AAO_STR"), name="strs")
    await sig.connect(timeout=5)
    await sig.set(["a b", "C"])
    assert list(await sig.get_value()) == ["a b", "C"]


async def test_enum_labels_in_any_case_with_spaces_read_and_write(ioc: EpicsIoc):
    sig = signal_rw(Shutter, pva(ioc, "MBBO"), name="shutter")
    await sig.connect(timeout=5)
    await sig.set(Shutter.CLOSED)
    assert await sig.get_value() is Shutter.CLOSED
    await sig.set("MOVING")
    assert await sig.get_value() is Shutter.MOVING
    key = (await sig.describe())["shutter"]
    assert key["choices"] == ["Open", "closed now", "MOVING"]


async def test_subset_enum_accepts_a_subset_of_the_choices(ioc: EpicsIoc):
    sig = signal_rw(Closing, pva(ioc, "MBBO"), name="closing")
    await sig.connect(timeout=5)
    await sig.set(Closing.CLOSED)
    assert await sig.get_value() is Closing.CLOSED


async def test_enum_label_mismatch_names_both_label_sets(ioc: EpicsIoc):
    message = await type_error_of(signal_r(Wrong, pva(ioc, "MBBI")))
    assert "['Open', 'closed now', 'MOVING']" in message
    assert "['open', 'Closed']" in message
    assert ioc.pv("MBBI") in message


async def test_enum_on_a_string_pv_checks_the_current_value(ioc: EpicsIoc):
    message = await type_error_of(signal_r(Shutter, pva(ioc, "STRINGIN")))
    assert "'hello' is not one of the labels" in message


async def test_bool_on_an_enum_with_more_than_two_choices_is_refused(ioc: EpicsIoc):
    message = await type_error_of(signal_r(bool, pva(ioc, "MBBI")))
    assert "exactly 2" in message


async def test_type_mismatch_names_the_pv_and_both_types(ioc: EpicsIoc):
    message = await type_error_of(signal_r(int, pva(ioc, "AI")))
    assert message == f"pva://{ioc.pv('AI')} is a float64 PV, the signal asked for int"


async def test_array_dtype_mismatch_is_refused(ioc: EpicsIoc):
    message = await type_error_of(signal_r(Array1D[np.int32], pva(ioc, "WF_DOUBLE")))
    assert "float64 array PV, the signal asked for Array1D[int32]" in message
