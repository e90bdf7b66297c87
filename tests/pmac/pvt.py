"""PVT points for the tests: made along lines, written to a ``Pmac`` device,
built, appended, and read back from the simulated IOC's ``Sim:`` records."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint import Array1D, signal_r
from ophyd_blueprint.testing.sim_ioc import SimPmacIoc
from ophyd_blueprint.testing.sim_pmac import CS_AXES, TICK_S


@dataclass(frozen=True)
class Points:
    """PVT points for X and Y: positions and velocities by letter, seconds, user."""

    positions: dict[str, np.ndarray[Any, Any]]
    velocities: dict[str, np.ndarray[Any, Any]]
    durations: np.ndarray[Any, Any]
    user: np.ndarray[Any, Any]

    def __len__(self) -> int:
        return len(self.durations)

    def __add__(self, other: Points) -> Points:
        def joined(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
            return {k: np.concatenate([a[k], b[k]]) for k in a}

        return Points(
            joined(self.positions, other.positions),
            joined(self.velocities, other.velocities),
            np.concatenate([self.durations, other.durations]),
            np.concatenate([self.user, other.user]),
        )


def lines(
    count: int, dt: float, x: tuple[float, float], y: tuple[float, float]
) -> Points:
    """`count` points `dt` apart along straight lines at constant speed:
    x[0] + x[1] * (i + 1) (and y alike), user 1 (a collection window)."""
    steps = np.arange(1, count + 1)
    return Points(
        positions={"X": x[0] + x[1] * steps, "Y": y[0] + y[1] * steps},
        velocities={"X": np.full(count, x[1] / dt), "Y": np.full(count, y[1] / dt)},
        durations=np.full(count, dt),
        user=np.ones(count, dtype=np.int32),
    )


async def write(pmac: Any, points: Points) -> None:
    """Write the arrays (microsecond ticks), use X and Y only, N points to build."""
    writes = [
        pmac.time_array.set(points.durations / TICK_S),
        pmac.user_array.set(points.user),
        pmac.points_to_build.set(len(points)),
        pmac.calc_vel.set(False),
    ]
    for index, axis in pmac.axes.items():
        letter = CS_AXES[index - 1]
        used = letter in points.positions
        writes.append(axis.use_axis.set(used))
        if used:
            writes.append(axis.positions.set(points.positions[letter]))
            writes.append(axis.velocities.set(points.velocities[letter]))
    await asyncio.gather(*writes)


async def build(pmac: Any, points: Points) -> tuple[str, str]:
    await write(pmac, points)
    await pmac.build.trigger()
    return await pmac.build_status.get_value(), await pmac.build_message.get_value()


async def append(pmac: Any, points: Points) -> tuple[str, str]:
    await write(pmac, points)
    await pmac.append.trigger()
    return await pmac.append_status.get_value(), await pmac.append_message.get_value()


async def move_to(bl: Any, x: float, y: float) -> None:
    await asyncio.gather(bl.x.set(x), bl.y.set(y))


async def executed(ioc: SimPmacIoc, letters: Sequence[str] = ("X", "Y")) -> Points:
    """What the IOC says its last run reached (its ``Sim:`` records)."""

    async def read(datatype: Any, name: str) -> np.ndarray[Any, Any]:
        signal = signal_r(datatype, f"ca://{ioc.pv('Sim:' + name)}")
        await signal.connect(timeout=5)
        return np.asarray(await signal.get_value())

    floats = Array1D[np.float64]
    return Points(
        positions={
            a: await read(floats, f"{a}:ExecutedPositions_RBV") for a in letters
        },
        velocities={
            a: await read(floats, f"{a}:ExecutedVelocities_RBV") for a in letters
        },
        durations=await read(floats, "ExecutedTimes_RBV") * TICK_S,
        user=await read(Array1D[np.int32], "ExecutedUser_RBV"),
    )


def assert_ran(ran: Points, points: Points) -> None:
    """`ran` is `points`, but that the last point is reached at rest."""
    assert len(ran) == len(points)
    for letter, positions in points.positions.items():
        assert ran.positions[letter] == pytest.approx(positions)
        assert ran.velocities[letter][:-1] == pytest.approx(
            points.velocities[letter][:-1]
        )
        assert ran.velocities[letter][-1] == 0.0
    assert ran.durations == pytest.approx(points.durations)
    assert list(ran.user) == list(points.user)
