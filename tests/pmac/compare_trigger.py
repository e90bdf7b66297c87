"""The coupled beamline's position compare as a fly scan's trigger device.

Prepared with a path (a ``Spec``, or a `FlyPath` to resume at a frame), it
arms the compare with each frame's lower bound on one axis, in the path's
order, and the direction the axis travels through that frame: the detectors
then take each frame when the motor enters its window. A small stand-in for
the PandA's position compare, with the same verbs.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import numpy as np
from scanspec.core import Path as ScanPath

from ophyd_blueprint import (
    Array1D,
    AsyncStatus,
    FlyPath,
    path_of,
    signal_r,
    signal_rw,
    wait_for_value,
)


class CompareTrigger:
    """Gates frames on `axis` (a motor device; CS axis `letter`) crossing
    their windows' lower bounds, through the compare at `prefix`."""

    def __init__(self, prefix: str, axis: Any, letter: str = "X") -> None:
        self.name = "pcomp"
        self.parent = None
        self.axis = axis
        self.letter = letter
        self.axis_letter = signal_rw(str, f"ca://{prefix}Axis")
        self.positions = signal_rw(Array1D[np.float64], f"ca://{prefix}Positions")
        self.directions = signal_rw(Array1D[np.int32], f"ca://{prefix}Directions")
        self.arm = signal_rw(
            bool, f"ca://{prefix}Arm", read_source=f"ca://{prefix}Arm_RBV"
        )
        self.fired = signal_r(int, f"ca://{prefix}Fired_RBV")
        self.fired_positions = signal_r(
            Array1D[np.float64], f"ca://{prefix}FiredPositions_RBV"
        )
        self._path: FlyPath | None = None
        self._armed: AsyncStatus | None = None

    async def connect(self) -> None:
        await asyncio.gather(
            *(
                s.connect()
                for s in (
                    self.axis_letter,
                    self.positions,
                    self.directions,
                    self.arm,
                    self.fired,
                    self.fired_positions,
                )
            )
        )

    def prepare(self, value: Any) -> AsyncStatus:
        return AsyncStatus(self._prepare(path_of(value)), name=self.name)

    async def _prepare(self, path: FlyPath) -> None:
        frames = ScanPath(path.spec.calculate(), start=path.start).consume()
        lower = np.asarray(frames.lower[self.axis], dtype=np.float64)
        upper = np.asarray(frames.upper[self.axis], dtype=np.float64)
        await asyncio.gather(
            self.axis_letter.set(self.letter),
            self.positions.set(lower),
            self.directions.set(np.sign(upper - lower).astype(np.int32)),
        )
        self._path = path

    def kickoff(self) -> AsyncStatus:
        return AsyncStatus(self._kickoff(), name=self.name)

    async def _kickoff(self) -> None:
        assert self._path is not None, "prepared"
        self._armed = self.arm.set(True, wait=True, timeout=math.inf)
        await wait_for_value(self.arm, True, 5.0)

    def complete(self) -> AsyncStatus:
        armed = self._armed
        assert armed is not None, "kicked off"
        return AsyncStatus(armed.wait(), name=self.name)

    def stop(self, success: bool = False) -> AsyncStatus:
        return AsyncStatus(self.arm.set(False, timeout=5.0).wait(), name=self.name)
