"""EpicsMotor (devices/epics/motor.yaml) on caproto's simulated motor record."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import WatcherUpdate, load_beamline, wait_for_value
from ophyd_blueprint.logic.motion import SoftLimitError

from .conftest import FakeMotorIoc
from .scan_child import scan_alive_devices

DEVICES = Path(__file__).parents[2] / "devices"

# the shipped EpicsMotor, with a short timeout margin, for the stalled axis
QUICK_MOTOR = """\
blueprint: QuickTimeoutMotor
extends: EpicsMotor
logic:
  - use: motion.Motor
    with: {timeout_margin: 0.3}
    bind: {setpoint: setpoint, readback: readback, done: done_moving, stop: stop,
           velocity: velocity, acceleration: acceleration,
           high_limit: high_limit, low_limit: low_limit, units: units}
"""


def beamline_file(tmp_path: Path, ioc: FakeMotorIoc) -> Path:
    (tmp_path / "quick_motor.yaml").write_text(QUICK_MOTOR)
    path = tmp_path / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: motors
            blueprints: [{DEVICES}, {tmp_path}]
            defaults: {{protocol: ca, timeout: 5.0}}
            devices:
              m1: {{blueprint: EpicsMotor, with: {{prefix: "{ioc.pv("M1")}"}}}}
              stalled:
                blueprint: QuickTimeoutMotor
                with: {{prefix: "{ioc.pv("STALLED")}"}}
            """
        )
    )
    return path


@pytest.fixture(scope="module")
async def motors(
    fake_motor_ioc: FakeMotorIoc, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    bl = load_beamline(beamline_file(tmp_path_factory.mktemp("bl"), fake_motor_ioc))
    await bl.connect(strict=True)
    return bl


async def test_epics_motor_fields_have_the_types_its_blueprint_declares(
    motors: Any,
):
    m1 = motors.m1
    described = await m1.describe()
    assert described["m1-readback"]["dtype"] == "number"
    assert await m1.done_moving.get_value() is True
    assert await m1.moving.get_value() is False
    assert await m1.units.get_value() == "mm"
    assert await m1.velocity.get_value() == 2.0
    assert (await m1.low_limit.get_value(), await m1.high_limit.get_value()) == (
        -10.0,
        20.0,
    )


async def test_move_reports_progress_from_the_readback_until_done(motors: Any):
    m1 = motors.m1
    start = await m1.readback.get_value()
    target = start + 1.0
    updates: list[WatcherUpdate[float]] = []
    status = m1.set(target)
    status.watch(lambda **kw: updates.append(WatcherUpdate(**kw)))
    await status.wait(timeout=10)

    assert status.success
    currents = [u.current for u in updates]
    assert len(currents) >= 4  # 0.5 s of motion at 20 Hz
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(currents))
    assert start < currents[1] < target
    assert currents[-1] == pytest.approx(target)
    assert {u.target for u in updates} == {target}
    assert {u.unit for u in updates} == {"mm"}
    assert updates[-1].fraction == pytest.approx(1.0)
    assert await m1.readback.get_value() == pytest.approx(target)
    assert await m1.done_moving.get_value() is True


async def test_locate_gives_setpoint_and_readback(motors: Any):
    m1 = motors.m1
    await m1.set(2.5).wait(timeout=10)
    location = await m1.locate()
    assert location["setpoint"] == pytest.approx(2.5)
    assert location["readback"] == pytest.approx(2.5)


async def test_move_outside_soft_limits_is_refused_before_the_axis_moves(
    motors: Any,
):
    m1 = motors.m1
    before = await m1.setpoint.get_value()
    status = m1.set(25.0)
    with pytest.raises(
        SoftLimitError, match=r"outside the soft limits \[-10.0, 20.0\]"
    ):
        await status.wait(timeout=5)
    assert await m1.setpoint.get_value() == before
    assert await m1.moving.get_value() is False


async def test_cancelling_a_move_stops_the_motor_short_of_its_target(motors: Any):
    m1 = motors.m1
    start = await m1.readback.get_value()
    target = start + 5.0  # 2.5 s at 2 mm/s
    status = m1.set(target)
    await wait_for_value(m1.readback, lambda v: v > start + 0.3, timeout=5)
    status.cancel()
    await wait_for_value(m1.done_moving, True, timeout=5)

    stopped_at = await m1.readback.get_value()
    assert start + 0.3 < stopped_at < target - 1.0
    assert status.done
    assert not status.success
    assert await m1.moving.get_value() is False
    # the record takes the stopped position as its setpoint: it stays put
    assert await m1.setpoint.get_value() == pytest.approx(stopped_at)


@pytest.mark.parametrize("distance", [2.0, 10.0])
async def test_move_times_out_after_distance_over_velocity_plus_margin(
    motors: Any, distance: float
):
    stalled = motors.stalled
    await stalled.velocity.set(10.0)
    await stalled.acceleration.set(0.0)
    expected = distance / 10.0 + 0.3
    began = time.monotonic()
    status = stalled.set(distance)
    with pytest.raises(asyncio.TimeoutError):
        await status.wait(timeout=10)
    assert time.monotonic() - began == pytest.approx(expected, abs=0.25)


def test_bluesky_scan_moves_the_motor_record(
    fake_motor_ioc: FakeMotorIoc, tmp_path: Path
):
    # the RunEngine's loop and CA channels live in a process of their own, as
    # in a beamline session, so they do not outlive it here
    path = beamline_file(tmp_path, fake_motor_ioc)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        job = pool.submit(scan_alive_devices, path, "m1", [])
        connected, events = job.result(timeout=60)
    assert connected == ["m1", "stalled"]
    assert [e["m1-readback"] for e in events] == pytest.approx([0.0, 0.5, 1.0])
