"""Collection windows: every frame's lower bound, midpoint and upper bound."""

from __future__ import annotations

import numpy as np
import pytest
from scanspec.specs import Fly, Line, Spec, Spiral

from ophyd_blueprint.logic.trajectory import AxisLimits, PvtPlanner, UserProgram

from .pvt import joined

FREE = AxisLimits(low=0, high=0, max_velocity=10, acceleration_time=0.1)

SPECS = {
    "snake": Fly(0.1 @ (Line("y", 0, 1, 3) * ~Line("x", 0, 2, 5))),
    "raster": Fly(0.1 @ (Line("y", 0, 1, 3) * Line("x", 0, 2, 5))),
    "spiral": Fly(0.5 @ Spiral("x", 0, 2, 0.5, "y", 0, 2)),
    "zip": Fly(0.2 @ Line("x", 0, 1, 4).zip(Line("y", 3, 1, 4))),
}


def expected_windows(spec: Spec[str]) -> dict[str, np.ndarray]:
    """Per axis: for each frame its lower bound if a window starts there,
    then its midpoint and upper bound."""
    frames = spec.frames()
    starts = frames.gap.copy()
    starts[0] = True
    out: dict[str, np.ndarray] = {}
    for axis in spec.axes():
        points: list[float] = []
        for i in range(len(frames)):
            if starts[i]:
                points.append(frames.lower[axis][i])
            points += [frames.midpoints[axis][i], frames.upper[axis][i]]
        out[axis] = np.array(points)
    return out


@pytest.mark.parametrize("name", SPECS)
def test_windows_pass_each_frames_lower_mid_and_upper(name: str) -> None:
    spec = SPECS[name]
    planner = PvtPlanner(spec, dict.fromkeys(spec.axes(), FREE))
    points = joined(planner, planner)
    in_window = points.user == UserProgram.WINDOW
    for axis, expected in expected_windows(spec).items():
        assert points.positions[axis][in_window] == pytest.approx(expected)


@pytest.mark.parametrize("name", SPECS)
def test_midpoints_move_at_the_frame_velocity_half_a_frame_apart(name: str) -> None:
    spec = SPECS[name]
    frames = spec.frames()
    planner = PvtPlanner(spec, dict.fromkeys(spec.axes(), FREE))
    points = joined(planner, planner)
    duration = frames.duration
    assert duration is not None
    # The midpoint is the window point reached half a frame after a bound.
    window = np.flatnonzero(points.user == UserProgram.WINDOW)
    starts = frames.gap.copy()
    starts[0] = True
    # Index of each frame's midpoint among the window points.
    mid_rank = np.arange(len(frames)) * 2 + np.cumsum(starts)
    mids = window[mid_rank]
    assert points.seconds[mids] == pytest.approx(duration / 2)
    assert points.seconds[mids + 1] == pytest.approx(duration / 2)
    for axis in spec.axes():
        velocity = (frames.upper[axis] - frames.lower[axis]) / duration
        assert points.velocities[axis][mids] == pytest.approx(velocity)


def test_user_array_marks_windows_gaps_and_only_the_last_point_as_end() -> None:
    spec = SPECS["snake"]
    planner = PvtPlanner(spec, dict.fromkeys(spec.axes(), FREE))
    (only,) = list(planner)
    assert only.last
    assert only.user.dtype == np.int32
    assert only.user[-1] == UserProgram.END
    assert set(only.user[:-1].tolist()) == {UserProgram.WINDOW, UserProgram.GAP}
    # Three rows of five frames: 11 window points each, gaps between them.
    runs = np.split(only.user[:-1], np.flatnonzero(np.diff(only.user[:-1])) + 1)
    windows = [len(r) for r in runs if r[0] == UserProgram.WINDOW]
    assert windows == [11, 11, 11]
    # The final point is at rest, beyond the last upper bound (x runs forwards
    # on the third row).
    assert only.velocities["x"][-1] == 0
    assert only.velocities["y"][-1] == 0
    assert only.positions["x"][-1] > only.positions["x"][-2] == 2.25


def test_snake_turns_around_between_rows() -> None:
    spec = SPECS["snake"]
    planner = PvtPlanner(spec, dict.fromkeys(spec.axes(), FREE))
    points = joined(planner, planner)
    gap = points.user == UserProgram.GAP
    x, vx, y = points.positions["x"], points.velocities["x"], points.positions["y"]
    window = points.user == UserProgram.WINDOW
    # x runs forwards, backwards, forwards; y steps only in the gaps
    assert np.sign(vx[window][:11]).tolist() == [1] * 11
    assert np.sign(vx[window][11:22]).tolist() == [-1] * 11
    assert np.sign(vx[window][22:]).tolist() == [1] * 11
    assert sorted(set(y[window])) == [0, 0.5, 1]
    # at the turnarounds x overshoots its row's end and comes back
    first_turn = np.flatnonzero(gap)[: np.argmax(np.diff(np.flatnonzero(gap)) > 1) + 1]
    assert x[first_turn].max() > 2.25
    assert np.all(x[first_turn] >= 2.25)


def test_start_positions_ramp_up_from_rest_into_the_first_frame() -> None:
    spec = Fly(0.1 @ (Line("y", 0, 1, 3) * Line("x", 0, 1, 5)))
    planner = PvtPlanner(spec, dict.fromkeys(spec.axes(), FREE))
    start = planner.start_positions()
    # x enters its first frame (lower bound -0.125) at 2.5 units/s; at 100
    # units/s^2 that takes 25 ms, 13 quanta of 2 ms rounded up (26 ms), so it
    # starts 2.5 * 0.026 / 2 before, at rest.
    assert start["x"] == pytest.approx(-0.125 - 2.5 * 0.026 / 2)
    assert start["y"] == 0
    first = next(iter(planner))
    assert first.time_us[0] == pytest.approx(26_000)
    assert first.positions["x"][0] == pytest.approx(-0.125)
    assert first.velocities["x"][0] == pytest.approx(2.5)
