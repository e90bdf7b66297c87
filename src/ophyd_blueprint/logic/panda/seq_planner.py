"""A scanspec path as PandA sequencer tables: a few rows for any scan size.

Pure: no I/O. Each window of the path (`seq_path`) is a *guard* row, waiting
until the motor is on the near side of the window's start (so a snake's
turnaround or a raster's flyback, which end exactly there, cannot start the
next window early), then *frame* rows waiting for the motor to reach the
start and timing the window's frames from there: phase 1 (the live time)
with the trigger output high, phase 2 (the deadtime) low; a gate output, if
asked for, stays high through both. A row repeats up to 65535 times and the
trigger is checked before each repeat, which a motor past the start passes at
once, so one row times a line of frames.

The SEQ block holds `MAX_ROWS` rows, and its REPEATS run the whole table
again: a raster is one window's rows repeated per line, a snake the two
directions' rows repeated per pair of lines, whatever the number of lines.
What does not fit one table is cut into *segments*, each starting at a
gated window: an odd number of snake lines beyond the table's length (the
pairs, then the last line), or a path with no repeating structure. The
pandablocks-ioc writes a table whole (its NTTable PV; the server's streaming
``<<`` appends are not exposed), and a table written while the block runs
stops it, so segments are loaded one after the other: when one has run (ACTIVE
falls) the next is written and the block enabled again, in the gap before the
next window, whose guard row waits for the motor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..trajectory_scanspec import Spec
from .encoders import INPUTS, Encoder, PandaPlanError
from .seq_path import Gate, PathPasses, Window
from .seq_table import MAX_ROWS, OUTPUTS, SeqTable, SeqTrigger, seq_table

__all__ = ["SeqPlanner", "SeqSegment"]

MAX_REPEATS = 2**16 - 1
"""A row's REPEATS is 16 bits (0 would repeat it forever)."""
TRIGGERS = list(SeqTrigger)
"""TRIGGER column labels by their number in the FPGA."""

ROW = np.dtype(
    [
        ("repeats", np.int64),
        ("trigger", np.int8),
        ("position", np.int64),
        ("time1", np.int64),
        ("out1", np.uint8),
        ("time2", np.int64),
        ("out2", np.uint8),
    ]
)
"""Rows while planning; outputs as bit masks (bit 0 is OUTA)."""
Rows = npt.NDArray[np.void]


@dataclass(frozen=True, eq=False)
class SeqSegment:
    """One table and the REPEATS it runs with; `frames` are the frames it
    times in all, `first_frame` the scan frame it starts at."""

    table: SeqTable
    repeats: int
    frames: int
    first_frame: int


@dataclass(frozen=True)
class _Piece:
    """Rows of consecutive windows, starting gated (or continuing)."""

    rows: Rows
    frames: int
    gated: bool
    first_frame: int


class SeqPlanner:
    """The sequencer tables of `spec`, segment by segment.

    `encoders` maps each axis the sequencer may gate on to its `Encoder`
    (the first that moves in a window's first frame gates it). Frames are
    timed in ticks of `tick` seconds (the block's PRESCALE): a frame's
    duration must be a whole number of them; `deadtime` seconds (at least a
    tick) end each frame with the trigger output low. `trigger` and `gate`
    name outputs (``A``..``F``; `gate` optional). Raises `PandaPlanError`
    when made if the tables cannot express the scan.
    """

    def __init__(
        self,
        spec: Spec[Any],
        encoders: Mapping[Any, Encoder],
        *,
        deadtime: float = 0.0,
        tick: float = 1e-6,
        trigger: str = "A",
        gate: str | None = None,
        max_rows: int = MAX_ROWS,
        start: int = 0,
    ) -> None:
        if max_rows < 4:
            raise ValueError(f"max_rows must be at least 4, not {max_rows}")
        self.tick = tick
        self.max_rows = max_rows
        self.start = start
        self._path = PathPasses(spec, encoders)
        self.frames = self._path.frames - start
        """The frames the tables time (from `start` on)."""
        self._out = _bit(trigger, "trigger")
        self._gate = 0 if gate is None else _bit(gate, "gate")
        if self._gate & self._out:
            raise PandaPlanError(f"the trigger and the gate are both OUT{trigger}")
        self.time1, self.time2 = _phases(self._path.duration, deadtime, tick)
        self._pieces = {
            backwards: {
                gated: self._pass_pieces(windows, gated) for gated in (False, True)
            }
            for backwards, windows in self._path.windows.items()
            if windows
        }
        self._plan = self._choose()

    # -- rows ------------------------------------------------------------------

    def _pass_pieces(self, windows: list[Window], gated: bool) -> list[_Piece]:
        """One pass's rows, cut where a gated window starts."""
        pieces: list[_Piece] = []
        for k, window in enumerate(windows):
            gate = window.gate if (k > 0 or gated) else None
            rows = self._window_rows(window.frames, gate)
            if pieces and gate is None:
                last = pieces[-1]
                pieces[-1] = _Piece(
                    np.concatenate([last.rows, rows]),
                    last.frames + window.frames,
                    last.gated,
                    last.first_frame,
                )
            else:
                pieces.append(
                    _Piece(rows, window.frames, gate is not None, window.first)
                )
        return pieces

    def _window_rows(self, frames: int, gate: Gate | None) -> Rows:
        chunks = -(-frames // MAX_REPEATS)
        guard = 0 if gate is None else 1
        rows = np.zeros(guard + chunks, dtype=ROW)
        frame_rows = rows[guard:]
        frame_rows["repeats"] = MAX_REPEATS
        frame_rows["repeats"][-1] = frames - MAX_REPEATS * (chunks - 1)
        frame_rows["time1"] = self.time1
        frame_rows["out1"] = self._out | self._gate
        frame_rows["time2"] = self.time2
        frame_rows["out2"] = self._gate
        if gate is not None:
            letter = 7 + 2 * INPUTS.index(gate.input)
            # the guard: the motor on the near side of the start, one count off
            near = gate.position + (-1 if gate.rising else 1)
            rows[0] = (1, letter + int(gate.rising), near, 0, 0, 1, 0)
            rows["trigger"][1] = letter + int(not gate.rising)
            rows["position"][1] = gate.position
        return rows

    # -- segments --------------------------------------------------------------

    def _rows_of(self, backwards: bool, gated: bool) -> int:
        return sum(len(p.rows) for p in self._pieces[backwards][gated])

    def _literal_rows(self, after: int = 0) -> int:
        """The rows of passes `after` on, written out one after the other."""
        path = self._path
        kinds = path.backwards[after:].astype(np.int64) * 2 + path.gated[after:]
        values, counts = np.unique(kinds, return_counts=True)
        return sum(
            self._rows_of(bool(k // 2), bool(k % 2)) * int(n)
            for k, n in zip(values.tolist(), counts.tolist(), strict=True)
        )

    def _choose(self) -> tuple[int, int]:
        """(passes per table period, table repeats): period 0 is a literal
        plan cut into segments where it must be."""
        path = self._path
        kinds = path.backwards.astype(np.int64) * 2 + path.gated
        rows = {
            k: self._rows_of(bool(k // 2), bool(k % 2))
            for k in range(4)
            if bool(k // 2) in self._pieces
        }
        if self._literal_rows() <= self.max_rows:
            return path.passes, 1
        for period in (1, 2):
            if len(kinds) < period:
                continue
            pattern = kinds[:period]
            repeated = np.resize(pattern, len(kinds))
            if np.array_equal(repeated, kinds):
                period_rows = sum(rows[int(k)] for k in pattern)
                if period_rows <= self.max_rows:
                    return period, path.passes // period
        return 0, 1

    def __iter__(self) -> Iterator[SeqSegment]:
        """The segments in the order they run; the first is quick to make."""
        if self.start:
            yield from self._resumed()
            return
        period, repeats = self._plan
        if period:
            yield self._segment(self._pieces_of(0, period), repeats, 0)
            done = period * repeats
            if done < self._path.passes:
                first = done * self._path.length
                yield self._segment(self._pieces_of(done, self._path.passes), 1, first)
            return
        yield from self._packed()

    def _resumed(self) -> Iterator[SeqSegment]:
        """From frame `start` (a paused scan resumed): the rest of its pass,
        its first window gated, then the passes after it: in the same table
        when they fit (the sequencer runs on, ACTIVE high, as it would have),
        else repeated tables where the whole scan had them, else packed."""
        path = self._path
        r, windows = path.resumed(self.start)
        base = r * path.length
        head = [
            _Piece(p.rows, p.frames, p.gated, base + p.first_frame)
            for p in self._pass_pieces(windows, gated=True)
        ]
        after = r + 1
        period, _ = self._plan
        head_rows = sum(len(p.rows) for p in head)
        if (
            after == path.passes
            or head_rows + self._literal_rows(after) <= self.max_rows
            or not period
            or not path.gated[after]
            or head_rows > self.max_rows
        ):
            yield from self._packed(head, after)
            return
        yield self._segment(head, 1, self.start)
        repeats = (path.passes - after) // period
        done = after + period * repeats
        if repeats:
            pieces = self._pieces_of(after, after + period)
            yield self._segment(pieces, repeats, after * path.length)
        if done < path.passes:
            pieces = self._pieces_of(done, path.passes)
            yield self._segment(pieces, 1, done * path.length)

    def _pieces_of(self, start: int, stop: int) -> list[_Piece]:
        path = self._path
        pieces: list[_Piece] = []
        for r in range(start, stop):
            backwards, gated = bool(path.backwards[r]), bool(path.gated[r])
            for piece in self._pieces[backwards][gated]:
                first = r * path.length + piece.first_frame
                pieces.append(_Piece(piece.rows, piece.frames, piece.gated, first))
        return pieces

    def _segment(self, pieces: list[_Piece], repeats: int, first: int) -> SeqSegment:
        rows = np.concatenate([p.rows for p in pieces])
        frames = sum(p.frames for p in pieces) * repeats
        return SeqSegment(self._table(rows), repeats, frames, first)

    def _packed(
        self, head: list[_Piece] | None = None, after: int = 0
    ) -> Iterator[SeqSegment]:
        """`head`'s pieces, then pass after pass from `after`, into tables of
        at most `max_rows` rows, each starting at a gated window."""
        batch: list[_Piece] = []
        size = 0
        passes = (
            piece
            for r in range(after, self._path.passes)
            for piece in self._pieces_of(r, r + 1)
        )
        for piece in itertools.chain(head or [], passes):
            if piece.gated and batch and size + len(piece.rows) > self.max_rows:
                yield self._segment(batch, 1, batch[0].first_frame)
                batch, size = [], 0
            batch.append(piece)
            size += len(piece.rows)
            if size > self.max_rows:
                start = batch[0].first_frame
                raise PandaPlanError(
                    f"the frames from here on run without a gap for "
                    f"{size} rows or more, beyond the {self.max_rows} the "
                    "sequencer's table holds",
                    frame=start,
                )
        if batch:
            yield self._segment(batch, 1, batch[0].first_frame)

    def _table(self, rows: Rows) -> SeqTable:
        columns: dict[str, Any] = {
            "repeats": rows["repeats"],
            "trigger": [TRIGGERS[t] for t in rows["trigger"].tolist()],
            "position": rows["position"],
            "time1": rows["time1"],
            "time2": rows["time2"],
        }
        for phase in (1, 2):
            mask = rows[f"out{phase}"]
            for bit, letter in enumerate(OUTPUTS):
                columns[f"out{letter}{phase}"] = (mask >> bit) & 1 == 1
        return seq_table(max_rows=self.max_rows, **columns)


def _bit(letter: str, what: str) -> int:
    if len(letter) != 1 or letter.lower() not in OUTPUTS:
        raise PandaPlanError(f"the {what} output is one of A..F, not {letter!r}")
    return 1 << OUTPUTS.index(letter.lower())


def _phases(duration: float, deadtime: float, tick: float) -> tuple[int, int]:
    """(live, dead) ticks of a frame of `duration` seconds."""
    if not tick > 0:
        raise PandaPlanError(f"the sequencer's tick must be positive, not {tick}")
    ticks = duration / tick
    period = round(ticks)
    if abs(ticks - period) > 1e-6:
        raise PandaPlanError(
            f"frames of {duration:g} s are not a whole number of the sequencer's "
            f"{tick:g} s ticks"
        )
    dead = max(1, math.ceil(deadtime / tick - 1e-9))
    if period - dead < 1:
        raise PandaPlanError(
            f"frames of {duration:g} s leave no live time after a deadtime of "
            f"{dead * tick:g} s"
        )
    if period - dead > 2**32 - 1:
        raise PandaPlanError(
            f"frames of {duration:g} s are more than 2**32 ticks of {tick:g} s: "
            "use a longer tick"
        )
    return period - dead, dead
