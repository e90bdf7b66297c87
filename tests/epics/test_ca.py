"""The ca:// transport against a real IOC: types, puts, errors, describe, monitors."""

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import (
    Array1D,
    NotConnectedError,
    StrictEnum,
    SubsetEnum,
    signal_r,
    signal_rw,
    signal_x,
    wait_for_value,
)
from ophyd_blueprint.testing.ioc import EpicsIoc

TIMEOUT = 5.0


class Shutter(StrictEnum):
    OPEN = "Open"
    CLOSED = "closed now"
    MOVING = "MOVING"


class OpenOnly(SubsetEnum):
    OPEN = "Open"


async def rw(ioc: EpicsIoc, datatype: Any, record: str, **kwargs: Any):
    sig = signal_rw(datatype, f"ca://{ioc.pv(record)}", name="sig", **kwargs)
    await sig.connect(timeout=TIMEOUT)
    return sig


@pytest.mark.parametrize(
    ("datatype", "record", "expected", "dtype_numpy"),
    [
        (float, "AI", 2.5, "<f8"),
        (int, "LONGIN", 42, "<i4"),
        (int, "INT64IN", 1234567890123, "<i8"),
        (bool, "BI", True, "<u2"),
        (bool, "BOOL_LONG", True, "<i4"),
        (Shutter, "MBBI", Shutter.MOVING, "|S40"),
        (str, "MBBI", "MOVING", "|S40"),
        (str, "STRINGIN", "hello", "|S40"),
        (str, "LSI.VAL$", "a long string", "|S40"),
        (str, "WF_STR", "hi", "|S40"),
        (Sequence[str], "AAI_STR", ["one", "two"], "|S40"),
    ],
)
async def test_scalar_reads_give_the_requested_type(
    epics_ioc: EpicsIoc, datatype: Any, record: str, expected: Any, dtype_numpy: str
):
    sig = signal_r(datatype, f"ca://{epics_ioc.pv(record)}", name="sig")
    await sig.connect(timeout=TIMEOUT)
    value = await sig.get_value()
    assert value == expected
    assert type(value) is type(expected)
    assert (await sig.describe())["sig"]["dtype_numpy"] == dtype_numpy


@pytest.mark.parametrize(
    ("scalar", "record", "written"),
    [
        (np.int8, "WF_CHAR", [1, -2, 3, -128]),
        (np.uint8, "WF_UCHAR", [1, 2, 255]),
        (np.int16, "WF_SHORT", [1, -2, 32767]),
        (np.uint16, "WF_USHORT", [1, 2, 65535]),
        (np.int32, "WF_LONG", [1, -2, 2**31 - 1]),
        (np.uint32, "WF_ULONG", [1, 2, 2**32 - 1]),
        (np.int64, "WF_INT64", [1, -2, 2**40]),
        (np.uint64, "WF_UINT64", [1, 2, 2**50]),
        (np.float32, "WF_FLOAT", [1.5, -2.5]),
        (np.float64, "WF_DOUBLE", [1.25, -2.5, 1e300]),
    ],
)
async def test_waveform_of_each_ftvl_round_trips_with_exact_dtype(
    epics_ioc: EpicsIoc, scalar: type[np.generic], record: str, written: list[Any]
):
    sig = await rw(epics_ioc, Array1D[scalar], record)
    await sig.set(np.array(written, dtype=scalar))
    value = await sig.get_value()
    assert value.dtype == np.dtype(scalar)
    assert value.tolist() == written
    key = (await sig.describe())["sig"]
    assert key["dtype_numpy"] == np.dtype(scalar).str
    assert key["shape"] == [4 if record == "WF_ENUM" else 8]


async def test_enum_waveform_reads_as_uint16(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, Array1D[np.uint16], "WF_ENUM")
    assert (await sig.get_value()).tolist() == [0, 1]


async def test_any_shape_ndarray_reads_numeric_waveforms(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, np.ndarray, "WF_SHORT")
    assert isinstance(await sig.get_value(), np.ndarray)


@pytest.mark.parametrize(
    ("datatype", "record", "value"),
    [
        (float, "AO", -12.25),
        (int, "LONGOUT", -99),
        (int, "INT64OUT", 2**62 + 1),
        (bool, "BO", True),
        (bool, "BOOL_LONG", False),
        (Shutter, "MBBO", Shutter.CLOSED),
        (str, "STRINGOUT", "written"),
        (str, "LSO.VAL$", "x" * 200),
        (str, "WF_STR", "a char waveform"),
        (Sequence[str], "AAO_STR", ["a", "bb", "ccc"]),
    ],
)
async def test_put_then_get_round_trips(
    epics_ioc: EpicsIoc, datatype: Any, record: str, value: Any
):
    sig = await rw(epics_ioc, datatype, record)
    await sig.set(value)
    assert await sig.get_value() == value
    assert await sig.get_setpoint() == value


async def test_enum_accepts_a_label_string_and_returns_the_member(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, Shutter, "MBBO")
    await sig.set("MOVING")  # type: ignore[arg-type]
    assert await sig.get_value() is Shutter.MOVING
    assert (await sig.describe())["sig"]["choices"] == ["Open", "closed now", "MOVING"]


async def test_subset_enum_connects_and_returns_other_labels_as_str(
    epics_ioc: EpicsIoc,
):
    sig = signal_r(OpenOnly, f"ca://{epics_ioc.pv('MBBI')}")
    await sig.connect(timeout=TIMEOUT)
    assert await sig.get_value() == "MOVING"


async def test_strict_enum_with_other_labels_names_both_label_sets(
    epics_ioc: EpicsIoc,
):
    class Wrong(StrictEnum):
        OPEN = "open"
        CLOSED = "closed now"
        MOVING = "MOVING"

    with pytest.raises(NotConnectedError, match=r"choices \['Open'.*'open'"):
        await rw(epics_ioc, Wrong, "MBBO")


async def test_subset_enum_with_a_label_the_pv_lacks_is_an_error(epics_ioc: EpicsIoc):
    class Extra(SubsetEnum):
        OPEN = "Open"
        BROKEN = "Broken"

    with pytest.raises(NotConnectedError, match="Broken"):
        await rw(epics_ioc, Extra, "MBBO")


@pytest.mark.parametrize(
    ("datatype", "record", "message"),
    [
        (int, "AI", "AI is a float64 PV, the signal asked for int"),
        (float, "LONGIN", "LONGIN is a int32 PV, the signal asked for float"),
        (str, "AO", "AO is a float64 PV, the signal asked for str"),
        (Array1D[np.int32], "WF_SHORT", "int16 array.8. PV, .* Array1D.int32."),
        (Array1D[np.int64], "WF_DOUBLE", "float64 array.8. PV"),
        (Shutter, "LONGOUT", "LONGOUT is a int32 PV, the signal asked for Shutter"),
    ],
)
async def test_type_mismatch_at_connect_names_pv_and_both_types(
    epics_ioc: EpicsIoc, datatype: Any, record: str, message: str
):
    with pytest.raises(NotConnectedError, match=message):
        await rw(epics_ioc, datatype, record)


async def test_missing_pv_fails_within_the_timeout_naming_the_pv(epics_ioc: EpicsIoc):
    sig = signal_r(float, f"ca://{epics_ioc.pv('NO_SUCH_PV')}")
    start = time.monotonic()
    with pytest.raises(NotConnectedError, match=r"NO_SUCH_PV: no answer within 0.5 s"):
        await sig.connect(timeout=0.5)
    assert 0.5 <= time.monotonic() - start <= 0.55


async def test_connect_twice_returns_at_once(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "AO")
    start = time.monotonic()
    await sig.connect(timeout=TIMEOUT)
    assert time.monotonic() - start < 0.05


async def test_separate_read_and_write_pvs(epics_ioc: EpicsIoc):
    sig = signal_rw(
        float,
        f"ca://{epics_ioc.pv('X')}",
        read_source=f"ca://{epics_ioc.pv('X_RBV')}",
        name="x",
    )
    await sig.connect(timeout=TIMEOUT)
    await sig.set(4.5)
    assert await sig.locate() == {"setpoint": 4.5, "readback": 4.5}
    assert (await sig.read())["x"]["value"] == 4.5


async def test_put_with_completion_waits_for_the_record_to_finish(
    epics_ioc: EpicsIoc,
):
    sig = await rw(epics_ioc, float, "SLOW")
    start = time.monotonic()
    await sig.set(1.0)
    assert time.monotonic() - start >= 0.29
    start = time.monotonic()
    await sig.set(2.0, wait=False)
    assert time.monotonic() - start < 0.2
    await wait_for_value(await slow_done(epics_ioc), 2.0, timeout=TIMEOUT)


async def slow_done(ioc: EpicsIoc):
    """SLOW's readback: it takes the put value when the delayed chain ends."""
    rbv = signal_r(float, f"ca://{ioc.pv('SLOW_RBV')}")
    await rbv.connect(timeout=TIMEOUT)
    return rbv


async def test_put_timeout_names_the_pv(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "SLOW")
    with pytest.raises(TimeoutError, match=r"SLOW did not complete within 0.1 s"):
        await sig.set(3.0, timeout=0.1)
    await wait_for_value(await slow_done(epics_ioc), 3.0, timeout=TIMEOUT)


async def test_signal_x_processes_the_record(epics_ioc: EpicsIoc):
    count = signal_r(float, f"ca://{epics_ioc.pv('TRIG')}")
    trigger = signal_x(f"ca://{epics_ioc.pv('TRIG.PROC')}")
    await asyncio.gather(count.connect(timeout=TIMEOUT), trigger.connect())
    before = await count.get_value()
    await trigger.trigger()
    assert await count.get_value() == before + 1


async def test_put_to_readonly_pv_is_a_clear_error(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "RO")
    with pytest.raises(RuntimeError, match=r"put of 1.0 to ca://.*RO failed"):
        await sig.set(1.0)


async def test_describe_has_units_precision_and_all_limits(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "AO")
    key = (await sig.describe())["sig"]
    assert key["units"] == "V"
    assert key["precision"] == 2
    assert key["limits"] == {
        "control": {"low": -50.0, "high": 50.0},
        "display": {"low": -100.0, "high": 100.0},
        "alarm": {"low": -40.0, "high": 40.0},
        "warning": {"low": -30.0, "high": 30.0},
    }


async def test_reading_has_timestamp_and_alarm_severity(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "AO")
    await sig.set(45.0)
    reading = (await sig.read())["sig"]
    assert reading["alarm_severity"] == 2  # above HIHI: MAJOR
    assert abs(reading["timestamp"] - time.time()) < 60
    await sig.set(1.5)


async def test_monitor_gives_current_value_then_every_update_in_order(
    epics_ioc: EpicsIoc,
):
    sig = await rw(epics_ioc, int, "COUNTER")
    await sig.set(0)
    seen: asyncio.Queue[int] = asyncio.Queue()
    sig.subscribe_value(seen.put_nowait)
    assert await asyncio.wait_for(seen.get(), TIMEOUT) == 0
    for i in range(1, 201):
        await sig.set(i, wait=False)
    received = [await asyncio.wait_for(seen.get(), TIMEOUT) for _ in range(200)]
    sig.clear_sub(seen.put_nowait)
    assert received == list(range(1, 201))


async def test_monitored_signal_reads_from_its_cache(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, float, "AO")
    seen: asyncio.Queue[float] = asyncio.Queue()
    sig.subscribe_value(seen.put_nowait)
    first = await asyncio.wait_for(seen.get(), TIMEOUT)
    assert sig.backend.cached_reading() is not None
    assert await sig.get_value() == first
    sig.clear_sub(seen.put_nowait)
    assert sig.backend.cached_reading() is None


async def test_a_failing_subscriber_does_not_stop_the_others(epics_ioc: EpicsIoc):
    sig = await rw(epics_ioc, int, "COUNTER")
    await sig.set(0)

    def broken(_value: int) -> None:
        raise ValueError("subscriber bug")

    seen: asyncio.Queue[int] = asyncio.Queue()
    sig.subscribe_value(broken)
    sig.subscribe_value(seen.put_nowait)
    assert await asyncio.wait_for(seen.get(), TIMEOUT) == 0
    await sig.set(5)
    assert await asyncio.wait_for(seen.get(), TIMEOUT) == 5
    sig.clear_sub(broken)
    sig.clear_sub(seen.put_nowait)


async def test_monitor_of_a_ticking_record_keeps_delivering(epics_ioc: EpicsIoc):
    sig = signal_r(float, f"ca://{epics_ioc.pv('TICK')}", name="tick")
    await sig.connect(timeout=TIMEOUT)
    seen: asyncio.Queue[float] = asyncio.Queue()
    sig.subscribe_value(seen.put_nowait)
    values = [await asyncio.wait_for(seen.get(), TIMEOUT) for _ in range(3)]
    sig.clear_sub(seen.put_nowait)
    assert values == sorted(values)
    assert len(set(values)) == 3


async def test_an_aioca_without_its_channel_cache_still_connects_through_cainfo(
    epics_ioc: EpicsIoc, monkeypatch: pytest.MonkeyPatch
):
    """The fast type query uses aioca internals; without them, `cainfo`."""
    from ophyd_blueprint.transports.ca import client

    monkeypatch.setattr(client, "_FAST_INFO", False)
    assert await client.channel_type(epics_ioc.pv("AO")) == (client.DBF_DOUBLE, 1)
    waveform = await rw(epics_ioc, Array1D[np.float64], "WF_DOUBLE")
    assert (await waveform.get_value()).dtype == np.float64
    mismatch = r"WF_DOUBLE is a float64 array\[\d+\] PV"
    with pytest.raises(NotConnectedError, match=mismatch):
        await rw(epics_ioc, float, "WF_DOUBLE")
