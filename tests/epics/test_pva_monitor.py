"""PVA monitors: every update in order, isolation, disconnect and resume."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from bluesky.protocols import Reading

from ophyd_blueprint.core.backend import DISCONNECTED
from ophyd_blueprint.core.transport import signal_r, signal_rw
from ophyd_blueprint.testing.ioc import EpicsIoc

TIMEOUT = 10.0
RESUME_TIMEOUT = 35.0
"""The client finds a restarted IOC by its search back-off (up to 30 s): the
IOC's beacons go to its own port, where this process does not listen."""


@pytest.fixture(scope="module")
def restartable_ioc(
    epics_ioc: EpicsIoc, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EpicsIoc]:
    """An IOC of its own, so killing it disturbs no other test.

    It comes after `epics_ioc` so that it never takes the first port slot:
    this process's PVA client binds that slot's UDP port for beacons, and
    `kill` would wait for it to be free.
    """
    with EpicsIoc(
        db_files=(),
        records='record(ao, "$(P)V") { field(VAL, "1") }',
        log_dir=tmp_path_factory.mktemp("pva-restart"),
    ) as ioc:
        yield ioc


class Collector:
    """Gathers readings and lets a test wait for one that matches."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.readings: list[Reading[Any]] = []
        self._changed = asyncio.Event()

    def __call__(self, readings: dict[str, Reading[Any]]) -> None:
        self.readings.append(readings[self.name])
        self._changed.set()

    async def wait_for(
        self, predicate: Any, after: int = 0, timeout: float = TIMEOUT
    ) -> Reading[Any]:
        """The first reading from index `after` on that matches `predicate`."""
        async with asyncio.timeout(timeout):
            while True:
                for reading in self.readings[after:]:
                    if predicate(reading):
                        return reading
                self._changed.clear()
                await self._changed.wait()


async def test_monitor_delivers_every_update_in_order(epics_ioc: EpicsIoc):
    uri = f"pva://{epics_ioc.pv('COUNTER')}"
    writer = signal_rw(int, uri)
    reader = signal_r(int, uri, name="counter")
    await asyncio.gather(writer.connect(timeout=5), reader.connect(timeout=5))
    await writer.set(0)
    seen = Collector("counter")
    reader.subscribe(seen)
    await seen.wait_for(lambda r: r["value"] == 0)
    await asyncio.gather(*(writer.set(i, wait=False) for i in range(1, 301)))
    await seen.wait_for(lambda r: r["value"] == 300)
    values = [r["value"] for r in seen.readings]
    assert values[values.index(0) + 1 :] == list(range(1, 301))
    assert await reader.get_value() == 300  # from the monitor's cache
    reader.clear_sub(seen)


async def test_a_failing_subscriber_does_not_stop_the_others(epics_ioc: EpicsIoc):
    sig = signal_rw(float, f"pva://{epics_ioc.pv('AO')}", name="ao")
    await sig.connect(timeout=5)

    def broken(_value: object) -> None:
        raise RuntimeError("subscriber bug")

    seen = Collector("ao")
    sig.subscribe_value(broken)
    sig.subscribe(seen)
    await sig.set(4.25)
    await seen.wait_for(lambda r: r["value"] == 4.25)
    sig.clear_sub(broken)
    sig.clear_sub(seen)


async def test_disconnect_is_a_reading_and_the_monitor_resumes(
    restartable_ioc: EpicsIoc,
):
    sig = signal_rw(float, f"pva://{restartable_ioc.pv('V')}", name="v")
    await sig.connect(timeout=5)
    await sig.set(2.5)
    seen = Collector("v")
    sig.subscribe(seen)
    await seen.wait_for(lambda r: r["value"] == 2.5)

    restartable_ioc.kill()
    lost = await seen.wait_for(lambda r: r["alarm_severity"] == DISCONNECTED)
    assert lost["value"] == 2.5
    assert restartable_ioc.pv("V") in lost.get("message", "")

    restartable_ioc.start()
    back = await seen.wait_for(
        lambda r: r["alarm_severity"] != DISCONNECTED,
        after=len(seen.readings),
        timeout=RESUME_TIMEOUT,
    )
    assert back["value"] == 1.0  # the restarted IOC's initial value
    sig.clear_sub(seen)
    await sig.set(6.0)
    assert await sig.get_value() == 6.0
