"""Collection windows: a run of frames read from the path, and where it breaks.

Inside a window the controller passes each frame's lower bound, midpoint and
upper bound, half a frame apart: the midpoint at the frame's velocity, a bound
that two frames share at the mean of the half-frame velocities either side,
and a window's first and last bound at the half-frame velocity inside it.

scanspec marks a gap wherever consecutive frames do not touch. Frames that
touch can still ask the impossible: a snake whose slow axis does not move
reverses in place (``Line(y, 0, 0, 2) * ~Line(x, 0, 1, 5)``). Where the
controller's cubic through such a join would exceed an axis's VMAX or
VMAX/ACCL, the window breaks there and a turnaround joins the two frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .trajectory_limits import SLACK, AxisLimits
from .trajectory_scanspec import Dimension, Path

__all__ = ["Frames", "limit_columns"]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def limit_columns(limits: Sequence[AxisLimits]) -> tuple[Floats, Floats]:
    """VMAX and the planning acceleration of each axis, as columns against
    (axes, n) arrays."""
    vmax = np.array([[limit.max_velocity] for limit in limits])
    accel = np.array([[limit.planning_acceleration] for limit in limits])
    return vmax, accel


class Frames:
    """Frames ``lo`` to ``hi - 1`` of the path: per axis (rows, in the order
    of `axes`) their bounds and velocities; their half-durations in seconds;
    and `starts`, whether a window starts at each (after a gap or a break)."""

    def __init__(
        self,
        stack: list[Dimension[Any]],
        lo: int,
        hi: int,
        axes: Sequence[Any],
        limits: Sequence[AxisLimits],
    ) -> None:
        frames = Path(stack, lo, hi - lo).consume()
        assert frames.duration is not None, "checked when the planner was made"
        self.half: Floats = np.asarray(frames.duration, dtype=np.float64) / 2
        self.lower = _rows(frames.lower, axes)
        self.mid = _rows(frames.midpoints, axes)
        self.upper = _rows(frames.upper, axes)
        self.v_in = (self.mid - self.lower) / self.half
        self.v_out = (self.upper - self.mid) / self.half
        self.v_frame = (self.upper - self.lower) / (2 * self.half)
        self.starts: Bools = np.asarray(frames.gap, dtype=np.bool_).copy()
        self.starts[1:] |= self._sharp_joins(*limit_columns(limits))

    def shared_bound_velocity(self) -> Floats:
        """Velocity at the bound frame ``i`` shares with ``i + 1`` (axes, n-1)."""
        return (self.v_out[:, :-1] + self.v_in[:, 1:]) / 2

    def upper_velocity(self, frames: slice, last: bool) -> Floats:
        """Velocity at the upper bound of each of `frames`: the one shared with
        the next frame, or its own half-frame's where a window ends (before a
        start, or at the `last` frame of the scan)."""
        following = slice(frames.start + 1, frames.stop + 1)
        v_out, v_in = self.v_out[:, frames], self.v_in[:, following]
        ends = self.starts[following]
        if last:  # the scan's last frame has no following frame
            ends = np.append(ends, True)
            v_in = np.concatenate([v_in, v_out[:, -1:]], axis=1)
        return np.where(ends, v_out, (v_out + v_in) / 2)

    def _sharp_joins(self, vmax: Floats, accel: Floats) -> Bools:
        """Joins of touching frames whose cubic would exceed a limit."""
        if self._smooth(vmax, accel):
            return np.zeros(len(self.half) - 1, dtype=np.bool_)
        bound = self.shared_bound_velocity()
        # From the midpoint before the join to it, then on to the next midpoint.
        before = (self.v_out[:, :-1], self.v_frame[:, :-1], bound, self.half[:-1])
        after = (self.v_in[:, 1:], bound, self.v_frame[:, 1:], self.half[1:])
        sharp = np.zeros(len(self.half) - 1, dtype=np.bool_)
        for mean, v0, v1, t in (before, after):
            sharp |= _beyond(mean, v0 - mean, v1 - mean, t, vmax, accel).any(axis=0)
        return sharp

    def _smooth(self, vmax: Floats, accel: Floats) -> bool:
        """True if no join can be sharp, by `_beyond`'s bounds taken over all
        frames at once (the common case: lines, whose velocity only changes
        across gaps). Each cubic's ends differ from its mean velocity by a
        frame's curvature (its midpoint velocity against a half-frame's) or
        half the jump at the join."""
        curvature = np.maximum(
            np.abs(self.v_frame - self.v_out).max(axis=1, initial=0),
            np.abs(self.v_frame - self.v_in).max(axis=1, initial=0),
        )
        jump = np.where(self.starts[1:], 0.0, self.v_in[:, 1:] - self.v_out[:, :-1])
        worst = np.maximum(curvature, np.abs(jump).max(axis=1, initial=0) / 2)[:, None]
        fastest = np.maximum(np.abs(self.v_in), np.abs(self.v_out)).max(
            axis=1, initial=0
        )[:, None]
        return bool(
            np.all(6 * worst <= accel * self.half.min(initial=np.inf))
            and np.all(fastest + 2 * worst <= vmax)
        )


def _beyond(
    mean: Floats, e0: Floats, e1: Floats, t: Floats, vmax: Floats, accel: Floats
) -> Bools:
    """Where the controller's cubic through a segment exceeds `vmax` or
    `accel`: a segment of duration `t` and mean velocity `mean`, starting and
    ending at ``mean + e0`` and ``mean + e1``.

    With s = time / t the cubic's velocity is
    ``mean + e0 (1 - 4s + 3s^2) + e1 (3s^2 - 2s)``: its acceleration is linear
    (extreme at the ends) and its speed within ``|mean| + |e0| + |e1|``; the
    vertex is only looked at where that bound is too loose to decide.
    """
    acceleration = 2 * np.maximum(np.abs(2 * e0 + e1), np.abs(e0 + 2 * e1)) / t
    beyond = acceleration > accel * (1 + SLACK)
    fastest = vmax * (1 + SLACK)
    loose = np.abs(mean) + np.abs(e0) + np.abs(e1) > fastest
    if loose.any():
        at = np.nonzero(loose)
        m, a, b = mean[at], e0[at], e1[at]
        s = np.clip((2 * a + b) / np.where(a + b != 0, 3 * (a + b), np.inf), 0, 1)
        vertex = m + a * (1 - 4 * s + 3 * s * s) + b * (3 * s * s - 2 * s)
        speed = np.maximum(np.maximum(np.abs(m + a), np.abs(m + b)), np.abs(vertex))
        beyond[at] |= speed > fastest[at[0], 0]
    return beyond


def _rows(points: dict[Any, Any], axes: Sequence[Any]) -> Floats:
    return np.array([points[axis] for axis in axes], dtype=np.float64).reshape(
        len(axes), -1
    )
