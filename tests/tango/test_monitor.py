"""Monitors: change events pushed by the server, client polling when there are none."""

import asyncio
import logging
from typing import Any

import numpy as np
import pytest
from bluesky.protocols import Reading

from ophyd_blueprint.core import Array1D, signal_r, signal_rw, signal_x
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.transports.tango import DevStateEnum, tango_command
from ophyd_blueprint.transports.tango.monitor import event_forwarder


class Readings:
    """Collects readings and lets a test wait for one that matches."""

    def __init__(self) -> None:
        self.items: list[Reading[Any]] = []
        self._changed = asyncio.Event()

    def __call__(self, readings: dict[str, Reading[Any]]) -> None:
        self.items.extend(readings.values())
        self._changed.set()

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Reading[Any]:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for reading in self.items:
                        if predicate(reading):
                            return reading
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            values = [reading["value"] for reading in self.items]
            raise AssertionError(f"none matched within {timeout} s: {values}") from None


async def test_pushed_change_events_arrive_in_order_after_the_current_value(
    tango_server: TangoServer,
):
    counter = signal_r(int, tango_server.attribute("types", "counter"), name="c")
    burst = tango_command(
        Array1D[np.int64], int, tango_server.attribute("types", "Burst")
    )
    await counter.connect(timeout=5)
    await burst.connect(timeout=5)
    readings = Readings()
    counter.subscribe(readings)
    await readings.wait_for(lambda r: True)
    assert len(readings.items) == 1  # the current value, first
    # ZeroMQ's subscription reaches the server a moment after subscribe_event
    # returns (the "slow joiner"): what is pushed before is lost, by design.
    # Push single events until one arrives: from then on, none may be lost.
    for probe in range(500, 600):
        await burst(np.array([probe, 1], dtype=np.int64))
        try:
            await readings.wait_for(lambda r, p=probe: r["value"] == p, timeout=0.2)
        except AssertionError:
            continue
        break
    else:
        raise AssertionError("no pushed event arrived after 100 probes")
    live = len(readings.items)
    assert await burst(np.array([1000, 50], dtype=np.int64)) == 50
    await readings.wait_for(lambda r: r["value"] == 1049)
    values = [r["value"] for r in readings.items[live:]]
    assert values == list(range(1000, 1050))
    assert "poll" not in counter.source
    counter.clear_sub(readings)


async def test_moving_motor_streams_position_and_state(tango_server: TangoServer):
    position = signal_rw(float, tango_server.attribute("motor", "Position"), name="p")
    state = signal_r(DevStateEnum, tango_server.attribute("motor", "State"), name="s")
    await asyncio.gather(position.connect(timeout=5), state.connect(timeout=5))
    positions, states = Readings(), Readings()
    position.subscribe(positions)
    state.subscribe(states)
    await position.set(0.5)
    await states.wait_for(lambda r: r["value"] is DevStateEnum.MOVING)
    await positions.wait_for(lambda r: r["value"] == 0.5)
    await states.wait_for(lambda r: r["value"] is DevStateEnum.ON)
    assert len(positions.items) > 2
    position.clear_sub(positions)
    state.clear_sub(states)


async def test_stop_command_stops_a_moving_motor(tango_server: TangoServer):
    position = signal_rw(float, tango_server.attribute("motor2", "Position"))
    state = signal_r(DevStateEnum, tango_server.attribute("motor2", "State"))
    stop = signal_x(tango_server.attribute("motor2", "Stop"))
    await asyncio.gather(*(s.connect(timeout=5) for s in (position, state, stop)))
    await position.set(1000.0)
    assert await state.get_value() is DevStateEnum.MOVING
    await stop.trigger()
    assert await state.get_value() is DevStateEnum.ON
    assert await position.get_value() < 1000.0


async def test_attribute_without_events_is_polled_with_a_warning_and_says_so(
    tango_server: TangoServer, caplog: pytest.LogCaptureFixture
):
    uri = tango_server.attribute("types", "ushort_scalar")
    writer = signal_rw(int, uri)
    sig = signal_r(int, uri, name="u")
    await asyncio.gather(writer.connect(timeout=5), sig.connect(timeout=5))
    readings = Readings()
    with caplog.at_level(logging.WARNING, "ophyd_blueprint.transports.tango"):
        sig.subscribe(readings)
        await readings.wait_for(lambda r: True)
    await writer.set(4242)
    await readings.wait_for(lambda r: r["value"] == 4242)
    assert sig.source == uri + "&poll=0.1s"
    assert (await sig.describe())["u"]["source"] == sig.source
    assert "sends no change events" in caplog.text
    sig.clear_sub(readings)
    assert sig.source == uri


async def test_poll_period_in_the_uri_is_used_and_the_uri_already_says_so(
    tango_server: TangoServer,
):
    uri = tango_server.attribute("types", "ulong_scalar") + "&poll=0.05"
    writer = signal_rw(int, uri)
    sig = signal_r(int, uri)
    await asyncio.gather(writer.connect(timeout=5), sig.connect(timeout=5))
    readings = Readings()
    sig.subscribe(readings)
    await readings.wait_for(lambda r: True)
    await writer.set(77)
    await readings.wait_for(lambda r: r["value"] == 77, timeout=2)
    assert sig.source == uri
    sig.clear_sub(readings)


async def test_cached_reading_is_the_last_delivered_while_monitored(
    tango_server: TangoServer,
):
    sig = signal_r(int, tango_server.attribute("types", "counter"), name="c")
    await sig.connect(timeout=5)
    readings = Readings()
    sig.subscribe(readings)
    await readings.wait_for(lambda r: True)
    assert await sig.get_reading() is readings.items[-1]
    sig.clear_sub(readings)
    assert sig.backend.cached_reading() is None


@pytest.mark.parametrize(
    ("quality", "severity", "message"),
    [
        ("VALID", 0, None),
        ("WARNING", 1, "warning"),
        ("ALARM", 2, "alarm"),
        ("INVALID", 3, "invalid"),
        ("CHANGING", 0, "changing"),
    ],
)
async def test_quality_maps_to_alarm_severity_in_reads_and_events(
    tango_server: TangoServer, quality: str, severity: int, message: str | None
):
    sig = signal_r(float, tango_server.attribute("types", "quality_scalar"), name="q")
    set_quality = tango_command(
        str, None, tango_server.attribute("types", "SetQuality")
    )
    await asyncio.gather(sig.connect(timeout=5), set_quality.connect(timeout=5))
    readings = Readings()
    sig.subscribe(readings)
    await set_quality(quality)
    event = await readings.wait_for(lambda r: r["alarm_severity"] == severity)
    read = await sig.get_reading(cached=False)
    for reading in (event, read):
        assert reading["alarm_severity"] == severity
        assert reading.get("message") == message
    sig.clear_sub(readings)
    await set_quality("VALID")


def test_an_event_after_its_loop_closed_is_dropped_without_a_traceback():
    """Tango calls back from its own thread, also after the loop has closed
    (a server lost at the end of a session): the event is dropped, not a
    RuntimeError("Event loop is closed") printed by Tango's thread."""
    handled: list[Any] = []
    event: Any = object()
    loop = asyncio.new_event_loop()
    forward = event_forwarder(loop, handled.append)
    forward(event)
    loop.run_until_complete(asyncio.sleep(0))
    assert handled == [event]
    loop.close()
    forward(event)
    assert handled == [event]
