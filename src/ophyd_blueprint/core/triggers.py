"""How a detector is to be triggered: `TriggerInfo` and `DetectorTrigger`.

The same meaning as in ophyd-async: a plan ``prepare``s each detector with a
`TriggerInfo` before a fly scan (or a step scan prepares one frame per
trigger itself). Plain data, so it can be logged, compared and sent over the
wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DetectorTrigger", "TriggerInfo"]


class DetectorTrigger(StrEnum):
    """What starts each exposure."""

    INTERNAL = "internal"
    """The detector's own timer, at the frame period."""
    EXTERNAL_EDGE = "edge"
    """A rising edge on the trigger input starts an exposure of `livetime`."""
    EXTERNAL_LEVEL = "level"
    """The trigger input's high level is the exposure."""


@dataclass(frozen=True, kw_only=True)
class TriggerInfo:
    """A detector's part in a scan: how many frames, started how, for how long.

    `livetime` is the exposure of one frame (None: leave the detector's own);
    `deadtime` the time between exposures (0: the detector's minimum);
    `exposure_timeout` how long past the expected time a frame may be late
    before the scan fails (None: the detector logic's default).
    """

    number_of_events: int = 1
    trigger: DetectorTrigger = DetectorTrigger.INTERNAL
    livetime: float | None = None
    deadtime: float = 0.0
    exposure_timeout: float | None = None

    def __post_init__(self) -> None:
        if self.number_of_events < 0:
            raise ValueError(
                f"number_of_events must be 0 or more, not {self.number_of_events}"
            )
        if self.livetime is not None and self.livetime < 0:
            raise ValueError(f"livetime must be 0 or more, not {self.livetime}")
        if self.deadtime < 0:
            raise ValueError(f"deadtime must be 0 or more, not {self.deadtime}")
