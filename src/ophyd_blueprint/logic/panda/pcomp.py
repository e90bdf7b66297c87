"""Position compare settings: pulses at evenly spaced encoder counts.

The PCOMP block waits until its input is `pre_start` counts short of `start`
(against `direction`), then pulses `width` counts long every `step` counts
from `start`, `pulses` times. `pcomp_from_spec` places one pulse at the
start of every frame of a line (``Fly(0.01 @ Line(x, 0, 1, 100))``), in the
counts of the motor's encoder, or of every frame from one on (a paused scan
resumed there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ophyd_blueprint.core import StrictEnum

from ..trajectory_scanspec import Dimension, Spec
from .encoders import Encoder, PandaPlanError, check_int32, reached

__all__ = ["PcompDirection", "PcompInfo", "pcomp_from_spec"]

DRIFT = 0.5
"""Counts a line's pulses may drift, in all, by rounding the step to a count."""


class PcompDirection(StrictEnum):
    """The PCOMP block's DIR: which way the input must move to pulse."""

    POSITIVE = "Positive"
    NEGATIVE = "Negative"
    EITHER = "Either"


@dataclass(frozen=True)
class PcompInfo:
    """What a PCOMP block is prepared with, in encoder counts."""

    start: int
    width: int
    step: int
    pulses: int
    direction: PcompDirection
    pre_start: int = 1

    def __post_init__(self) -> None:
        for name in ("start", "width", "step", "pulses", "pre_start"):
            value = getattr(self, name)
            if not isinstance(value, int):
                raise PandaPlanError(f"pcomp {name} must be a whole count: {value!r}")
            check_int32(value, f"pcomp {name}", 0)
        if self.width < 1:
            raise PandaPlanError(f"pcomp width must be a count or more: {self.width}")
        if self.step <= self.width:
            raise PandaPlanError(
                f"pcomp pulses of {self.width} counts every {self.step} counts "
                "would never fall: the step must be longer than the width"
            )
        if self.pulses < 0 or self.pre_start < 0:
            raise PandaPlanError("pcomp pulses and pre_start must not be negative")


def pcomp_from_spec(
    spec: Spec[Any],
    axis: Any,
    encoder: Encoder,
    *,
    width: float = 0.5,
    first: int = 0,
) -> PcompInfo:
    """A pulse at the start of each frame of `spec`, a line of `axis`, from
    frame `first` on; `width` is the pulse's fraction of a frame."""
    stack: list[Dimension[Any]] = spec.calculate()
    name = getattr(axis, "name", axis)
    if len(stack) != 1 or axis not in stack[0].axes():
        raise PandaPlanError(
            f"position compare pulses along one line of {name}; this spec has "
            f"{len(stack)} dimension(s) of {[d.axes() for d in stack]} (a grid "
            "needs the sequencer)"
        )
    line = stack[0]
    if np.asarray(line.gap, dtype=np.bool_)[1:].any():
        raise PandaPlanError(f"position compare needs {name}'s frames to touch")
    lower = encoder.counts(line.lower[axis])
    upper = encoder.counts(line.upper[axis])
    widths = upper - lower
    if not np.allclose(widths, widths[0], rtol=1e-9, atol=1e-9):
        raise PandaPlanError(
            f"position compare needs evenly spaced frames; {name}'s are "
            f"{widths.min():g} to {widths.max():g} counts"
        )
    exact = abs(float(widths[0]))
    step = round(exact)
    pulses = len(lower)
    if step < 2 or abs(step - exact) * pulses > DRIFT:
        raise PandaPlanError(
            f"frames of {exact:g} counts cannot be pulsed a whole count apart "
            f"without drifting over {pulses} frames"
        )
    if not 0 <= first < pulses:
        raise PandaPlanError(f"the line has frames 0 to {pulses - 1}, not {first}")
    rising = bool(widths[0] > 0)
    # the pulses of the whole line, a whole step apart, from the first's
    start = reached(float(lower[0]), rising) + (step if rising else -step) * first
    return PcompInfo(
        start=check_int32(start, "pcomp start", first),
        width=min(max(1, round(step * width)), step - 1),
        step=step,
        pulses=pulses - first,
        direction=PcompDirection.POSITIVE if rising else PcompDirection.NEGATIVE,
    )
