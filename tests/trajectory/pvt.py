"""Reading planned PVT points back: whole arrays, and the controller's curve.

The PMAC moves between two points along the cubic whose ends have the points'
positions and velocities (Hermite interpolation); these helpers give each
segment's extremes so that tests check limits on the curve, not the points.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ophyd_blueprint.logic.trajectory import PvtPlanner, PvtSlice

Floats = npt.NDArray[np.float64]


@dataclass
class Points:
    """Slices joined, with the start at rest as point 0 (time 0)."""

    positions: dict[Hashable, Floats]
    velocities: dict[Hashable, Floats]
    seconds: Floats  # from the previous point; 0 for the start
    user: npt.NDArray[np.int32]  # 0 for the start


def joined(planner: PvtPlanner[str], slices: Iterable[PvtSlice[str]]) -> Points:
    slices = list(slices)
    start = planner.start_positions()
    return Points(
        {
            a: np.concatenate([[start[a]], *(s.positions[a] for s in slices)])
            for a in planner.axes
        },
        {
            a: np.concatenate([[0.0], *(s.velocities[a] for s in slices)])
            for a in planner.axes
        },
        np.concatenate([[0.0], *(s.time_us / 1e6 for s in slices)]),
        np.concatenate([[0], *(s.user for s in slices)]).astype(np.int32),
    )


@dataclass
class Curve:
    """Extremes of each segment's cubic, one entry per segment."""

    speed: Floats
    acceleration: Floats
    low: Floats
    high: Floats


def curve(points: Points, axis: Hashable) -> Curve:
    p, v, t = points.positions[axis], points.velocities[axis], points.seconds[1:]
    p0, p1, v0, v1 = p[:-1], p[1:], v[:-1], v[1:]
    delta = p1 - p0
    # x(s) = p0 + v0 s + c2 s^2 + c3 s^3 on 0 <= s <= t
    c2 = (3 * delta - (2 * v0 + v1) * t) / t**2
    c3 = (-2 * delta + (v0 + v1) * t) / t**3
    acceleration = np.maximum(np.abs(2 * c2), np.abs(2 * c2 + 6 * c3 * t))
    speed = np.maximum(np.abs(v0), np.abs(v1))
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = -c2 / (3 * c3)
        inside = (c3 != 0) & (vertex > 0) & (vertex < t)
        speed = np.where(
            inside,
            np.maximum(speed, np.abs(v0 + 2 * c2 * vertex + 3 * c3 * vertex**2)),
            speed,
        )
        low, high = np.minimum(p0, p1), np.maximum(p0, p1)
        # stationary points: 3 c3 s^2 + 2 c2 s + v0 = 0 (or linear if c3 == 0)
        disc = np.sqrt(np.maximum(4 * c2**2 - 12 * c3 * v0, 0))
        roots = [
            (-2 * c2 + disc) / (6 * c3),
            (-2 * c2 - disc) / (6 * c3),
            -v0 / (2 * c2),
        ]
        for root, ok in zip(
            roots, [c3 != 0, c3 != 0, (c3 == 0) & (c2 != 0)], strict=True
        ):
            good = ok & (root > 0) & (root < t)
            x = p0 + v0 * root + c2 * root**2 + c3 * root**3
            low = np.where(good, np.minimum(low, x), low)
            high = np.where(good, np.maximum(high, x), high)
    return Curve(speed, acceleration, low, high)
