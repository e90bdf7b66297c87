"""What each simulated block does, evaluated by the engine at event times.

A block reads its inputs through its ``*.ENABLE``/``*.INP``-style mux fields
from the engine's bit and position buses, keeps its state, and drives its
outputs. `evaluate(t)` may run several times at one time while the buses
settle, so a block acts on an input's edge only once (it remembers the last
level it saw). `next_event()` is the next time the block changes by itself
(a timer), or None when only an input can change it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .blocks import SEQ_COLUMNS
from .buses import Buses

__all__ = [
    "BitsLogic",
    "BlockLogic",
    "ClockLogic",
    "CounterLogic",
    "InencLogic",
    "PcompLogic",
    "PulseLogic",
    "SeqLogic",
    "TtlOutLogic",
    "seq_rows",
]


class BlockLogic(ABC):
    """One block instance (``SEQ1``) on the engine's buses."""

    def __init__(self, engine: Buses, instance: str) -> None:
        self.engine = engine
        self.instance = instance
        self._last: dict[str, bool] = {}
        self._inputs: tuple[tuple[str, str], ...] = ()

    def wire(self, inputs: tuple[str, ...]) -> None:
        """Name the block's bit and position mux fields (``ENABLE``, ``INP``)."""
        self._inputs = tuple((name, self.key(name)) for name in inputs)

    def idle(self) -> bool:
        """Whether evaluating it can change nothing: it is not busy and every
        input selects ZERO (is unwired) and was last seen low. Most blocks
        are, and the engine steps a thousand times a simulated second."""
        if not self._inputs or self.busy():
            return False
        values = self.engine.store.values
        last = self._last
        return all(
            values[key] == "ZERO" and not last.get(name, False)
            for name, key in self._inputs
        )

    def key(self, field: str) -> str:
        return f"{self.instance}.{field}"

    def value(self, field: str) -> str:
        return self.engine.store.values[self.key(field)]

    def integer(self, field: str) -> int:
        return int(self.engine.store.values[self.key(field)])

    def bit(self, field: str) -> bool:
        return self.engine.bit_input(self.key(field))

    def position(self, field: str) -> int:
        return self.engine.pos_input(self.key(field))

    def edge(self, field: str, level: bool) -> tuple[bool, bool]:
        """(rose, fell) of input `field` now at `level`, since last looked at."""
        before = self._last.get(field, False)
        self._last[field] = level
        return level and not before, before and not level

    def trig_edge(self, field: str, edge_field: str = "TRIG_EDGE") -> bool:
        rose, fell = self.edge(field, self.bit(field))
        which = self.value(edge_field)
        return (rose and which != "Falling") or (fell and which != "Rising")

    def out(self, field: str, level: bool) -> None:
        self.engine.set_bit(self.key(field), level)

    def read(self, field: str, value: int | str) -> None:
        self.engine.store.set(self.key(field), str(value))

    @abstractmethod
    def evaluate(self, t: int) -> None:
        """Act on the inputs as they are at tick `t`: drive the outputs."""

    def next_event(self) -> int | None:
        return None

    def busy(self) -> bool:
        """Whether the block may change by itself before an input does (a
        timer runs, or it compares positions)."""
        return False

    def samples(self) -> bool:
        """Whether it waits on a position, which changes at any moment: the
        engine then samples the encoders."""
        return False


class TtlOutLogic(BlockLogic):
    """TTLOUTn.VAL follows its input; the engine's watchers see its edges."""

    def evaluate(self, t: int) -> None:
        self.engine.set_output(self.key("VAL"), self.bit("VAL"))


class BitsLogic(BlockLogic):
    """BITS.OUTA..D are the soft bits A..D."""

    def evaluate(self, t: int) -> None:
        for name in "ABCD":
            self.out(f"OUT{name}", self.integer(name) != 0)


class InencLogic(BlockLogic):
    """INENCn.VAL is the encoder's count, from the engine's position hook."""

    def __init__(self, engine: Buses, instance: str, number: int) -> None:
        super().__init__(engine, instance)
        self.number = number

    def evaluate(self, t: int) -> None:
        self.out("CONN", True)
        self.engine.set_pos(self.key("VAL"), self.engine.encoder_counts(self.number, t))


class ClockLogic(BlockLogic):
    """While enabled, OUT is high for WIDTH (half PERIOD if 0) every PERIOD."""

    start = 0

    def evaluate(self, t: int) -> None:
        rose, _ = self.edge("ENABLE", enabled := self.bit("ENABLE"))
        if rose:
            self.start = t
        period = self.engine.store.ticks(self.key("PERIOD"))
        if not enabled or period <= 0:
            self.out("OUT", False)
            return
        width = self.engine.store.ticks(self.key("WIDTH")) or period // 2
        self.out("OUT", (t - self.start) % period < width)

    def next_event(self) -> int | None:
        period = self.engine.store.ticks(self.key("PERIOD"))
        if not self._last.get("ENABLE") or period <= 0:
            return None
        width = self.engine.store.ticks(self.key("WIDTH")) or period // 2
        phase = (self.engine.now - self.start) % period
        base = self.engine.now - phase
        return base + width if phase < width else base + period

    def busy(self) -> bool:
        return bool(self._last.get("ENABLE"))


class PulseLogic(BlockLogic):
    """Each TRIG edge queues PULSES pulses of WIDTH, DELAY after it, STEP apart."""

    def __init__(self, engine: Buses, instance: str) -> None:
        super().__init__(engine, instance)
        self.edges: list[tuple[int, bool]] = []

    def evaluate(self, t: int) -> None:
        enabled = self.bit("ENABLE")
        _, fell = self.edge("ENABLE", enabled)
        triggered = self.trig_edge("TRIG")
        if fell:
            self.edges.clear()
            self.out("OUT", False)
        elif enabled and triggered:
            store = self.engine.store
            delay = store.ticks(self.key("DELAY"))
            width = max(store.ticks(self.key("WIDTH")), 1)
            step = max(store.ticks(self.key("STEP")), width + 1)
            for n in range(max(self.integer("PULSES"), 1)):
                start = t + delay + n * step
                self.edges += [(start, True), (start + width, False)]
            self.edges.sort()
        while self.edges and self.edges[0][0] <= t:
            self.out("OUT", self.edges.pop(0)[1])
        self.read("QUEUED", len(self.edges) // 2)

    def next_event(self) -> int | None:
        return self.edges[0][0] if self.edges else None

    def busy(self) -> bool:
        return bool(self.edges)


class CounterLogic(BlockLogic):
    """OUT starts at START on enable and moves STEP (by DIR) on each TRIG edge."""

    def evaluate(self, t: int) -> None:
        rose, _ = self.edge("ENABLE", enabled := self.bit("ENABLE"))
        value = self.engine.pos[self.key("OUT")]
        if rose:
            value = self.integer("START")
        counted = self.trig_edge("TRIG")
        if enabled and counted:
            step = self.integer("STEP")
            value += -step if self.value("DIR") == "Down" else step
            carry = not -(2**31) <= value < 2**31
            value = (value + 2**31) % 2**32 - 2**31
            self.out("CARRY", carry)
        self.engine.set_pos(self.key("OUT"), value)


def seq_rows(words: list[int]) -> np.ndarray:
    """A SEQ table's words -> one record per row (fields named as the columns)."""
    data = np.asarray(words, dtype=np.uint32).reshape(-1, 4)
    rows = np.zeros(len(data), dtype=[(c.name, np.int64) for c in SEQ_COLUMNS])
    for column in SEQ_COLUMNS:
        word = data[:, column.low // 32].astype(np.int64)
        bits = column.high - column.low + 1
        value = (word >> (column.low % 32)) & ((1 << bits) - 1)
        if column.subtype == "int":
            value = np.where(value >= 1 << (bits - 1), value - (1 << bits), value)
        rows[column.name] = value
    return rows


_TRIGGERS = {
    1: ("BITA", False),
    2: ("BITA", True),
    3: ("BITB", False),
    4: ("BITB", True),
    5: ("BITC", False),
    6: ("BITC", True),
}
_POSITION_TRIGGERS = {
    7: ("POSA", 1),
    8: ("POSA", -1),
    9: ("POSB", 1),
    10: ("POSB", -1),
    11: ("POSC", 1),
    12: ("POSC", -1),
}
_MOST_STEPS = 10_000
"""Transitions one evaluation may make (a table of zero times must not hang)."""


class SeqLogic(BlockLogic):
    """The sequencer: rows wait for their trigger, then run phase 1 and 2.

    A line's trigger is checked before its first repeat; its other repeats
    follow at once. Times are in PRESCALE units (one tick if PRESCALE is 0).
    """

    state = "WAIT_ENABLE"
    line = 0
    line_repeat = 0
    table_repeat = 0
    phase_end = 0

    def __init__(self, engine: Buses, instance: str) -> None:
        super().__init__(engine, instance)
        self._rows: np.ndarray = seq_rows([])
        self._rows_seen = -1

    def rows(self) -> np.ndarray:
        store = self.engine.store
        changed = store.changed[self.key("TABLE")]
        if changed != self._rows_seen:
            self._rows = seq_rows(store.tables[self.key("TABLE")])
            self._rows_seen = changed
        return self._rows

    def evaluate(self, t: int) -> None:
        rose, fell = self.edge("ENABLE", self.bit("ENABLE"))
        if fell:
            self._stop()
        if rose:
            self.line, self.line_repeat, self.table_repeat = 0, 1, 1
            self.state = "WAIT_TRIGGER" if len(self.rows()) else "WAIT_ENABLE"
            self.out("ACTIVE", self.state != "WAIT_ENABLE")
        for _ in range(_MOST_STEPS):
            if not self._step(t):
                break
        self.read("TABLE_LINE", self.line + 1 if self.state != "WAIT_ENABLE" else 0)
        self.read("LINE_REPEAT", self.line_repeat)
        self.read("TABLE_REPEAT", self.table_repeat)
        self.read("STATE", self.state)

    def _step(self, t: int) -> bool:
        """One transition due at `t`; False when there is none."""
        if self.state == "WAIT_TRIGGER":
            if not self._triggered(self.rows()[self.line]):
                return False
            self._phase(t, "1")
        elif self.state == "PHASE1" and t >= self.phase_end:
            self._phase(self.phase_end, "2")
        elif self.state == "PHASE2" and t >= self.phase_end:
            self._next_line()
        else:
            return False
        return True

    def _triggered(self, row: np.void) -> bool:
        trigger = int(row["TRIGGER"])
        if trigger == 0 or self.line_repeat > 1:
            return True
        if trigger in _TRIGGERS:
            field, level = _TRIGGERS[trigger]
            return self.bit(field) == level
        field, sign = _POSITION_TRIGGERS[trigger]
        return (self.position(field) - int(row["POSITION"])) * sign >= 0

    def _phase(self, start: int, phase: str) -> None:
        row = self.rows()[self.line]
        prescale = max(self.engine.store.ticks(self.key("PRESCALE")), 1)
        self.state = f"PHASE{phase}"
        self.phase_end = start + int(row[f"TIME{phase}"]) * prescale
        for name in "ABCDEF":
            self.out(f"OUT{name}", bool(row[f"OUT{name}{phase}"]))

    def _next_line(self) -> None:
        rows = self.rows()
        repeats = int(rows[self.line]["REPEATS"])
        if repeats == 0 or self.line_repeat < repeats:
            self.line_repeat += 1
            self.state = "WAIT_TRIGGER"
            return
        self.line, self.line_repeat = self.line + 1, 1
        if self.line >= len(rows):
            table_repeats = self.integer("REPEATS")
            if table_repeats and self.table_repeat >= table_repeats:
                self._stop()
                return
            self.line = 0
            self.table_repeat += 1
        self.state = "WAIT_TRIGGER"

    def _stop(self) -> None:
        self.state = "WAIT_ENABLE"
        for name in "ABCDEF":
            self.out(f"OUT{name}", False)
        self.out("ACTIVE", False)

    def next_event(self) -> int | None:
        return self.phase_end if self.state in ("PHASE1", "PHASE2") else None

    def busy(self) -> bool:
        return self.state != "WAIT_ENABLE"

    def samples(self) -> bool:
        if self.state != "WAIT_TRIGGER" or self.line_repeat > 1:
            return False
        rows = self.rows()
        return self.line < len(rows) and (
            int(rows[self.line]["TRIGGER"]) in _POSITION_TRIGGERS
        )


class PcompLogic(BlockLogic):
    """Position compare: pulses of WIDTH every STEP from START along DIR.

    On enable it waits for INP to be PRE_START before START (against DIR),
    then OUT rises as INP passes each START + n*STEP and falls WIDTH further,
    PULSES times (0: until disabled). RELATIVE measures from the position
    at enable; DIR Either takes the direction from where START lies.
    """

    state = "WAIT_ENABLE"
    origin = 0
    sign = 1
    produced = 0

    def evaluate(self, t: int) -> None:
        rose, fell = self.edge("ENABLE", self.bit("ENABLE"))
        position = self.position("INP")
        if fell:
            self._finish()
        if rose:
            self._start(position)
        if self.state == "WAIT_PRE_START":
            pre_start = (
                self.origin
                + self.integer("START")
                - self.sign * self.integer("PRE_START")
            )
            if (position - pre_start) * self.sign <= 0:
                self.state = "WAIT_RISING"
        if self.state == "WAIT_RISING" and self._passed(position, 0):
            self.out("OUT", True)
            self.state = "WAIT_FALLING"
        if self.state == "WAIT_FALLING" and self._passed(
            position, max(self.integer("WIDTH"), 1)
        ):
            self.out("OUT", False)
            self.produced += 1
            pulses = self.integer("PULSES")
            self.state = "WAIT_RISING"
            if pulses and self.produced >= pulses:
                self._finish()
        self.read("PRODUCED", self.produced)
        self.read("STATE", self.state)

    def _start(self, position: int) -> None:
        relative = self.value("RELATIVE") == "Relative"
        self.origin = position if relative else 0
        direction = self.value("DIR")
        if direction == "Either":
            ahead = self.origin + self.integer("START") - position
            self.sign = 1 if ahead >= 0 else -1
        else:
            self.sign = 1 if direction == "Positive" else -1
        self.produced = 0
        self.state = "WAIT_PRE_START"
        self.out("ACTIVE", True)

    def _passed(self, position: int, past: int) -> bool:
        """Whether INP is `past` beyond the start of the next pulse, along DIR."""
        distance = self.produced * self.integer("STEP") + past
        target = self.origin + self.integer("START") + self.sign * distance
        return (position - target) * self.sign >= 0

    def _finish(self) -> None:
        self.state = "WAIT_ENABLE"
        self.out("OUT", False)
        self.out("ACTIVE", False)

    def busy(self) -> bool:
        return self.state != "WAIT_ENABLE"

    def samples(self) -> bool:
        return self.busy()
