"""Attribute signals against the real test device server: types, metadata, errors."""

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import (
    Array1D,
    NotConnectedError,
    ReadOnlyError,
    StrictEnum,
    SubsetEnum,
    signal_r,
    signal_rw,
)
from ophyd_blueprint.testing.tango_devices import IMAGE_SHAPE
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.transports.tango import DevStateEnum, parse_trl
from ophyd_blueprint.transports.tango.connection import connect_device


class Gain(StrictEnum):
    OFF = "Off"
    LOW = "low gain"
    HIGH = "HIGH Gain"


class SomeGains(SubsetEnum):
    OFF = "Off"
    HIGH = "HIGH Gain"


def types(server: TangoServer, name: str) -> str:
    return server.attribute("types", name)


@pytest.mark.parametrize(
    ("attribute", "datatype", "written", "dtype_numpy"),
    [
        ("boolean_scalar", bool, False, "|b1"),
        ("short_scalar", int, -12, "<i2"),
        ("ushort_scalar", int, 65000, "<u2"),
        ("long_scalar", int, -2_000_000, "<i4"),
        ("ulong_scalar", int, 4_000_000_000, "<u4"),
        ("long64_scalar", int, -(2**60), "<i8"),
        ("ulong64_scalar", int, 2**63, "<u8"),
        ("float_scalar", float, 0.5, "<f4"),
        ("double_scalar", float, -7.25, "<f8"),
        ("uchar_scalar", int, 255, "|u1"),
        ("string_scalar", str, "with spaces", "|S40"),
    ],
)
async def test_scalar_of_every_type_round_trips_with_its_native_dtype(
    tango_server: TangoServer,
    attribute: str,
    datatype: type,
    written: Any,
    dtype_numpy: str,
):
    sig = signal_rw(datatype, types(tango_server, attribute), name="s")
    await sig.connect(timeout=5)
    await sig.set(written)
    value = await sig.get_value()
    assert value == written
    assert type(value) is datatype
    assert (await sig.describe())["s"]["dtype_numpy"] == dtype_numpy


@pytest.mark.parametrize(
    ("attribute", "scalar"),
    [
        ("boolean_spectrum", np.bool_),
        ("short_spectrum", np.int16),
        ("ushort_spectrum", np.uint16),
        ("long_spectrum", np.int32),
        ("ulong_spectrum", np.uint32),
        ("long64_spectrum", np.int64),
        ("ulong64_spectrum", np.uint64),
        ("float_spectrum", np.float32),
        ("double_spectrum", np.float64),
        ("uchar_spectrum", np.uint8),
    ],
)
async def test_spectrum_keeps_its_exact_numpy_dtype(
    tango_server: TangoServer, attribute: str, scalar: type[np.generic]
):
    sig = signal_rw(Array1D[scalar], types(tango_server, attribute), name="s")
    await sig.connect(timeout=5)
    written = np.array([1, 0, 1], dtype=scalar)
    await sig.set(written)
    got = await sig.get_value()
    assert got.dtype == np.dtype(scalar)
    np.testing.assert_array_equal(got, written)
    key = (await sig.describe())["s"]
    assert (key["dtype"], key["dtype_numpy"], key["shape"]) == (
        "array",
        np.dtype(scalar).str,
        [3],
    )


async def test_string_spectrum_reads_as_a_list_of_str(tango_server: TangoServer):
    sig = signal_rw(Sequence[str], types(tango_server, "string_spectrum"))
    await sig.connect(timeout=5)
    await sig.set(["x", "y z"])
    assert await sig.get_value() == ["x", "y z"]


async def test_image_reads_as_a_2d_array_with_its_shape(tango_server: TangoServer):
    sig = signal_r(np.ndarray, types(tango_server, "ushort_image"), name="img")
    await sig.connect(timeout=5)
    image = await sig.get_value()
    assert image.shape == IMAGE_SHAPE
    assert image.dtype == np.uint16
    key = (await sig.describe())["img"]
    assert (key["shape"], key["dtype_numpy"]) == (list(IMAGE_SHAPE), "<u2")


async def test_enum_labels_of_any_case_and_with_spaces_round_trip(
    tango_server: TangoServer,
):
    sig = signal_rw(Gain, types(tango_server, "enum_scalar"), name="gain")
    await sig.connect(timeout=5)
    await sig.set(Gain.HIGH)
    assert await sig.get_value() is Gain.HIGH
    await sig.set("low gain")
    assert await sig.get_value() is Gain.LOW
    assert (await sig.describe())["gain"]["choices"] == ["Off", "low gain", "HIGH Gain"]


async def test_subset_enum_connects_to_a_server_with_more_labels(
    tango_server: TangoServer,
):
    sig = signal_rw(SomeGains, types(tango_server, "enum_scalar"))
    await sig.connect(timeout=5)
    await sig.set(SomeGains.OFF)
    assert await sig.get_value() is SomeGains.OFF


async def test_enum_with_labels_the_server_lacks_names_both_sets(
    tango_server: TangoServer,
):
    class Wrong(StrictEnum):
        OFF = "off"
        LOW = "low gain"

    sig = signal_r(Wrong, types(tango_server, "enum_scalar"))
    with pytest.raises(NotConnectedError) as info:
        await sig.connect(timeout=5)
    message = str(info.value)
    assert "['Off', 'low gain', 'HIGH Gain']" in message
    assert "['off', 'low gain']" in message


async def test_state_reads_as_dev_state_enum(tango_server: TangoServer):
    sig = signal_r(DevStateEnum, tango_server.attribute("motor2", "State"))
    await sig.connect(timeout=5)
    assert await sig.get_value() is DevStateEnum.ON


async def test_units_precision_and_limits_come_from_the_attribute_config(
    tango_server: TangoServer,
):
    sig = signal_r(float, types(tango_server, "double_readonly"), name="d")
    await sig.connect(timeout=5)
    key = (await sig.describe())["d"]
    assert key["units"] == "mm"
    assert key["precision"] == 3
    assert key["limits"] == {
        "control": {"low": -100.0, "high": 100.0},
        "alarm": {"low": -90.0, "high": 90.0},
        "warning": {"low": -80.0, "high": 80.0},
    }


@pytest.mark.parametrize(
    ("attribute", "datatype", "value_type", "expected"),
    [
        ("boolean_scalar", bool, bool, {"dtype": "boolean", "dtype_numpy": "|b1"}),
        ("long_scalar", int, int, {"dtype": "integer", "dtype_numpy": "<i4"}),
        ("double_scalar", float, float, {"dtype": "number", "dtype_numpy": "<f8"}),
        ("string_scalar", str, str, {"dtype": "string", "shape": []}),
        (
            "enum_scalar",
            Gain,
            Gain,
            {"dtype": "string", "choices": ["Off", "low gain", "HIGH Gain"]},
        ),
        (
            "double_spectrum",
            Array1D[np.float64],
            np.ndarray,
            {"dtype": "array", "dtype_numpy": "<f8"},
        ),
    ],
)
async def test_datatypes_read_like_they_do_over_epics(
    tango_server: TangoServer,
    attribute: str,
    datatype: Any,
    value_type: type,
    expected: dict[str, Any],
):
    sig = signal_r(datatype, types(tango_server, attribute), name="s")
    await sig.connect(timeout=5)
    value = await sig.get_value()
    assert isinstance(value, value_type)
    key = (await sig.describe())["s"]
    assert {k: key.get(k) for k in expected} == expected
    assert key["shape"] == ([len(value)] if key["dtype"] == "array" else [])


async def test_write_to_read_only_attribute_is_a_clear_error(
    tango_server: TangoServer,
):
    uri = types(tango_server, "double_readonly")
    sig = signal_rw(float, uri)
    await sig.connect(timeout=5)
    with pytest.raises(ReadOnlyError, match=f"{uri} is a read-only attribute"):
        await sig.set(1.0)


async def test_wrong_attribute_name_is_a_clear_error_at_connect(
    tango_server: TangoServer,
):
    uri = types(tango_server, "no_such_attribute")
    with pytest.raises(NotConnectedError, match="has no attribute 'no_such_attribute'"):
        await signal_r(float, uri).connect(timeout=5)


async def test_wrong_device_name_is_a_clear_error_at_connect(
    tango_server: TangoServer,
):
    uri = f"tango://127.0.0.1:{tango_server.port}/no/such/device/x#dbase=no"
    with pytest.raises(NotConnectedError, match=uri):
        await signal_r(float, uri).connect(timeout=5)


async def test_type_mismatch_names_both_types_at_connect(tango_server: TangoServer):
    uri = types(tango_server, "double_scalar")
    with pytest.raises(
        NotConnectedError,
        match=f"{uri} is a float64 attribute, the signal asked for int",
    ):
        await signal_r(int, uri).connect(timeout=5)


async def test_array_of_the_wrong_dtype_is_a_clear_error(tango_server: TangoServer):
    uri = types(tango_server, "long_spectrum")
    with pytest.raises(NotConnectedError, match="int32 spectrum attribute"):
        await signal_r(Array1D[np.float64], uri).connect(timeout=5)


async def test_dead_host_fails_within_the_timeout():
    uri = f"tango://127.0.0.1:{_closed_port()}/a/b/c/d#dbase=no"
    start = time.monotonic()
    with pytest.raises(NotConnectedError) as caught:
        await signal_r(float, uri, name="d").connect(timeout=1.0)
    assert time.monotonic() - start < 1.1
    # Tango itself would say only that it "delayed" the connection request
    assert str(caught.value).splitlines()[1] == (
        f"d: {uri}: no device server answers for a/b/c (down, or wrong host:port?)"
    )
    assert caught.value.silent() == 1


def _closed_port() -> int:
    from ophyd_blueprint.testing.tango_server import free_port

    return free_port()


async def test_connections_to_one_device_are_shared(tango_server: TangoServer):
    uri = types(tango_server, "double_scalar")
    device = parse_trl(uri).device
    first, second = await asyncio.gather(
        connect_device(uri, device, 5), connect_device(uri, device, 5)
    )
    assert first is second
    assert await connect_device(uri, device, 5) is first
