"""The simulated PMAC IOC through the shipped ``Pmac`` and ``PmacMotor`` blueprints.

Trajectories are built, run in real time (the motors follow them), appended
to while running and aborted; what ran is read back from the IOC's ``Sim:``
records and checked against the points written.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint import signal_r, wait_for_value
from ophyd_blueprint.logic.motion import SoftLimitError
from ophyd_blueprint.testing.sim_ioc import SimPmacIoc
from ophyd_blueprint.testing.sim_pmac import CS_AXES

from .conftest import BUFFER_LENGTH
from .pvt import append, assert_ran, build, executed, lines, move_to, write

X, Y = CS_AXES.index("X") + 1, CS_AXES.index("Y") + 1  # 7 and 8


async def test_the_shipped_blueprints_connect_and_read_the_cs_assignment(
    beamline: Any,
):
    bl = beamline
    assert await bl.x.cs_axis.get_value() == "X"
    assert await bl.y.cs_axis.get_value() == "Y"
    assert await bl.x.cs_port.get_value() == "CS1"
    assert await bl.x.cs_number.get_value() == 1.0
    assert await bl.x.max_velocity.get_value() == 5.0
    assert await bl.y.units.get_value() == "deg"
    assert (await bl.y.low_limit.get_value(), await bl.y.high_limit.get_value()) == (
        -5.0,
        5.0,
    )
    assert await bl.pmac.cs.port.get_value() == "CS1"
    assert await bl.pmac.cs_name.get_value() == "CS1"
    assert await bl.pmac.cs.defer_moves.get_value() is False
    assert await bl.pmac.execute_state.get_value() == "Done"
    config = await bl.x.read_configuration()
    assert config["x-cs_axis"]["value"] == "X"


async def test_a_motor_record_put_completes_when_the_move_is_done(beamline: Any):
    bl = beamline
    await bl.x.set(0.0)
    started = time.monotonic()

    await bl.x.setpoint.set(2.0, wait=True)

    took = time.monotonic() - started
    assert await bl.x.readback.get_value() == 2.0
    assert await bl.x.done_moving.get_value() is True
    assert took >= 2.0 / 4.0, "2 mm at 4 mm/s"


async def test_a_move_beyond_a_soft_limit_is_refused_by_the_record(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl = beamline
    await bl.x.set(1.0)
    lvio = signal_r(int, f"ca://{sim_pmac.motor(1)}.LVIO")
    await lvio.connect(timeout=5)

    await bl.x.setpoint.set(25.0, wait=True)

    assert await lvio.get_value() == 1
    assert await bl.x.setpoint.get_value() == 1.0, "VAL goes back to the last move"
    assert await bl.x.readback.get_value() == 1.0
    with pytest.raises(SoftLimitError):
        await bl.x.set(25.0)


async def test_a_trajectory_runs_in_real_time_and_the_motors_follow_it(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl, pmac = beamline, beamline.pmac
    await move_to(bl, 0.0, 0.0)
    points = lines(10, 0.1, x=(0.0, 0.2), y=(0.0, -0.1))
    assert await build(pmac, points) == ("Success", "Profile built")
    assert await pmac.total_points.get_value() == 0
    counted: list[int] = []
    xs: list[float] = []
    moving: list[bool] = []
    pmac.total_points.subscribe_value(counted.append)
    bl.x.readback.subscribe_value(xs.append)
    bl.y.done_moving.subscribe_value(moving.append)
    started = time.monotonic()

    await pmac.execute.set(True, timeout=5)

    took = time.monotonic() - started
    for signal, listener in (
        (pmac.total_points, counted.append),
        (bl.x.readback, xs.append),
        (bl.y.done_moving, moving.append),
    ):
        signal.clear_sub(listener)
    assert 1.0 <= took < 2.0, "ten points of 0.1 s, in real time"
    assert await pmac.execute_status.get_value() == "Success"
    assert await pmac.execute_message.get_value() == "Trajectory scan complete"
    assert await pmac.execute_state.get_value() == "Done"
    assert await pmac.total_points.get_value() == 10
    assert counted == sorted(counted)
    assert len(set(counted)) >= 8, "counted as they are reached"
    assert len(xs) > 30, "the readback follows the run (100 updates a second)"
    assert np.all(np.diff(xs) > 0), "X moves one way along its line"
    assert await bl.x.readback.get_value() == 2.0
    assert await bl.y.readback.get_value() == pytest.approx(-1.0)
    assert moving[0] is True
    assert False in moving, "DMOV went 0 while running"
    assert await bl.y.done_moving.get_value() is True
    assert await bl.x.setpoint.get_value() == 2.0, "VAL follows the run's end"
    assert_ran(await executed(sim_pmac), points)


async def test_points_appended_while_running_run_too(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl, pmac = beamline, beamline.pmac
    await move_to(bl, 0.0, 0.0)
    first = lines(10, 0.15, x=(0.0, 0.1), y=(0.0, 0.05))
    more = lines(10, 0.15, x=(1.0, 0.1), y=(0.5, 0.05))
    assert (await build(pmac, first))[0] == "Success"
    running = pmac.execute.set(True, timeout=10)
    # the first two half buffers (10 points) are loaded; the third is filled
    # when the run passes into the second, before point 4 is reached
    await wait_for_value(pmac.execute_state, "Executing", timeout=5)
    assert await pmac.total_points.get_value() < BUFFER_LENGTH - 1

    assert await append(pmac, more) == (
        "Success",
        "Appended 10 points to the trajectory",
    )

    await running
    assert await pmac.execute_status.get_value() == "Success"
    assert await pmac.total_points.get_value() == 20
    assert await bl.x.readback.get_value() == pytest.approx(2.0)
    assert_ran(await executed(sim_pmac), first + more)


async def test_points_appended_too_late_do_not_run_and_the_run_fails(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl, pmac = beamline, beamline.pmac
    await move_to(bl, 0.0, 0.0)
    first = lines(10, 0.15, x=(0.0, 0.1), y=(0.0, 0.0))
    assert (await build(pmac, first))[0] == "Success"
    running = pmac.execute.set(True, timeout=10)
    # past point 4 the controller knows that point 9 ends the run
    await wait_for_value(pmac.total_points, lambda n: n >= BUFFER_LENGTH, timeout=5)

    assert (await append(pmac, lines(5, 0.15, x=(1.0, 0.1), y=(0.0, 0.0))))[
        0
    ] == "Success"

    await running
    assert await pmac.execute_status.get_value() == "Failure"
    assert await pmac.execute_message.get_value() == (
        "Scan failed, unable to fill buffers in time (10/15)"
    )
    assert_ran(await executed(sim_pmac), first)
    assert await append(pmac, first) == (
        "Failure",
        "Cannot append points, is the scan built?",
    )


async def test_abort_stops_the_motors_where_they_are(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl, pmac = beamline, beamline.pmac
    await move_to(bl, 0.0, 0.0)
    points = lines(10, 0.3, x=(0.0, 0.5), y=(0.0, 0.1))
    assert (await build(pmac, points))[0] == "Success"
    running = pmac.execute.set(True, timeout=10)
    await wait_for_value(pmac.total_points, lambda n: n >= 2, timeout=5)

    await pmac.abort.trigger()

    await asyncio.wait_for(running, timeout=1)
    assert await pmac.execute_status.get_value() == "Abort"
    assert await pmac.execute_message.get_value() == "Trajectory scan aborted"
    assert await pmac.execute_state.get_value() == "Done"
    ran = await pmac.total_points.get_value()
    assert 2 <= ran < 10
    x = await bl.x.readback.get_value()
    assert 0.5 * ran <= x < 0.5 * (ran + 1), "stopped on its way to the next point"
    assert await bl.x.done_moving.get_value() is True
    assert await bl.x.setpoint.get_value() == x
    assert len(await executed(sim_pmac)) == ran


async def test_stopping_a_motor_of_the_run_ends_it_with_failure(
    beamline: Any, sim_pmac: SimPmacIoc
):
    bl, pmac = beamline, beamline.pmac
    await move_to(bl, 0.0, 0.0)
    assert (await build(pmac, lines(10, 0.3, x=(0.0, 0.5), y=(0.0, 0.1))))[0] == (
        "Success"
    )
    running = pmac.execute.set(True, timeout=10)
    await wait_for_value(pmac.total_points, lambda n: n >= 1, timeout=5)

    await bl.y.stop()

    await asyncio.wait_for(running, timeout=1)
    assert await pmac.execute_status.get_value() == "Failure"
    assert await pmac.execute_message.get_value() == (
        f"Scan failed: {sim_pmac.motor(2)} stopped"
    )
    assert await bl.x.done_moving.get_value() is True
    assert await pmac.total_points.get_value() < 10


async def test_a_point_beyond_a_soft_limit_fails_the_build_with_its_message(
    beamline: Any, sim_pmac: SimPmacIoc
):
    pmac = beamline.pmac
    points = lines(10, 0.1, x=(0.0, 2.5), y=(0.0, 0.0))  # 25 at point 9

    status, message = await build(pmac, points)

    assert status == "Failure"
    assert message == (
        f"point 8 of axis X ({sim_pmac.motor(1)}): position 22.5 is beyond the "
        "high limit 20"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p.velocities["Y"].__setitem__(3, -3.5),
            "point 3 of axis Y ({y}): velocity -3.5 is beyond VMAX 3",
        ),
        (
            lambda p: p.durations.__setitem__(5, 0.0),
            "point 5: time 0 microseconds is not between 1 and 16777215",
        ),
    ],
)
async def test_a_build_names_the_point_that_is_wrong(
    beamline: Any, sim_pmac: SimPmacIoc, change: Any, message: str
):
    points = lines(10, 0.1, x=(0.0, 0.1), y=(0.0, 0.1))
    change(points)

    status, said = await build(beamline.pmac, points)

    assert (status, said) == ("Failure", message.format(y=sim_pmac.motor(2)))


async def test_short_arrays_fail_the_build_and_a_failed_build_does_not_run(
    beamline: Any,
):
    pmac = beamline.pmac
    await write(pmac, lines(10, 0.1, x=(0.0, 0.1), y=(0.0, 0.1)))
    await pmac.axes[Y].velocities.set(np.zeros(6))

    await pmac.build.trigger()

    assert await pmac.build_status.get_value() == "Failure"
    assert await pmac.build_message.get_value() == (
        "Y:Velocities has 6 points, fewer than the 10 to build"
    )
    await pmac.execute.set(True, timeout=2)
    assert await pmac.execute_status.get_value() == "Failure"
    assert await pmac.execute_message.get_value() == (
        "Trajectory profile was not built successfully"
    )


async def test_deferred_direct_demands_post_at_once_and_move_together(
    beamline: Any,
):
    bl, cs = beamline, beamline.pmac.cs
    await move_to(bl, 0.0, 0.0)
    arrivals: dict[str, float] = {}
    departures: dict[str, float] = {}

    def watch(name: str) -> Any:
        def on_reading(readings: dict[str, Any]) -> None:
            [reading] = readings.values()
            if reading["value"] != 0.0:
                departures.setdefault(name, reading["timestamp"])
            arrivals[name] = reading["timestamp"]

        return on_reading

    watchers = {"x": watch("x"), "y": watch("y")}
    for name, watcher in watchers.items():
        getattr(bl, name).readback.subscribe(watcher)
    await cs.defer_moves.set(True)

    moves = [
        cs.motors[X].direct_demand.set(3.0, timeout=5),
        cs.motors[Y].direct_demand.set(-1.0, timeout=5),
    ]
    await wait_for_value(cs.motors[X].direct_demand, 3.0, timeout=1)
    await wait_for_value(cs.motors[Y].direct_demand, -1.0, timeout=1)
    assert not any(move.done for move in moves), "deferred: nothing moves yet"
    assert await bl.x.done_moving.get_value() is True
    assert await bl.x.readback.get_value() == 0.0

    await cs.defer_moves.set(False)
    await asyncio.gather(*moves)

    for name, watcher in watchers.items():
        getattr(bl, name).readback.clear_sub(watcher)
    assert await bl.x.readback.get_value() == 3.0
    assert await bl.y.readback.get_value() == -1.0
    assert await bl.x.done_moving.get_value() is True
    assert abs(departures["x"] - departures["y"]) < 0.05, "they start together"
    assert abs(arrivals["x"] - arrivals["y"]) < 0.05, "and arrive together"
    # alone, Y would arrive after 1 deg / 2 deg/s + 0.05 s, X after 0.8 s
    assert arrivals["x"] - departures["x"] > 0.7


async def test_a_direct_demand_without_deferral_completes_when_moved(
    beamline: Any,
):
    bl, cs = beamline, beamline.pmac.cs
    await move_to(bl, 0.0, 0.0)

    await cs.motors[X].direct_demand.set(1.5, timeout=5)

    assert await bl.x.readback.get_value() == 1.5
    assert await bl.x.done_moving.get_value() is True
