"""Slices: they join into one path, resume from a frame, and stay small."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanspec.specs import Fly, Line

from ophyd_blueprint.logic.trajectory import AxisLimits, PvtPlanner, UserProgram

from .pvt import Points, joined

SNAKE = Fly(0.05 @ (Line("y", 0, 1, 4) * ~Line("x", 0, 2, 7)))
LIMITS = {
    "x": AxisLimits(low=-1, high=3, max_velocity=10, acceleration_time=0.1),
    "y": AxisLimits(low=-1, high=2, max_velocity=2, acceleration_time=0.2),
}


def assert_same(ours: Points, theirs: Points, start: int = 0) -> None:
    """`ours` equals `theirs` from point `start` of each on."""
    for axis in ("x", "y"):
        np.testing.assert_allclose(
            ours.positions[axis][start:], theirs.positions[axis][start:], rtol=1e-12
        )
        np.testing.assert_allclose(
            ours.velocities[axis][start:], theirs.velocities[axis][start:], atol=1e-12
        )
    np.testing.assert_allclose(ours.seconds[start:], theirs.seconds[start:], rtol=1e-12)
    np.testing.assert_array_equal(ours.user[start:], theirs.user[start:])


JOINED = {
    "snake": SNAKE,
    "raster": Fly(0.05 @ (Line("y", 0, 1, 4) * Line("x", 0, 2, 7))),
    # rows that touch: x reverses in place, the window breaks there
    "still": Fly(0.05 @ (Line("y", 0, 0, 4) * ~Line("x", 0, 2, 7))),
}


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(JOINED)), st.integers(1, 29))
def test_slices_join_into_the_same_path_as_one_slice(
    name: str, slice_frames: int
) -> None:
    spec = JOINED[name]
    whole = PvtPlanner(spec, LIMITS, slice_frames=28)
    sliced = PvtPlanner(spec, LIMITS, slice_frames=slice_frames)
    slices = list(sliced)
    assert_same(joined(sliced, slices), joined(whole, whole))
    # consecutive frame ranges, each slice ending on its last frame's upper
    # bound, only the final one last
    assert [f for s in slices for f in s.frames] == list(range(28))
    assert [s.last for s in slices] == [False] * (len(slices) - 1) + [True]
    frames = spec.frames()
    for s in slices[:-1]:
        assert s.user[-1] == UserProgram.WINDOW
        assert s.positions["x"][-1] == frames.upper["x"][s.frames[-1]]


@pytest.mark.parametrize("resume", [1, 6, 7, 15, 27])
def test_start_frame_resumes_with_a_ramp_up_into_that_frame(resume: int) -> None:
    frames = SNAKE.frames()
    v_in = 2 * (frames.midpoints["x"][resume] - frames.lower["x"][resume]) / 0.05
    resumed = PvtPlanner(SNAKE, LIMITS, slice_frames=5, start_frame=resume)
    assert next(iter(resumed)).frames.start == resume
    start = resumed.start_positions()
    assert start["y"] == frames.lower["y"][resume]
    # at rest before the lower bound, ramping up at VMAX/ACCL (100) or less
    assert start["x"] == pytest.approx(
        frames.lower["x"][resume] - v_in * abs(v_in) / 2 / 100, abs=abs(v_in) * 0.002
    )
    ours = joined(resumed, resumed)
    window = np.flatnonzero(ours.user == UserProgram.WINDOW)
    assert ours.positions["x"][window[0]] == frames.lower["x"][resume]
    assert ours.velocities["x"][window[0]] == pytest.approx(v_in)
    # from the frame's midpoint on, the same points as the whole scan's
    whole = PvtPlanner(SNAKE, LIMITS)
    theirs = joined(whole, whole)
    starts = frames.gap.copy()
    starts[0] = True
    mid = np.flatnonzero(theirs.user == UserProgram.WINDOW)[
        2 * resume + np.cumsum(starts)[resume]
    ]
    skip = len(theirs.user) - len(ours.user)
    assert_same(
        ours,
        Points(
            {a: p[skip:] for a, p in theirs.positions.items()},
            {a: v[skip:] for a, v in theirs.velocities.items()},
            theirs.seconds[skip:],
            theirs.user[skip:],
        ),
        start=mid - skip,
    )


@pytest.mark.parametrize("shape", [(2500, 4000), (100_000, 100)])
def test_a_ten_million_frame_snake_plans_slices_in_bounded_memory(
    shape: tuple[int, int],
) -> None:
    ny, nx = shape
    spec = Fly(0.001 @ (Line("y", 0, 10, ny) * ~Line("x", 0, 10, nx)))
    limits = dict.fromkeys(("x", "y"), AxisLimits(-5, 15, 200, 0.1))
    tracemalloc.start()
    try:
        planner = PvtPlanner(spec, limits)
        slices = iter(planner)
        first, second = next(slices), next(slices)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert planner.frames == 10_000_000
    assert (first.frames, second.frames) == (range(4000), range(4000, 8000))
    # One frame's bounds and midpoint for every axis would be 480 MB.
    assert peak < 8_000_000
