"""The whole scan against the motors' limits, before any of it is planned.

A scanspec path is the product of a few small dimensions; every element of a
dimension is visited by some frame (reversed on snaked passes, which swaps a
frame's bounds and negates its velocity but changes neither the set of
positions nor of speeds). So each dimension's arrays bound the whole path:
collection windows (lower, midpoint, upper bounds), speeds, and the reach of
every ramp (where an axis stops after a frame or starts before it, see
`trajectory_turnaround`). Cost: the size of the dimensions, not of the path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .trajectory_limits import SLACK, AxisLimits, TrajectoryError, ramp_quanta
from .trajectory_scanspec import Dimension, SnakedDimension

__all__ = ["check_stack", "duration_dimension"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def duration_dimension(stack: Sequence[Dimension[Any]]) -> int:
    """Index of the one dimension holding the frames' durations."""
    timed = [k for k, dim in enumerate(stack) if dim.duration is not None]
    if not timed:
        raise ValueError(
            "the spec gives its frames no duration: a trajectory needs one, "
            "e.g. Fly(0.01 @ Line(x, 0, 1, 10))"
        )
    return timed[0]


def check_stack(
    stack: Sequence[Dimension[Any]],
    limits: Mapping[Any, AxisLimits],
    names: Mapping[Any, str],
    quantum: float,
) -> None:
    """Raise `TrajectoryError` for the first axis whose frames or ramps need
    a velocity beyond its VMAX, then for a position beyond its limits."""
    located = [(k, axis) for k, dim in enumerate(stack) for axis in dim.axes()]
    # One axis's arrays at a time: a dimension can be long (100000 rows).
    for k, axis in located:
        _Elements(stack, k, axis).check_velocity(limits[axis], names[axis])
    for k, axis in located:
        _Elements(stack, k, axis).check_position(limits[axis], names[axis], quantum)


class _Elements:
    """One axis's elements of its dimension, at the shortest frame duration
    each can have (the worst case for speed and ramp reach)."""

    def __init__(self, stack: Sequence[Dimension[Any]], k: int, axis: Any) -> None:
        self.axis = axis
        self.lengths = [len(dim) for dim in stack]
        self.snaked = [isinstance(dim, SnakedDimension) for dim in stack]
        self.k = k
        dim = stack[k]
        self.lower = np.asarray(dim.lower[axis], dtype=np.float64)
        self.mid = np.asarray(dim.midpoints[axis], dtype=np.float64)
        self.upper = np.asarray(dim.upper[axis], dtype=np.float64)
        # An outer axis of a product holds still during its frames (scanspec
        # gives it one array for all three): no speed, no ramps, to check.
        self.still = dim.lower is dim.midpoints is dim.upper
        m = duration_dimension(stack)
        durations = np.asarray(stack[m].duration, dtype=np.float64)
        self.duration = float(durations[0]) if np.ptp(durations) == 0 else None
        """The frames' one duration, if they all have the same."""
        self.fixed: dict[int, Ints | int] = {}
        half: Floats | float
        if m == k:
            half = durations / 2
        else:
            # Every element meets every duration: the shortest is the worst,
            # and the frames to report are those with it.
            shortest = int(np.argmin(durations))
            half = float(durations[shortest]) / 2
            if durations.max() > durations[shortest] and not self.still:
                self.fixed[m] = shortest
        self.half = half

    @property
    def v_in(self) -> Floats:
        return (self.mid - self.lower) / self.half

    @property
    def v_out(self) -> Floats:
        return (self.upper - self.mid) / self.half

    @property
    def v_frame(self) -> Floats:
        return (self.upper - self.lower) / (2 * self.half)

    def check_velocity(self, limit: AxisLimits, name: str) -> None:
        if self.still:
            return
        speeds = (self.v_in, self.v_out, self.v_frame)
        fastest = np.maximum(
            np.maximum(np.abs(speeds[0]), np.abs(speeds[1])), np.abs(speeds[2])
        )
        bad = fastest > limit.max_velocity * (1 + SLACK)
        if bad.any():
            j = self._first(bad)
            velocity = max((float(v[j]) for v in speeds), key=abs)
            raise TrajectoryError(
                name,
                self._frame(j),
                velocity,
                limit.max_velocity,
                "velocity",
                slower=float(fastest.max()) / limit.max_velocity,
                duration=self.duration,
            )

    def check_position(self, limit: AxisLimits, name: str, quantum: float) -> None:
        if not limit.bounded:
            return
        found: list[tuple[int, float, float, bool]] = []
        for inside, around, limit_value, sign in self._extremes(limit, quantum):
            loosened = limit_value + sign * SLACK * max(1.0, abs(limit_value))
            bad = sign * inside > sign * loosened
            bad_ramp = sign * around > sign * loosened
            if (bad | bad_ramp).any():
                j = self._first(bad | bad_ramp)
                value = float(inside[j] if bad[j] else around[j])
                found.append((self._frame(j), value, limit_value, not bad[j]))
        if found:
            frame, value, limit_value, ramp = min(found)
            raise TrajectoryError(
                name, frame, value, limit_value, "position", ramp=ramp
            )

    def _extremes(
        self, limit: AxisLimits, quantum: float
    ) -> list[tuple[Floats, Floats, float, int]]:
        """Per element, the highest then the lowest position of its window and
        of the ramps around it, with the limit each must not pass (and the
        sign that makes passing it 'greater')."""
        if self.still:
            return [
                (self.mid, self.mid, limit.high, 1),
                (self.mid, self.mid, limit.low, -1),
            ]
        accel = limit.planning_acceleration
        v_in, v_out = self.v_in, self.v_out
        start = self.lower - v_in * ramp_quanta(v_in, accel, quantum) * (quantum / 2)
        stop = self.upper + v_out * ramp_quanta(v_out, accel, quantum) * (quantum / 2)
        return [
            (
                np.maximum(np.maximum(self.lower, self.mid), self.upper),
                np.maximum(start, stop),
                limit.high,
                1,
            ),
            (
                np.minimum(np.minimum(self.lower, self.mid), self.upper),
                np.minimum(start, stop),
                limit.low,
                -1,
            ),
        ]

    def _first(self, bad: npt.NDArray[np.bool_]) -> int:
        """The element, among the `bad` ones, that the scan reaches first."""
        elements = np.flatnonzero(bad)
        return int(elements[np.argmin(self._frames(elements))])

    def _frame(self, element: int) -> int:
        return int(self._frames(np.array([element]))[0])

    def _frames(self, elements: Ints) -> Ints:
        """The first scan frame at each of `elements` of this dimension.

        Digit by digit from the slowest dimension, the others at their first
        element; a snaked dimension runs backwards when the frame number formed
        by the slower digits is odd.
        """
        fixed = {**self.fixed, self.k: elements}
        frame: Ints = np.zeros(len(elements), dtype=np.int64)
        for k, (length, snaked) in enumerate(
            zip(self.lengths, self.snaked, strict=True)
        ):
            if k in fixed:
                element = fixed[k]
                backwards = snaked & (frame % 2 == 1)
                digit = np.where(backwards, length - 1 - element, element)
            else:
                digit = 0
            frame = frame * length + digit
        return frame
