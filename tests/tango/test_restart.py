"""The server is killed and restarted on the same port: signals carry on alone,
and monitors end on the server's change events, not on client polling."""

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from bluesky.protocols import Reading

from ophyd_blueprint.core import DISCONNECTED, signal_r, signal_rw
from ophyd_blueprint.testing.tango_server import TangoServer

# Tango's client re-subscribes lost events every 10 s: allow two rounds.
_RESUME_TIMEOUT = 25.0


async def _until(
    readings: list[Reading[Any]], predicate: Any, changed: asyncio.Event
) -> None:
    async with asyncio.timeout(_RESUME_TIMEOUT):
        while not any(predicate(r) for r in readings):
            changed.clear()
            await changed.wait()


async def test_events_polls_and_reads_resume_after_a_server_restart(
    restartable_tango_server: TangoServer,
):
    server = restartable_tango_server
    position = signal_rw(float, server.attribute("motor", "Position"), name="p")
    polled = signal_r(float, server.attribute("types", "double_scalar"), name="d")
    await asyncio.gather(position.connect(timeout=5), polled.connect(timeout=5))
    changed = asyncio.Event()
    events: list[Reading[Any]] = []
    polls: list[Reading[Any]] = []

    def collect(into: list[Reading[Any]]) -> Any:
        def callback(readings: dict[str, Reading[Any]]) -> None:
            into.extend(readings.values())
            changed.set()

        return callback

    on_event, on_poll = collect(events), collect(polls)
    position.subscribe(on_event)
    polled.subscribe(on_poll)
    await _until(events, lambda r: True, changed)
    await _until(polls, lambda r: True, changed)

    server.kill()
    await _until(polls, lambda r: r["alarm_severity"] == DISCONNECTED, changed)
    assert "double_scalar" in polls[-1].get("message", "")
    server.start()

    await _until(polls, lambda r: r is polls[-1] and r["alarm_severity"] == 0, changed)
    assert await position.get_value(cached=False) == 0.0
    await position.set(0.2)
    await _until(events, lambda r: r["value"] == 0.2, changed)
    assert any(r["alarm_severity"] == DISCONNECTED for r in events)
    position.clear_sub(on_event)
    polled.clear_sub(on_poll)


class _Refusals(logging.Handler):
    """Counts the monitor's failed subscriptions, as it logs them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "cannot subscribe" in record.getMessage():
            self.count += 1
            self.changed.set()

    async def wait_for_more_than(self, count: int) -> None:
        async with asyncio.timeout(_RESUME_TIMEOUT):
            while self.count <= count:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
def refusals() -> Iterator[_Refusals]:
    logger = logging.getLogger("ophyd_blueprint.transports.tango")
    handler, level = _Refusals(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_a_monitor_subscribed_while_the_server_is_down_ends_on_events(
    restartable_tango_server: TangoServer, refusals: _Refusals
):
    """Three times: kill the server, subscribe while it is down, start it again.

    Then the server sees no client read of Position while the motor moves
    (a monitor polling every 0.1 s would read it about 10 times), and the
    move arrives as change events.
    """
    server = restartable_tango_server
    position = signal_rw(float, server.attribute("motor", "Position"), name="p")
    reads = signal_r(int, server.attribute("motor", "PositionReads"), name="n")
    await asyncio.gather(position.connect(timeout=5), reads.connect(timeout=5))
    changed = asyncio.Event()
    readings: list[Reading[Any]] = []

    def collect(new: dict[str, Reading[Any]]) -> None:
        readings.extend(new.values())
        changed.set()

    for _ in range(3):
        server.kill()
        position.clear_sub(collect)
        readings.clear()
        refused = refusals.count
        position.subscribe(collect)
        await refusals.wait_for_more_than(refused)  # it tried while down
        assert readings == []  # as on CA and PVA: nothing until the server is back
        server.start()
        await _until(readings, lambda r: r["alarm_severity"] == 0, changed)

    before = await reads.get_value()
    readings.clear()
    await position.set(10.0)  # 1 s at 10 mm/s, pushed every 0.02 s
    await _until(readings, lambda r: r["value"] == 10.0, changed)
    assert await reads.get_value() == before
    assert len({r["value"] for r in readings}) > 10
    assert "poll" not in position.source
    position.clear_sub(collect)
