"""Commands (void as SignalX, callable with argument and result) and whole devices."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import (
    Array1D,
    NotConnectedError,
    SignalR,
    SignalRW,
    signal_x,
)
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.transports.tango import (
    DevStateEnum,
    connect_tango_device,
    tango_command,
)


async def test_command_with_argument_and_result_is_awaited_like_a_function(
    tango_server: TangoServer,
):
    scale = tango_command(float, float, tango_server.attribute("types", "Scale"))
    echo = tango_command(str, str, tango_server.attribute("types", "Echo"))
    total = tango_command(
        Array1D[np.float64], float, tango_server.attribute("types", "Sum")
    )
    for command in (scale, echo, total):
        await command.connect(timeout=5)
    assert await scale(2.5) == 5.0
    assert await echo("a b") == "a b"
    assert await total(np.array([1.0, 2.0, 3.5])) == 6.5


async def test_command_with_a_wrong_argument_type_is_a_clear_error(
    tango_server: TangoServer,
):
    uri = tango_server.attribute("types", "Scale")
    scale = tango_command(float, float, uri)
    await scale.connect(timeout=5)
    not_a_float: Any = "two"
    with pytest.raises(TypeError, match=f"{uri} takes float"):
        await scale(not_a_float)


async def test_command_declared_with_the_wrong_types_fails_at_connect(
    tango_server: TangoServer,
):
    uri = tango_server.attribute("types", "Scale")
    with pytest.raises(NotConnectedError, match="has a DevDouble argument"):
        await tango_command(str, float, uri).connect(timeout=5)


async def test_command_with_an_argument_cannot_be_a_signal_x(
    tango_server: TangoServer,
):
    uri = tango_server.attribute("types", "Scale")
    with pytest.raises(NotConnectedError, match="takes a DevDouble argument"):
        await signal_x(uri).connect(timeout=5)


async def test_unknown_command_is_a_clear_error(tango_server: TangoServer):
    uri = tango_server.attribute("types", "NoSuchCommand")
    with pytest.raises(NotConnectedError, match="has no command 'NoSuchCommand'"):
        await signal_x(uri).connect(timeout=5)


async def test_void_command_runs_as_a_signal_x(tango_server: TangoServer):
    reset = signal_x(tango_server.attribute("types", "Reset"))
    await reset.connect(timeout=5)
    await reset.trigger()


async def test_live_device_has_a_typed_signal_per_attribute(
    tango_server: TangoServer,
):
    device = await connect_tango_device(tango_server.device("types"), 5, name="t")
    signals = device.signals
    assert isinstance(signals["double_scalar"], SignalRW)
    assert isinstance(signals["double_readonly"], SignalR)
    assert not isinstance(signals["double_readonly"], SignalRW)
    assert signals["long_spectrum"].datatype == Array1D[np.int32]
    assert signals["string_spectrum"].datatype == Sequence[str]
    assert signals["State"].datatype is DevStateEnum
    enum_choices = (await signals["enum_scalar"].describe())["t-enum_scalar"]
    assert enum_choices["choices"] == ["Off", "low gain", "HIGH Gain"]
    assert isinstance(await signals["string_scalar"].get_value(), str)


async def test_read_all_reads_every_attribute_in_one_call(tango_server: TangoServer):
    device = await connect_tango_device(tango_server.device("types"), 5)
    readings = await device.read_all()
    assert set(readings) == set(device.signals)
    assert readings["Status"]["value"].startswith("The device is in")
    assert readings["ushort_image"]["value"].shape == (3, 4)
