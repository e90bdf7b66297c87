"""PMAC trajectory planning, ours beside ophyd-async's, on the same specs.

Two 10-million-frame snakes, 2500 rows of 4000 frames and 100000 rows of 100,
planned in slices of 4000 frames as a fly scan would append them:

- prepare: from the spec to the first slice's PVT arrays ready;
- per further slice: median and worst over the following slices;
- peak memory (tracemalloc) of prepare and those slices.

Ours is `PvtPlanner`. ophyd-async's is what its `PmacTrajectoryFlyableLogic`
computes, called at the lowest level that takes arrays (no IOC, no signals):
``Path.consume``, ``calculate_ramp_position_and_duration`` and
``Trajectory.from_slice`` with the motors' figures in a ``_PmacMotorInfo``
(its motors are constructed, never connected). Its own limit checks run per
slice; ours check the whole scan in prepare. Medians over repeats; ratios
ours / ophyd-async. Run by ``make bench``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from ophyd_async.epics.motor import Motor
from ophyd_async.epics.pmac._pmac_trajectory_generation import Trajectory
from ophyd_async.epics.pmac._utils import (
    _PmacMotorInfo,
    calculate_ramp_position_and_duration,
)
from scanspec.core import Path
from scanspec.specs import Fly, Line, Spec

from ophyd_blueprint.logic.trajectory import AxisLimits, PvtPlanner

SLICE = 4000
SHAPES = [(2500, 4000), (100_000, 100)]
FRAME = 0.01  # seconds
VMAX, ACCL, LOW, HIGH = 50.0, 0.1, -100.0, 100.0


def snake(y: Any, x: Any, rows: int, columns: int) -> Spec[Any]:
    return Fly(FRAME @ (Line(y, 0, 10, rows) * ~Line(x, 0, 10, columns)))


def ours(rows: int, columns: int) -> Iterator[int]:
    """Prepare, then one further slice per step; yields points per slice."""
    spec = snake("y", "x", rows, columns)
    limits = dict.fromkeys(("x", "y"), AxisLimits(LOW, HIGH, VMAX, ACCL))
    for pvt in PvtPlanner(spec, limits, slice_frames=SLICE):
        yield len(pvt)


def theirs(rows: int, columns: int) -> Iterator[int]:
    """ophyd-async's on_prepare and appends, without the I/O."""
    x, y = Motor("BENCH:X:", name="x"), Motor("BENCH:Y:", name="y")
    spec = snake(y, x, rows, columns)
    motors = (x, y)
    info = _PmacMotorInfo(
        cs_port="CS1",
        cs_number=1,
        motor_cs_index={x: 7, y: 8},
        motor_acceleration_rate=dict.fromkeys(motors, VMAX / ACCL),
        motor_max_velocity=dict.fromkeys(motors, VMAX),
        motor_lower_limit=dict.fromkeys(motors, LOW),
        motor_upper_limit=dict.fromkeys(motors, HIGH),
    )
    path = Path(spec.calculate())
    frames = path.consume(SLICE)
    _, ramp_time = calculate_ramp_position_and_duration(frames, info, True, None)
    trajectory, exit_pvt = Trajectory.from_slice(frames, info, ramp_up_time=ramp_time)
    yield len(trajectory)
    while len(path):
        frames = path.consume(SLICE)
        trajectory, exit_pvt = Trajectory.from_slice(frames, info, exit_pvt)
        yield len(trajectory)


Planner = Callable[[int, int], Iterator[int]]


def timings(
    plan: Planner, shape: tuple[int, int], slices: int, repeats: int
) -> dict[str, float]:
    prepares: list[float] = []
    steps: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        planned = plan(*shape)
        next(planned)
        prepares.append(time.perf_counter() - start)
        for _ in range(slices):
            start = time.perf_counter()
            next(planned)
            steps.append(time.perf_counter() - start)
    return {
        "prepare": statistics.median(prepares) * 1e3,
        "slice": statistics.median(steps) * 1e3,
        "worst": max(steps) * 1e3,
        "memory": peak_mb(plan, shape, slices),
    }


def peak_mb(plan: Planner, shape: tuple[int, int], slices: int) -> float:
    tracemalloc.start()
    try:
        planned = plan(*shape)
        for _ in range(slices + 1):
            next(planned)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


ROWS = [
    ("prepare to first slice (ms)", "prepare", "{:.1f}"),
    ("per further slice, median (ms)", "slice", "{:.2f}"),
    ("per further slice, worst (ms)", "worst", "{:.2f}"),
    ("peak memory (MB)", "memory", "{:.1f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=20, help="further slices")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"\n## PMAC trajectory planning: 10-million-frame snakes, {SLICE}-frame "
        f"slices, {args.slices} further slices x {args.repeats} repeats\n"
    )
    print("| snake | figure | ours | ophyd-async | ours / ophyd-async |")
    print("|---|---|---:|---:|---:|")
    for shape in SHAPES:
        mine = timings(ours, shape, args.slices, args.repeats)
        other = timings(theirs, shape, args.slices, args.repeats)
        for label, key, fmt in ROWS:
            print(
                f"| {shape[0]}x{shape[1]} | {label} | {fmt.format(mine[key])} "
                f"| {fmt.format(other[key])} | {mine[key] / other[key]:.2f} |"
            )


if __name__ == "__main__":
    main()
