"""A scanspec path as the sequencer sees it: passes of windows, never frames.

A path is the product of a few small dimensions (``spec.calculate()``): the
innermost one is flown as a *pass* (forwards, or backwards on a snake's odd
passes) once for every frame of the outer ones. Only the innermost
dimension's axes move during a frame, so only they can gate. A pass splits
into *windows*, runs of frames with no gap between them (scanspec's gaps);
a window that follows a gap, or a pass that turns back (a snake), starts
*gated*: the sequencer waits for the motor to reach it. Everything here costs
the size of the innermost dimension plus one flag per pass; no per-frame
array of the whole path is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..trajectory_checks import duration_dimension
from ..trajectory_scanspec import Dimension, SnakedDimension, Spec
from .encoders import Encoder, PandaPlanError, check_int32, reached

__all__ = ["Gate", "PathPasses", "Window"]

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Gate:
    """Where a window starts: the count `position` on input `input`, reached
    moving up (`rising`) or down."""

    input: str
    rising: bool
    position: int


@dataclass(frozen=True)
class Window:
    """Frames ``first`` to ``first + frames - 1`` of a pass, flown without a
    gap; `gate` is None when the window goes straight on from the one before."""

    first: int
    frames: int
    gate: Gate | None


class PathPasses:
    """The passes of `spec` and the windows of each, for `encoders` (by axis).

    `windows[backwards]` are a pass's windows each way (the first gated or
    not as the pass starts); `gated[r]` says whether pass ``r`` starts gated
    (always the first); `backwards[r]` whether it runs backwards.
    """

    def __init__(self, spec: Spec[Any], encoders: Mapping[Any, Encoder]) -> None:
        stack: list[Dimension[Any]] = spec.calculate()
        self.duration = _one_duration(stack)
        inner = self._inner = stack[-1]
        self.length = len(inner)
        self.passes = int(np.prod([len(dim) for dim in stack[:-1]], dtype=np.int64))
        self.frames = self.length * self.passes
        self.snaked = isinstance(inner, SnakedDimension)
        self._encoders = [(a, e) for a, e in encoders.items() if a in inner.axes()]
        if not self._encoders:
            named = ", ".join(str(getattr(a, "name", a)) for a in inner.axes())
            raise PandaPlanError(
                f"no encoder is configured for the axes that move during a frame "
                f"({named}): the sequencer cannot see where a line starts"
            )
        self.windows = {
            False: self._windows(inner, backwards=False),
            True: self._windows(inner, backwards=True) if self.snaked else [],
        }
        self.backwards: Bools = np.zeros(self.passes, dtype=np.bool_)
        if self.snaked:
            self.backwards[1::2] = True
        self.gated = self._pass_starts(stack)

    def _bounds(
        self, inner: Dimension[Any], backwards: bool
    ) -> tuple[dict[Any, npt.NDArray[np.float64]], dict[Any, npt.NDArray[np.float64]]]:
        """Each encoder axis's frame starts and ends, in a pass's travel order."""
        lower: dict[Any, npt.NDArray[np.float64]] = {}
        upper: dict[Any, npt.NDArray[np.float64]] = {}
        for axis, _ in self._encoders:
            lo = np.asarray(inner.lower[axis], dtype=np.float64)
            up = np.asarray(inner.upper[axis], dtype=np.float64)
            lower[axis], upper[axis] = (up[::-1], lo[::-1]) if backwards else (lo, up)
        return lower, upper

    def resumed(self, frame: int) -> tuple[int, list[Window]]:
        """(the pass of scan frame `frame`, the windows of that pass from it
        on): the first starts gated at `frame`'s window, as after a pause the
        motor ramps into it. Refused if no encoder's axis moves in it."""
        if not 0 <= frame < self.frames:
            raise PandaPlanError(
                f"the path has frames 0 to {self.frames - 1}, not {frame}"
            )
        r, first = divmod(frame, self.length)
        backwards = bool(self.backwards[r])
        lower, upper = self._bounds(self._inner, backwards)
        gate = self._gate(first, lower, upper, backwards)
        if gate is None:
            self._ungated(frame)
        windows = [w for w in self.windows[backwards] if w.first > first]
        end = windows[0].first if windows else self.length
        return r, [Window(first, end - first, gate), *windows]

    def _windows(self, inner: Dimension[Any], *, backwards: bool) -> list[Window]:
        lower, upper = self._bounds(inner, backwards)
        gaps = np.asarray(inner.gap, dtype=np.bool_)[1:]
        breaks = gaps[::-1] if backwards else gaps
        firsts = np.concatenate([[0], np.flatnonzero(breaks) + 1])
        sizes = np.diff(np.append(firsts, self.length))
        # the first window's gate is needed when the pass starts gated
        return [
            Window(int(f), int(n), self._gate(int(f), lower, upper, backwards))
            for f, n in zip(firsts, sizes, strict=True)
        ]

    def _gate(
        self,
        first: int,
        lower: Mapping[Any, npt.NDArray[np.float64]],
        upper: Mapping[Any, npt.NDArray[np.float64]],
        backwards: bool,
    ) -> Gate | None:
        """The first configured axis that moves a count or more in frame
        `first`, as a gate; None if none does (refused if it is needed)."""
        for axis, encoder in self._encoders:
            start, end = encoder.counts([lower[axis][first], upper[axis][first]])
            if abs(end - start) >= 1:
                rising = bool(end > start)
                position = reached(float(start), rising)
                # the sequencer also waits for the count just before it
                for count in (position, position + (-1 if rising else 1)):
                    check_int32(
                        count,
                        f"the start of {getattr(axis, 'name', axis)}'s window",
                        self._frame(first, backwards),
                    )
                return Gate(encoder.input, rising, position)
        return None

    def _frame(self, first: int, backwards: bool) -> int:
        """A scan frame with this pass frame (the first pass that way)."""
        return self.length + first if backwards else first

    def _pass_starts(self, stack: Sequence[Dimension[Any]]) -> Bools:
        """Whether each pass starts gated: the first; after a snake's turn;
        where the innermost or an outer dimension has a gap at the join."""
        gated = np.full(self.passes, self.snaked, dtype=np.bool_)
        if not self.snaked:
            gated |= bool(np.asarray(stack[-1].gap, dtype=np.bool_)[0])
            every = 1
            for dim in reversed(stack[:-1]):
                # the passes where this dimension steps, and its gap there
                steps = np.arange(0, self.passes, every)
                gaps = dim.extract(steps // every, calculate_gap=False).gap
                gated[steps] |= np.asarray(gaps, dtype=np.bool_)
                every *= len(dim)
        gated[0] = True
        for backwards in (False, True):
            runs = self.backwards == backwards
            windows = self.windows[backwards]
            if (gated & runs).any() and windows and windows[0].gate is None:
                self._ungated(int(np.flatnonzero(gated & runs)[0]) * self.length)
        for backwards, windows in self.windows.items():
            for window in windows[1:]:
                if window.gate is None:
                    self._ungated(self._frame(window.first, backwards))
        return gated

    def _ungated(self, frame: int) -> None:
        named = ", ".join(
            f"{getattr(a, 'name', a)} (POS{e.input})" for a, e in self._encoders
        )
        raise PandaPlanError(
            f"a window starts here, but none of the encoders' axes ({named}) moves "
            "a count or more during its first frame: the sequencer cannot see "
            "where it starts",
            frame=frame,
        )


def _one_duration(stack: Sequence[Dimension[Any]]) -> float:
    try:
        timed = stack[duration_dimension(stack)]
    except ValueError as error:
        raise PandaPlanError(str(error)) from None
    durations = np.asarray(timed.duration, dtype=np.float64)
    if durations.max() - durations.min() > 1e-12 * durations.max():
        raise PandaPlanError(
            f"frames last from {durations.min():g} to {durations.max():g} s: the "
            "sequencer's rows time frames of one duration"
        )
    duration = float(durations[0])
    if not duration > 0:
        raise PandaPlanError(f"frames last {duration:g} s; they must last longer")
    return duration
