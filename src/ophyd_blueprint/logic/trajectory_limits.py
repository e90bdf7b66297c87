"""What a motor allows a trajectory, and the error for a path that asks more.

Shared by the up-front checks and the ramp maths: both must agree to the last
bit on how far an axis travels while it reaches or leaves a velocity, or a
check could pass a path whose turnarounds then leave the limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "SLACK",
    "AxisLimits",
    "TrajectoryError",
    "axis_name",
    "ramp_quanta",
]

Floats = npt.NDArray[np.float64]

PLANNING_MARGIN = 1e-3
"""Fraction of VMAX/ACCL kept unused when planning ramps and turnarounds."""
ROUNDING = 1e-9
"""Slack, in quanta, before a duration rounds up to the next quantum: float
noise must not turn an exact 10 quanta into 11."""

SLACK = 1e-9
"""Relative float noise tolerated against a limit: a frame planned exactly at
a limit, computed another way, must not be refused."""


@dataclass(frozen=True)
class AxisLimits:
    """A motor record's limits, as the trajectory must respect them.

    ``low``/``high`` are LLM/HLM (both 0: no limits, as in the motor record),
    ``max_velocity`` is VMAX and ``acceleration_time`` ACCL, the seconds to
    reach full speed: the acceleration allowed is VMAX / ACCL.
    """

    low: float
    high: float
    max_velocity: float
    acceleration_time: float

    @property
    def acceleration(self) -> float:
        """The largest acceleration a ramp or turnaround may have: VMAX / ACCL."""
        return self.max_velocity / self.acceleration_time

    @property
    def planning_acceleration(self) -> float:
        """The acceleration ramps are planned with: `acceleration` less
        `PLANNING_MARGIN`, so that the float rounding of the time grid (a few
        parts in 1e5) never takes a segment past the motor's limit."""
        return self.acceleration * (1 - PLANNING_MARGIN)

    @property
    def bounded(self) -> bool:
        """False when both position limits are 0: the motor record's 'none'."""
        return not (self.low == 0 and self.high == 0)


def axis_name(axis: Any) -> str:
    """How messages name a scanspec axis (a motor device, or any hashable)."""
    name = getattr(axis, "name", None)
    return name if isinstance(name, str) and name else str(axis)


class TrajectoryError(ValueError):
    """A path that needs a position or velocity beyond a motor's limits.

    Raised before any of the path is handed out, with the facts as attributes:
    ``axis`` (its name), ``frame`` (index in the whole scan), ``value``,
    ``limit`` and ``what`` ("position" or "velocity"). ``ramp`` is true when
    the position is reached while ramping to or from rest around the frame
    (ramp-up, turnaround or ramp-down), not inside its collection window.
    For a velocity, ``slower`` is how many times longer every frame must be
    for the axis to stay within VMAX all along the path, and ``duration`` the
    frames' one duration (None if they differ): the message says what to ask.
    """

    def __init__(
        self,
        axis: str,
        frame: int,
        value: float,
        limit: float,
        what: Literal["position", "velocity"],
        *,
        ramp: bool = False,
        slower: float | None = None,
        duration: float | None = None,
    ) -> None:
        self.axis = axis
        self.frame = frame
        self.value = value
        self.limit = limit
        self.what = what
        self.ramp = ramp
        self.slower = slower
        self.duration = duration
        super().__init__(self._message())

    def _message(self) -> str:
        if self.what == "velocity":
            bound = "the max velocity (VMAX)"
        elif self.value > self.limit:
            bound = "the high limit"
        else:
            bound = "the low limit"
        around = " to ramp around it at VMAX/ACCL" if self.ramp else ""
        return (
            f"{self.axis}: frame {self.frame} needs {self.what} {self.value:.10g}"
            f"{around}, beyond {bound} {self.limit:.10g}{self._remedy()}"
        )

    def _remedy(self) -> str:
        """How much slower the path must go, when that is what it asks."""
        if self.slower is None:
            return ""
        if self.duration is not None:
            enough = _round_up(self.duration * self.slower)
            return (
                f"; frames of {enough:.3g} s or longer (not {self.duration:.3g} s) "
                f"keep {self.axis} within it"
            )
        return (
            f"; frames {_round_up(self.slower):.3g} times as long keep "
            f"{self.axis} within it"
        )


def _round_up(value: float, digits: int = 3) -> float:
    """`value` rounded up to `digits` significant digits (what a message
    shows must be enough, not a hair short), float noise within `SLACK`
    (which the checks tolerate too) not rounded up."""
    if value <= 0:
        return value
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(value)))
    return math.ceil(value * scale * (1 - SLACK)) / scale


def ramp_quanta(
    velocity: Floats, acceleration: float | Floats, quantum: float
) -> Floats:
    """Whole quanta to ramp between rest and `velocity` at up to `acceleration`.

    Ramps last whole quanta so that every point of a turnaround falls on one
    time grid; the ramp's acceleration is then ``|velocity| / (n * quantum)``
    and its distance ``velocity * n * quantum / 2``.
    """
    return np.ceil(np.abs(velocity) / (acceleration * quantum) - ROUNDING).clip(0)
