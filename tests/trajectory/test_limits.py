"""VMAX, VMAX/ACCL and the soft limits hold on the whole curve, or the spec is
refused up front naming the axis, the frame, the value and the limit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanspec.specs import Concat, Fly, Line, Spec

from ophyd_blueprint.logic.trajectory import (
    AxisLimits,
    PvtPlanner,
    TrajectoryError,
    UserProgram,
)

from .pvt import curve, joined

TOLERANCE = 1e-6


def within(spec: Spec[str], limits: dict[str, AxisLimits], **kwargs: Any) -> None:
    """Plan the whole of `spec` and check every segment against `limits`."""
    planner = PvtPlanner(spec, limits, **kwargs)
    points = joined(planner, planner)
    assert np.all(points.seconds[1:] > 0)
    gap = (points.user[1:] == UserProgram.GAP) | (points.user[:-1] == UserProgram.GAP)
    assert np.all(points.seconds[1:][gap] >= 0.002 - 1e-12)
    for axis, limit in limits.items():
        c = curve(points, axis)
        assert c.speed.max() <= limit.max_velocity * (1 + TOLERANCE)
        assert c.acceleration.max() <= limit.acceleration * (1 + TOLERANCE)
        if limit.bounded:
            assert c.low.min() >= limit.low - TOLERANCE
            assert c.high.max() <= limit.high + TOLERANCE


@st.composite
def specs(draw: st.DrawFn) -> Spec[str]:
    """2D fly scans: grids (snaked or not, the slow axis maybe not moving),
    diagonals, and concatenations with a gap."""
    ny, nx = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    y0, y1, x0, x1 = (draw(st.floats(-5, 5)) for _ in range(4))
    duration = draw(st.floats(0.005, 0.5))
    inner = Line("x", x0, x1, nx)
    kind = draw(st.sampled_from(["snake", "raster", "diagonal", "concat"]))
    if kind == "diagonal":
        path: Spec[str] = Line("y", y0, y1, nx).zip(inner)
    elif kind == "concat":
        second = Line("y", y1, y0, ny).zip(Line("x", x1, x0, ny))
        path = Concat(Line("y", y0, y1, nx).zip(inner), second, gap=True)
    else:
        path = Line("y", y0, y1, ny) * (~inner if kind == "snake" else inner)
    return Fly(duration @ path)


def fitting_limits(
    draw: st.DrawFn, spec: Spec[str], room: float
) -> dict[str, AxisLimits]:
    """Limits `room` times the reach of a ramp at VMAX beyond the frames."""
    frames = spec.frames()
    assert frames.duration is not None
    limits = {}
    for axis in ("x", "y"):
        speed = (
            np.abs(frames.upper[axis] - frames.lower[axis]) / frames.duration
        ).max()
        vmax = max(speed, 1e-3) * draw(st.floats(1, 5))
        accl = draw(st.floats(0.01, 1))
        reach = room * (vmax * accl / 2 + vmax * 0.002)
        lows = np.minimum(frames.lower[axis], frames.upper[axis])
        highs = np.maximum(frames.lower[axis], frames.upper[axis])
        limits[axis] = AxisLimits(lows.min() - reach, highs.max() + reach, vmax, accl)
    return limits


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.integers(1, 30), st.data())
def test_every_segment_of_the_curve_stays_within_the_limits(
    spec: Spec[str], slice_frames: int, data: st.DataObject
) -> None:
    limits = fitting_limits(data.draw, spec, room=1)
    within(spec, limits, slice_frames=slice_frames)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.floats(0, 1), st.data())
def test_a_spec_is_refused_up_front_or_planned_within_the_limits(
    spec: Spec[str], room: float, data: st.DataObject
) -> None:
    limits = fitting_limits(data.draw, spec, room)
    refusal: TrajectoryError | None = None
    try:
        PvtPlanner(spec, limits)
    except TrajectoryError as error:
        refusal = error
    if refusal is None:
        within(spec, limits)
    else:  # the frames fit: only a ramp around one can be beyond
        assert refusal.what == "position"
        assert refusal.ramp


def test_a_slow_axis_that_does_not_move_still_gets_a_turnaround() -> None:
    # scanspec sees no gap: row 2 starts where row 1 ends; x must reverse.
    spec = Fly(0.1 @ (Line("y", 0, 0, 2) * ~Line("x", 0, 1, 5)))
    assert not spec.frames().gap[1:].any()
    limits = {"x": AxisLimits(-1, 2, 10, 0.1), "y": AxisLimits(-1, 1, 1, 0.1)}
    within(spec, limits)
    planner = PvtPlanner(spec, limits)
    points = joined(planner, planner)
    gap = points.user == UserProgram.GAP
    # x brakes beyond the end of row 1 (1.125) before coming back along row 2
    assert points.positions["x"][gap].max() > 1.125


def test_a_concat_gap_moving_forwards_stays_within_the_limits() -> None:
    spec = Fly(
        0.1
        @ Concat(Line("x", 0, 1, 5), Line("x", 3, 4, 5), gap=True).zip(
            Line("y", 0, 1, 10)
        )
    )
    within(spec, {"x": AxisLimits(-2, 6, 20, 0.2), "y": AxisLimits(0, 0, 2, 0.5)})


def test_a_position_beyond_the_high_limit_names_axis_frame_value_and_limit() -> None:
    spec = Fly(0.1 @ (Line("y", 0, 1, 3) * ~Line("x", 0, 20, 5)))
    limits = {
        "x": AxisLimits(-10, 20, 100, 0.01),
        "y": AxisLimits(0, 0, 10, 0.1),
    }
    with pytest.raises(TrajectoryError) as info:
        PvtPlanner(spec, limits)
    error = info.value
    # x's last frame of the first row reaches 22.5 at its upper bound.
    assert (error.axis, error.frame, error.value, error.limit, error.what) == (
        "x",
        4,
        22.5,
        20,
        "position",
    )
    assert not error.ramp
    assert str(error) == "x: frame 4 needs position 22.5, beyond the high limit 20"


def test_a_position_beyond_the_low_limit_on_a_slow_axis() -> None:
    spec = Fly(0.1 @ (Line("y", 0, -3, 4) * ~Line("x", 0, 1, 5)))
    limits = {"x": AxisLimits(-1, 2, 10, 0.1), "y": AxisLimits(-2.5, 1, 10, 0.1)}
    with pytest.raises(
        TrajectoryError, match="^y: frame 15 needs position -3,"
    ) as info:
        PvtPlanner(spec, limits)
    assert (info.value.frame, info.value.limit) == (15, -2.5)
    assert str(info.value).endswith("beyond the low limit -2.5")


def test_a_turnaround_beyond_the_limit_is_refused_though_the_frames_fit() -> None:
    # Rows end at 1.05 at 1 unit/s; braking at 10 units/s^2 less the planning
    # margin takes 51 quanta of 2 ms: 0.051 units.
    spec = Fly(0.1 @ (Line("y", 0, 1, 3) * ~Line("x", 0.1, 1, 10)))
    fits = {"x": AxisLimits(-0.1, 1.11, 2, 0.2), "y": AxisLimits(0, 0, 1, 0.1)}
    within(spec, fits)
    tight = {**fits, "x": AxisLimits(-0.1, 1.08, 2, 0.2)}
    with pytest.raises(TrajectoryError) as info:
        PvtPlanner(spec, tight)
    error = info.value
    assert (error.axis, error.frame, error.limit, error.ramp) == ("x", 9, 1.08, True)
    assert error.value == pytest.approx(1.101)
    assert "to ramp around it" in str(error)


def test_a_frame_faster_than_vmax_is_refused() -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, 3) * ~Line("x", 0, 10, 11)))
    limits = {"x": AxisLimits(0, 0, 50, 0.1), "y": AxisLimits(0, 0, 1, 0.1)}
    with pytest.raises(TrajectoryError) as info:
        PvtPlanner(spec, limits)
    error = info.value
    assert (error.axis, error.frame, error.value, error.limit) == ("x", 0, 100, 50)
    assert error.what == "velocity"
    assert str(error) == (
        "x: frame 0 needs velocity 100, beyond the max velocity (VMAX) 50; "
        "frames of 0.02 s or longer (not 0.01 s) keep x within it"
    )
    PvtPlanner(Fly(0.02 @ (Line("y", 0, 1, 3) * ~Line("x", 0, 10, 11))), limits)


def test_the_frames_a_too_fast_path_needs_are_enough_and_rounded_up() -> None:
    spec = Fly(0.003 @ (Line("y", 0, 1, 2) * ~Line("x", 0, 10, 8)))
    limits = {"x": AxisLimits(0, 0, 333, 0.1), "y": AxisLimits(0, 0, 1, 0.1)}
    with pytest.raises(TrajectoryError) as info:
        PvtPlanner(spec, limits)
    error = info.value
    assert (error.duration, error.slower) == (0.003, pytest.approx(10 / 7 / 0.999))
    assert str(error).endswith(
        "; frames of 0.0043 s or longer (not 0.003 s) keep x within it"
    )
    # 10/7 a frame at 333 per s needs 0.0042900...: 0.00429 is a hair short
    line = ~Line("x", 0, 10, 8)
    with pytest.raises(TrajectoryError, match="max velocity"):
        PvtPlanner(Fly(0.00429 @ (Line("y", 0, 1, 2) * line)), limits)
    PvtPlanner(Fly(0.0043 @ (Line("y", 0, 1, 2) * line)), limits)


def test_frames_of_different_durations_are_told_how_many_times_longer() -> None:
    def path(short: float) -> Spec[str]:
        return Fly(Concat(short @ Line("x", 0, 1, 3), 2 * short @ Line("x", 1.5, 4, 3)))

    limits = {"x": AxisLimits(0, 0, 30, 0.1)}
    with pytest.raises(TrajectoryError) as info:
        PvtPlanner(path(0.01), limits)
    assert info.value.duration is None
    # the fastest frame is of the second line: 1.25 in 0.02 s, 62.5 for 30
    assert str(info.value).endswith("; frames 2.09 times as long keep x within it")
    PvtPlanner(path(0.0209), limits)


def test_velocity_is_checked_on_the_reversed_rows_of_a_snake_too() -> None:
    # Only the last frame is too fast; it is reached backwards on row 2.
    spec = Fly(
        0.1 @ (Line("y", 0, 1, 2) * ~Concat(Line("x", 0, 1, 3), Line("x", 1.5, 9, 1)))
    )
    limits = {"x": AxisLimits(0, 0, 50, 0.1), "y": AxisLimits(0, 0, 1, 0.1)}
    with pytest.raises(TrajectoryError, match="max velocity") as info:
        PvtPlanner(spec, limits)
    assert info.value.frame == 3
    assert info.value.value == pytest.approx(-75.0) or info.value.value == 75.0


def test_limits_both_zero_mean_none() -> None:
    spec = Fly(0.1 @ Line("x", -1e6, 1e6, 3))
    within(spec, {"x": AxisLimits(0, 0, 1e7, 1)})


class Motor:
    """A stand-in for a beamline's motor device: hashable, with a name."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_errors_name_axes_by_their_name_attribute() -> None:
    x = Motor("bl.x")
    spec = Fly(0.1 @ Line(x, 0, 1, 3))
    with pytest.raises(TrajectoryError, match=r"^bl\.x: frame 0 needs position -0.25,"):
        PvtPlanner(spec, {x: AxisLimits(0, 1, 10, 0.1)})


def test_an_axis_without_limits_or_with_zero_vmax_is_a_clear_error() -> None:
    spec = Fly(0.1 @ (Line("y", 0, 1, 2) * Line("x", 0, 1, 3)))
    with pytest.raises(ValueError, match="^x: no limits given"):
        PvtPlanner(spec, {"y": AxisLimits(0, 0, 1, 1)})
    with pytest.raises(ValueError, match=r"^y: VMAX \(0\) and ACCL \(1\) must be"):
        PvtPlanner(spec, {"y": AxisLimits(0, 0, 0, 1), "x": AxisLimits(0, 0, 1, 1)})


def test_a_spec_without_durations_is_refused() -> None:
    with pytest.raises(ValueError, match="no duration"):
        PvtPlanner(Fly(Line("x", 0, 1, 3)), {"x": AxisLimits(0, 0, 1, 1)})
