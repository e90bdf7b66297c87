"""`FlyPath`: a fly scan's path taken up from one of its frames.

What a motion or trigger device of a fly scan is prepared with when the scan
resumes after a pause: the same scanspec ``Spec`` and the first frame not yet
collected. A motion device ramps into that frame's lower bound and flies the
rest of the path; a trigger device gates that frame and those after it. At the
start of a scan the plan prepares them with the bare ``Spec`` (frame 0), so
devices that cannot resume still fly scans that are never paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["FlyPath", "path_of"]


@dataclass(frozen=True)
class FlyPath:
    """The frames of `spec` from `start` (0-based, in the path's order) on."""

    spec: Any
    start: int = 0

    def __post_init__(self) -> None:
        if self.start < 0:
            raise ValueError(f"a path starts at frame 0 or later, not {self.start}")


def path_of(value: Any) -> FlyPath:
    """`value` as a `FlyPath`: a bare ``Spec`` is its path from frame 0."""
    return value if isinstance(value, FlyPath) else FlyPath(value)
