"""Motor positions as the PandA sees them: encoder counts on a position input.

A position bus value (``INENC1.VAL``) is a count scaled into units by its
``SCALE`` and ``OFFSET``; the sequencer and position compare compare raw
counts, so a position in units becomes ``(position - offset) / scale``.
Which input (the SEQ block's POSA/POSB/POSC) carries which motor is
configuration, given with the encoder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["INPUTS", "Encoder", "PandaPlanError", "check_int32", "reached"]

INPUTS = "ABC"
"""The SEQ block's position inputs: POSA, POSB, POSC."""
INT32 = (-(2**31), 2**31 - 1)
ROUNDING = 1e-9
"""Counts of float noise forgiven before a position rounds to the next count."""


class PandaPlanError(ValueError):
    """A scan the PandA cannot trigger as asked; said at prepare, with the reason.

    `frame` is the first frame concerned (None: the whole scan).
    """

    def __init__(self, reason: str, *, frame: int | None = None) -> None:
        self.reason = reason
        self.frame = frame
        super().__init__(reason if frame is None else f"frame {frame}: {reason}")


@dataclass(frozen=True)
class Encoder:
    """One motor's encoder as a PandA position input.

    `input` is ``A``, ``B`` or ``C`` (the SEQ block's POSA/B/C; ignored by
    position compare); `scale` is units per count (negative if counts fall as
    the motor's position rises) and `offset` the position at count 0.
    """

    input: str
    scale: float
    offset: float = 0.0

    def __post_init__(self) -> None:
        if self.input not in INPUTS or len(self.input) != 1:
            raise ValueError(f"an encoder input is one of A, B, C, not {self.input!r}")
        if not math.isfinite(self.scale) or self.scale == 0:
            raise ValueError(f"an encoder scale must be finite and not 0: {self.scale}")

    def counts(self, position: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Counts (as floats) at `position`, in the motor's units."""
        return (np.asarray(position, dtype=np.float64) - self.offset) / self.scale

    def position(self, counts: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The position, in units, at `counts`."""
        return np.asarray(counts, dtype=np.float64) * self.scale + self.offset


def reached(counts: float, rising: bool) -> int:
    """The count at which a motor moving up (`rising`) or down has reached
    `counts`: the first whole count at or beyond it."""
    if rising:
        return math.ceil(counts - ROUNDING)
    return math.floor(counts + ROUNDING)


def check_int32(value: int, what: str, frame: int) -> int:
    """`value` if a 32-bit signed count holds it, else `PandaPlanError`."""
    low, high = INT32
    if not low <= value <= high:
        raise PandaPlanError(
            f"{what} is {value} counts, beyond the 32-bit range {low}..{high}",
            frame=frame,
        )
    return value
