"""Ramps and turnarounds: getting every axis from one state to the next.

A move takes each axis from ``(p0, v0)`` to ``(p1, v1)`` within its VMAX and
VMAX/ACCL, all axes in the same time. Each axis brakes from ``v0`` to rest,
travels rest to rest (trapezoid or triangle), then speeds up to ``v1``:

    velocity  v0\\                     /v1
                 \\___     ___       /
                      \\__/   \\____/
              |--n0--|--travel--|--n1--|

Every phase lasts whole quanta (``min_interval``), so the corners of all axes
share one time grid and no two points are closer than a quantum. Between two
neighbouring points every axis accelerates uniformly, which is exactly what
the controller's cubic PVT interpolation does through them: the limits hold on
the whole curve, not only at the points. Each axis stays between its start,
its end and where it stops after ``v0`` or starts before ``v1`` (the ramp
distances of `ramp_quanta`), which is what the up-front limit check relies on.
A ramp-up is a move from rest, a ramp-down a move to rest.

Arrays are (axes, moves): everything is vectorised over both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .trajectory_limits import ROUNDING, AxisLimits, ramp_quanta
from .trajectory_windows import limit_columns

__all__ = ["Moves", "plan_moves"]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

STILL = 1e-12
"""Relative distance below which an axis has nowhere to travel between ramps."""


@dataclass(frozen=True, eq=False)
class Moves:
    """Moves, one per column: their intermediate points and durations.

    ``times`` (moves, points) are seconds from the start of each move to each
    point, with ``valid`` marking the real ones (rows are padded to the same
    width); ``positions`` and ``velocities`` are (axes, moves, points). A move
    ends at its ``(p1, v1)`` after ``duration`` seconds.
    """

    duration: Floats
    times: Floats
    valid: Bools
    positions: Floats
    velocities: Floats


def plan_moves(
    p0: Floats,
    v0: Floats,
    p1: Floats,
    v1: Floats,
    limits: Sequence[AxisLimits],
    quantum: float,
) -> Moves:
    """The shortest moves (whole quanta, at least one) for all axes together.

    The arrays are (axes, moves), velocities within each axis's VMAX.
    """
    vmax, accel = limit_columns(limits)
    n0 = ramp_quanta(v0, accel, quantum)
    n1 = ramp_quanta(v1, accel, quantum)
    stop = p0 + v0 * n0 * (quantum / 2)
    start = p1 - v1 * n1 * (quantum / 2)
    distance = np.abs(start - stop)
    distance[distance <= STILL * (1 + np.abs(stop) + np.abs(start))] = 0.0
    fastest = n0 + n1 + _fastest_travel_quanta(distance, vmax, accel, quantum)
    quanta = np.maximum(fastest.max(axis=0, initial=0), 1)
    travel = (quanta - n0 - n1) * quantum
    ramp_time = _stretched_ramp_quanta(distance, travel, accel, quantum) * quantum
    moving = distance > 0
    cruise = np.where(
        moving, (start - stop) / np.where(moving, travel - ramp_time, 1), 0.0
    )

    # Each axis's corners: braked, at cruise, leaving cruise, at rest again.
    c1, c4 = n0 * quantum, (quanta - n1) * quantum
    c2, c3 = c1 + ramp_time, c4 - ramp_time
    # All axes' corners on one grid per move: (moves, 4 * axes) seconds.
    grid = np.sort(np.rint(np.concatenate([c1, c2, c3, c4]).T / quantum), axis=1)
    valid = (grid > 0) & (grid < quanta[:, None])
    valid[:, 1:] &= grid[:, 1:] != grid[:, :-1]
    times = grid * quantum

    # Velocity is piecewise linear between corners: the sum of each phase's
    # ramp, clipped to its time. The trapezoid rule integrates it exactly.
    t = times[None]
    c1, c3, c4 = c1[..., None], c3[..., None], c4[..., None]
    ramp_time = ramp_time[..., None]
    velocity = (
        v0[..., None] * _ramp(c1 - t, c1)
        + cruise[..., None] * (_ramp(t - c1, ramp_time) - _ramp(t - c3, ramp_time))
        + v1[..., None] * _ramp(t - c4, (n1 * quantum)[..., None])
    )
    steps = np.diff(times, axis=1, prepend=0.0)[None]
    before = np.concatenate([v0[..., None], velocity[..., :-1]], axis=-1)
    position = p0[..., None] + np.cumsum((before + velocity) / 2 * steps, axis=-1)
    return Moves(quanta * quantum, times, valid, position, velocity)


def _ramp(elapsed: Floats, length: Floats) -> Floats:
    """0 before a ramp of `length`, rising linearly to 1 at its end, then 1;
    a ramp of no length is a step (0 before, 1 at and after)."""
    fraction = np.minimum(
        np.maximum(elapsed / np.where(length > 0, length, np.inf), 0), 1
    )
    return fraction + ((length <= 0) & (elapsed >= 0))


def _ceil(x: Floats) -> Floats:
    return np.ceil(x - ROUNDING).clip(0)


def _fastest_travel_quanta(
    distance: Floats, vmax: Floats, accel: Floats, quantum: float
) -> Floats:
    """Whole quanta of the quickest rest-to-rest travel over each `distance`."""
    moving = distance > 0
    ramp = _ceil(np.minimum(np.sqrt(distance / accel), vmax / accel) / quantum)
    ramp = np.where(moving, np.maximum(ramp, 1), 0.0)
    peak = np.minimum(vmax, accel * ramp * quantum)
    cruise = _ceil(distance / np.where(moving, peak, 1) / quantum - ramp)
    return np.where(moving, 2 * ramp + cruise, 0.0)


def _stretched_ramp_quanta(
    distance: Floats, travel: Floats, accel: Floats, quantum: float
) -> Floats:
    """Whole quanta of each ramp of a rest-to-rest travel lasting `travel`.

    The shortest ramps whose trapezoid covers `distance` at the allowed
    acceleration: the slowest cruise, the gentlest on the motor. `travel` is
    at least the fastest travel's time, so the ramps never overlap.
    """
    moving = distance > 0
    reach = 4 * distance / accel
    # The smaller root of a * r * (travel - r) = distance, written stably.
    root = np.sqrt(np.maximum(travel * travel - reach, 0.0))
    ramp = reach / 2 / np.where(moving, travel + root, 1)
    return np.where(moving, np.maximum(_ceil(ramp / quantum), 1), 0.0)
