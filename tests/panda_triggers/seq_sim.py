"""A tiny pure model of the SEQ block running tables over an encoder track.

The oracle for the planner's tests: it knows nothing of how the rows were
planned. It runs rows as the FPGA does (a row's trigger checked before each
repeat, phase 1 then phase 2, the table run REPEATS times, segments one after
the other) against motors moving along the spec's own frames, and reports
when the trigger output was high.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scanspec.core import Path

from ophyd_blueprint.logic.panda import Encoder, SeqSegment


class Stuck(AssertionError):
    """A row waits for a position the motor never reaches again."""


@dataclass
class Track:
    """Piecewise-linear motion of each encoder, in counts, against time."""

    times: list[float] = field(default_factory=list[float])
    counts: dict[str, list[float]] = field(default_factory=dict[str, list[float]])

    def at(self, letter: str, t: float) -> float:
        return float(np.interp(t, self.times, self.counts[letter]))

    def first(self, letter: str, t0: float, test: Any) -> float:
        """The first time from `t0` at which ``test(counts)`` holds, where
        `test` is ``(">=", level)`` or ``("<", level)`` on real counts."""
        op, level = test
        times, values = self.times, self.counts[letter]

        def holds(c: float) -> bool:
            return c >= level if op == ">=" else c < level

        if holds(self.at(letter, t0)):
            return t0
        for k in range(1, len(times)):
            ta, tb = times[k - 1], times[k]
            if tb <= t0:
                continue
            ca, cb = values[k - 1], values[k]
            if holds(cb) and cb != ca:
                crossing = ta + (level - ca) / (cb - ca) * (tb - ta)
                if op == "<":  # strictly beyond: a hair after the level
                    crossing = math.nextafter(crossing, math.inf)
                return max(t0, crossing)
        raise Stuck(f"POS{letter} {op} {level} never holds after t={t0}")


def floor_test(trigger: str, position: int) -> tuple[str, float] | None:
    """A POSx>=/<= trigger on whole (floored) counts as a test on real counts."""
    if trigger.endswith(">=POSITION"):
        return (">=", float(position))
    if trigger.endswith("<=POSITION"):
        return ("<", float(position + 1))
    return None


def run(
    segments: Iterable[SeqSegment], track: Track, tick: float
) -> list[tuple[float, float]]:
    """(start, end) of every phase-1 pulse on OUTA."""
    t = 0.0
    pulses: list[tuple[float, float]] = []
    for segment in segments:
        rows = segment.table.rows()
        for _ in range(segment.repeats):
            for row in rows:
                trigger = str(row["trigger"])
                for _ in range(int(row["repeats"])):
                    test = floor_test(trigger, int(row["position"]))
                    if test is not None:
                        t = track.first(trigger[3], t, test)
                    time1 = int(row["time1"]) * tick
                    if row["outa1"] and time1 > 0:
                        pulses.append((t, t + time1))
                    t += time1 + int(row["time2"]) * tick
    return pulses


def flown(
    spec: Any,
    encoders: Mapping[Any, Encoder],
    overshoot: float,
    gap: float = 1.0,
    start: int = 0,
) -> tuple[Track, Any]:
    """The motion along `spec`'s frames from frame `start` (a paused scan
    resumed ramps into it): each window at its frames' speed, run up to and
    run out beyond by `overshoot` counts, `gap` seconds from one window's
    run-out to the next's run-up; returns the track and the frames
    (scanspec's own, the path from `start`)."""
    frames = Path(spec.calculate(), start=start).consume()
    duration = float(frames.duration[0])
    axes = [a for a in encoders if a in frames.axes()]
    n = len(frames.gap)
    lower = {a: encoders[a].counts(frames.lower[a]) for a in axes}
    upper = {a: encoders[a].counts(frames.upper[a]) for a in axes}
    starts = np.asarray(frames.gap, dtype=bool).copy()
    starts[0] = True
    for a in axes:
        step = np.sign(upper[a] - lower[a])
        starts[1:] |= (step[1:] * step[:-1]) < 0  # a turn without a gap
    track = Track(counts={encoders[a].input: [] for a in axes})
    t = 0.0

    def point(t: float, values: Mapping[Any, float]) -> None:
        track.times.append(t)
        for a in axes:
            track.counts[encoders[a].input].append(float(values[a]))

    first_points = np.flatnonzero(starts)
    ends = np.append(first_points[1:], n)
    for w, (first, end) in enumerate(zip(first_points, ends, strict=True)):
        direction = {a: np.sign(upper[a][first] - lower[a][first]) for a in axes}
        run_up = {a: lower[a][first] - direction[a] * overshoot for a in axes}
        if w:
            t += gap  # run out, then come round to the run-up
            point(t, run_up)
        else:
            point(t, run_up)
        speeds = [abs(upper[a][first] - lower[a][first]) / duration for a in axes]
        fastest = max(max(speeds), 1e-9)
        t += overshoot / fastest
        for k in range(first, end):
            point(t, {a: lower[a][k] for a in axes})
            t += duration
        point(t, {a: upper[a][end - 1] for a in axes})
        last = {a: np.sign(upper[a][end - 1] - lower[a][end - 1]) for a in axes}
        t += overshoot / fastest
        point(t, {a: upper[a][end - 1] + last[a] * overshoot for a in axes})
    return track, frames
