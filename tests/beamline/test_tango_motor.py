"""TangoMotor (devices/tango/tango_motor.yaml) moved by motion.Motor on a real
Tango device server."""

from __future__ import annotations

import asyncio
import itertools
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import WatcherUpdate, load_beamline, wait_for_value
from ophyd_blueprint.testing.tango_server import LOOPBACK, TangoServer

DEVICES = Path(__file__).parents[2] / "devices"


@pytest.fixture(scope="module")
async def tm(
    tango_server: TangoServer, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    path = tmp_path_factory.mktemp("tango") / "bl.yaml"
    trl = f"tango://{LOOPBACK}:{tango_server.port}/test/motor/2"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: tango
            blueprints: [{DEVICES}]
            devices:
              tm:
                blueprint: TangoMotor
                with: {{trl: "{trl}", options: "#dbase=no"}}
            """
        )
    )
    bl = load_beamline(path)
    await bl.connect(strict=True)
    return bl.tm


async def test_tango_motor_move_reports_progress_until_at_target(tm: Any):
    await tm.velocity.set(5.0)
    start = await tm.position.get_value()
    target = start + 2.0  # 0.4 s at 5 mm/s
    updates: list[WatcherUpdate[float]] = []
    status = tm.set(target)
    status.watch(lambda **kw: updates.append(WatcherUpdate(**kw)))
    await status.wait(timeout=10)

    currents = [u.current for u in updates]
    assert len(currents) >= 4
    assert all(b >= a for a, b in itertools.pairwise(currents))
    assert start < currents[1] < target
    assert currents[-1] == pytest.approx(target, abs=0.001)
    assert await tm.position.get_value() == pytest.approx(target, abs=0.001)
    location = await tm.locate()
    assert location["readback"] == pytest.approx(target, abs=0.001)


async def test_cancelling_a_tango_move_stops_the_motor(tm: Any):
    await tm.velocity.set(2.0)
    start = await tm.position.get_value()
    target = start + 5.0  # 2.5 s at 2 mm/s
    status = tm.set(target)
    await wait_for_value(tm.position, lambda v: v > start + 0.3, timeout=5)
    status.cancel()
    with pytest.raises(asyncio.CancelledError):
        await status.task

    stopped_at = await tm.position.get_value()
    assert stopped_at < target - 1.0
    # unstopped, it would reach the target well within this time
    with pytest.raises(asyncio.TimeoutError):
        await wait_for_value(tm.position, lambda v: v > stopped_at + 0.1, timeout=1.0)
