"""Where a simulated motor was at any moment of the last minute, not only now.

Simulations that follow a motor on the shared clock ask where it was at a
moment they have just simulated: the simulated PandA's encoders sample it
from a thread that falls behind the clock under load (by a second or more on
a busy machine), and a detector's frame looks at where the motors were when
it was triggered. Answered from the motor's present state (its current run,
move or rest), such a moment before the state changed gets a position it
never had then: a run that ended a moment ago has the motor at rest at its
end during its last frames. `MotionHistory` keeps what the motor did from
when (a rest, a move, a run's trajectory) and answers from what it did at
that moment.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Protocol

__all__ = ["KEPT_SECONDS", "Motion", "MotionHistory", "Rest"]

KEPT_SECONDS = 60.0
"""How long a motion is remembered after the next one began."""


class Motion(Protocol):
    """What a motor does from some moment on: its position at clock time `t`."""

    def position_at(self, t: float) -> float: ...


@dataclass(frozen=True)
class Rest:
    """Standing still at `position`."""

    position: float

    def position_at(self, t: float) -> float:
        return self.position


class MotionHistory:
    """A motor's motions, each from the clock time it began, in order.

    Written by the simulation's event loop, read from other threads: the
    entries are one tuple, replaced whole, so a reader sees a consistent one.
    """

    def __init__(self, position: float) -> None:
        self._entries: tuple[tuple[float, Motion], ...] = ((-math.inf, Rest(position)),)

    def follow(self, since: float, motion: Motion) -> None:
        """From clock time `since` on, the motor does `motion` (a moment of an
        earlier motion from then on is forgotten); motions more than
        `KEPT_SECONDS` before `since` are forgotten too."""
        entries = self._entries
        kept = bisect.bisect_right(entries, since, key=_since)
        first = 0
        while first + 1 < kept and entries[first + 1][0] <= since - KEPT_SECONDS:
            first += 1
        self._entries = (*entries[first:kept], (since, motion))

    def position_at(self, t: float) -> float:
        """Where the motor was (or is) at clock time `t`: the oldest motion
        remembered answers for earlier times."""
        entries = self._entries
        index = max(bisect.bisect_right(entries, t, key=_since) - 1, 0)
        return entries[index][1].position_at(t)


def _since(entry: tuple[float, Motion]) -> float:
    return entry[0]
