"""A scanspec path as PVT points for a Delta Tau PMAC trajectory scan.

Pure and vectorised: no I/O, no signals; the motion logic writes what this
plans. `PvtPlanner` checks the whole scan against the motors' limits when it
is made (`trajectory_checks`), then hands out the path in slices of frames,
each consumed from scanspec on its own, so memory is bounded by the slice.

Per frame the controller passes the lower bound, the midpoint and the upper
bound of its collection window, half the frame's duration apart, at the
frame's velocity; consecutive frames share a bound. Before the first frame,
at every gap (a snake's turnaround, a raster's flyback) and after the last
frame the axes ramp within VMAX and VMAX/ACCL (`trajectory_turnaround`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from .trajectory_checks import check_stack, duration_dimension
from .trajectory_limits import AxisLimits, TrajectoryError, axis_name, ramp_quanta
from .trajectory_scanspec import Spec
from .trajectory_turnaround import Moves, plan_moves
from .trajectory_windows import Frames, limit_columns

__all__ = [
    "AxisLimits",
    "PvtPlanner",
    "PvtSlice",
    "TrajectoryError",
    "UserProgram",
]

AxisT = TypeVar("AxisT", bound=Hashable)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

MIN_INTERVAL = 0.002
"""Seconds: the time grid of ramps and turnarounds, and their shortest step."""


class UserProgram(IntEnum):
    """The PMAC user program run at a point (its ``UserArray`` entry)."""

    WINDOW = 1
    """A bound or midpoint of a collection window."""
    GAP = 2
    """A point of a ramp or turnaround, between windows."""
    END = 8
    """The last point: the axes at rest after the ramp-down."""


@dataclass(frozen=True, eq=False)
class PvtSlice(Generic[AxisT]):
    """Consecutive PVT points that complete the scan frames `frames`.

    ``time_us[i]`` is the time in microseconds (floats: half a frame's
    duration in a window, whole multiples of ``min_interval`` in ramps and
    turnarounds) from the point before to point ``i``; before the first point
    of the first slice the axes rest at `PvtPlanner.start_positions`. A slice
    starts where the previous one ended; the `last` one ends at rest.
    """

    positions: dict[AxisT, Floats]
    velocities: dict[AxisT, Floats]
    time_us: Floats
    user: npt.NDArray[np.int32]
    frames: range
    last: bool

    def __len__(self) -> int:
        return len(self.time_us)


class PvtPlanner(Generic[AxisT]):
    """The PVT points of `spec`, slice by slice, from `start_frame` on.

    Raises `TrajectoryError` at once if any frame of the scan, or any ramp or
    turnaround around one, needs a position or velocity beyond an axis's
    `AxisLimits`. `min_interval` is the shortest time between two points of a
    ramp or turnaround (the controller's); their durations are multiples of it.
    `frames` is the scan's number of frames, `axes` its axes, slowest first.
    """

    def __init__(
        self,
        spec: Spec[AxisT],
        limits: Mapping[AxisT, AxisLimits],
        *,
        slice_frames: int = 4000,
        start_frame: int = 0,
        min_interval: float = MIN_INTERVAL,
    ) -> None:
        self._stack = spec.calculate()
        self.axes: list[AxisT] = list(spec.axes())
        self.frames = int(np.prod([len(dim) for dim in self._stack]))
        if slice_frames < 1:
            raise ValueError(f"slice_frames must be at least 1, not {slice_frames}")
        if not 0 <= start_frame < self.frames:
            raise ValueError(
                f"start_frame {start_frame} is not a frame of this "
                f"{self.frames}-frame scan"
            )
        if min_interval <= 0:
            raise ValueError(f"min_interval must be positive, not {min_interval}")
        self._slice_frames = slice_frames
        self._start = start_frame
        self._quantum = min_interval
        self._names = {axis: axis_name(axis) for axis in self.axes}
        self._limits = [self._limit(limits, axis) for axis in self.axes]
        duration_dimension(self._stack)
        by_axis = dict(zip(self.axes, self._limits, strict=True))
        check_stack(self._stack, by_axis, self._names, min_interval)

    def _limit(self, limits: Mapping[AxisT, AxisLimits], axis: AxisT) -> AxisLimits:
        name = self._names[axis]
        if axis not in limits:
            raise ValueError(f"{name}: no limits given for this axis of the spec")
        limit = limits[axis]
        if not (limit.max_velocity > 0 and limit.acceleration_time > 0):
            raise ValueError(
                f"{name}: VMAX ({limit.max_velocity}) and ACCL "
                f"({limit.acceleration_time}) must be positive to plan its ramps"
            )
        return limit

    def start_positions(self) -> dict[AxisT, float]:
        """Where each axis rests before the trajectory: its ramp-up's start."""
        frame = Frames(
            self._stack, self._start, self._start + 1, self.axes, self._limits
        )
        start = self._ramp_start(frame, np.array([0]))[:, 0]
        return {axis: float(p) for axis, p in zip(self.axes, start, strict=True)}

    def __iter__(self) -> Iterator[PvtSlice[AxisT]]:
        for first in range(self._start, self.frames, self._slice_frames):
            yield self._plan(first, min(first + self._slice_frames, self.frames))

    def _plan(self, first: int, stop: int) -> PvtSlice[AxisT]:
        """The points completing frames ``first`` to ``stop - 1``, joining the
        slice that ends at frame ``first - 1`` (or ramping up at `start_frame`).
        """
        # One frame either side: the exit of the frame before a gap, and
        # whether the window goes on after this slice.
        lo = first - 1 if first > self._start else first
        hi = min(stop + 1, self.frames)
        frames = Frames(self._stack, lo, hi, self.axes, self._limits)
        frames.starts[0] |= first == self._start
        pre, n, last = first - lo, stop - first, stop == self.frames
        mine = slice(pre, pre + n)
        gaps = np.flatnonzero(frames.starts[mine]) + pre
        p0, v0, p1, v1 = self._moves(frames, gaps, first == self._start, last)
        moves = plan_moves(p0, v0, p1, v1, self._limits, self._quantum)
        layout = _Layout(moves, gaps - pre, n, last)

        # Each row of values (positions, velocities, seconds) by kind of
        # point: windows (each frame's midpoint and upper bound), then the
        # moves' corners, then their ends.
        axes = len(self.axes)
        source = np.empty((2 * axes + 1, layout.sources))
        window = source[:, : 2 * n].reshape(2 * axes + 1, n, 2)
        window[:axes, :, 0] = frames.mid[:, mine]
        window[:axes, :, 1] = frames.upper[:, mine]
        window[axes:-1, :, 0] = frames.v_frame[:, mine]
        window[axes:-1, :, 1] = frames.upper_velocity(mine, last)
        window[-1] = frames.half[mine, None]
        corners, ends = layout.corners, layout.ends
        source[:axes, corners] = moves.positions[:, moves.valid]
        source[axes:-1, corners] = moves.velocities[:, moves.valid]
        source[-1, corners] = layout.corner_seconds
        source[:axes, ends] = p1
        source[axes:-1, ends] = v1
        source[-1, ends] = layout.end_seconds
        points = layout.arrange(source)
        return PvtSlice(
            dict(zip(self.axes, points[:axes], strict=True)),
            dict(zip(self.axes, points[axes:-1], strict=True)),
            points[-1] * 1e6,
            layout.user(last),
            range(first, stop),
            last,
        )

    def _moves(
        self, frames: Frames, gaps: Ints, ramp_up: bool, last: bool
    ) -> tuple[Floats, Floats, Floats, Floats]:
        """(axes, moves) arrays: from where and at what velocity to where and
        at what velocity each move goes: into the windows starting at `gaps`
        (from rest if `ramp_up`), then to rest if `last`."""
        before = np.maximum(gaps - 1, 0)
        p0, v0 = frames.upper[:, before], frames.v_out[:, before]
        p1, v1 = frames.lower[:, gaps], frames.v_in[:, gaps]
        if ramp_up:
            p0[:, 0], v0[:, 0] = self._ramp_start(frames, gaps[:1])[:, 0], 0.0
        if last:
            end = np.array([frames.upper.shape[1] - 1])
            p0 = np.append(p0, frames.upper[:, end], axis=1)
            v0 = np.append(v0, frames.v_out[:, end], axis=1)
            p1 = np.append(p1, self._ramp_stop(frames, end), axis=1)
            v1 = np.append(v1, np.zeros((len(self.axes), 1)), axis=1)
        return p0, v0, p1, v1

    def _ramp_start(self, frames: Frames, i: Ints) -> Floats:
        """Where each axis rests before ramping up into frames `i`."""
        v_in = frames.v_in[:, i]
        return frames.lower[:, i] - v_in * self._ramp_time(v_in) / 2

    def _ramp_stop(self, frames: Frames, i: Ints) -> Floats:
        """Where each axis comes to rest after ramping down from frames `i`."""
        v_out = frames.v_out[:, i]
        return frames.upper[:, i] + v_out * self._ramp_time(v_out) / 2

    def _ramp_time(self, velocity: Floats) -> Floats:
        _, accel = limit_columns(self._limits)
        return ramp_quanta(velocity, accel, self._quantum) * self._quantum


class _Layout:
    """Where each point of a slice goes: for each frame ``j`` the move into it
    (if a window starts there: its corners, then the window's lower bound),
    then its midpoint and upper bound; after the last frame, the ramp-down
    (its corners, then the final point at rest).

    Values come in blocks by kind of point (windows, corners, move ends) and
    are put in order with one gather, the fast way to interleave in numpy.
    """

    def __init__(self, moves: Moves, gaps: Ints, n: int, last: bool) -> None:
        counts = moves.valid.sum(axis=1)
        sizes = np.zeros(2 * n + 1, dtype=np.int64)
        sizes[1 : 2 * n : 2] = 2
        sizes[2 * gaps] = counts[: len(gaps)] + 1
        if last:
            sizes[2 * n] = counts[-1] + 1
        offsets = np.cumsum(sizes) - sizes
        total = int(sizes.sum())
        starts = offsets[2 * gaps]
        if last:
            starts = np.append(starts, offsets[2 * n])
        rank = np.cumsum(moves.valid, axis=1) - 1
        mids = offsets[1 : 2 * n : 2]
        corners = (starts[:, None] + rank)[moves.valid]
        destination = np.empty(total, dtype=np.int64)
        destination[0 : 2 * n : 2] = mids
        destination[1 : 2 * n : 2] = mids + 1
        destination[2 * n : 2 * n + len(corners)] = corners
        destination[2 * n + len(corners) :] = starts + counts
        self._order = np.empty(total, dtype=np.int64)
        self._order[destination] = np.arange(total)
        self.sources = total
        """Values to arrange: 2 per frame, then `corners`, then `ends`."""
        self.corners = slice(2 * n, 2 * n + len(corners))
        self.ends = slice(2 * n + len(corners), total)
        times = moves.times[moves.valid]
        since = np.where(rank[moves.valid] == 0, 0.0, np.roll(times, 1))
        self.corner_seconds = times - since
        final = np.where(moves.valid, moves.times, 0.0).max(axis=1, initial=0.0)
        self.end_seconds = moves.duration - final

    def arrange(self, source: Floats) -> Floats:
        """(rows, points) in order, from (rows, `sources`) values."""
        return np.take(source, self._order, axis=1)

    def user(self, last: bool) -> npt.NDArray[np.int32]:
        """The user program at every point, in order."""
        user = np.full(self.sources, UserProgram.WINDOW, dtype=np.int32)
        user[self.corners] = UserProgram.GAP
        if last:
            user[-1] = UserProgram.END
        return np.take(user, self._order)
