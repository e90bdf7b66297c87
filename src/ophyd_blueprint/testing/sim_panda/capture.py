"""PCAP: arm, then capture the selected fields on each TRIG edge while enabled.

After ``*PCAP.ARM=`` the block waits for ENABLE; from its rising edge it
accumulates the captured position fields while GATE is high (sums over time,
min, max) and, on each TRIG edge, emits one sample of every field whose
CAPTURE is not ``No``. ENABLE falling ends the capture (``Ok``), as does
``*PCAP.DISARM=`` (``Disarmed``). Timestamps are ticks since ENABLE rose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .blocks import CLOCK_HZ
from .buses import Buses
from .framing import Column
from .logic import BlockLogic

__all__ = ["CaptureRun", "PcapLogic"]

_TICK = 1 / CLOCK_HZ
_EXT = {
    "TS_START": ("int64", _TICK, "s"),
    "TS_END": ("int64", _TICK, "s"),
    "TS_TRIG": ("int64", _TICK, "s"),
    "GATE_DURATION": ("int64", _TICK, "s"),
}
_ACCUMULATED = frozenset({"Min", "Max", "Sum", "Mean"})
_POS_TYPES = {
    "Value": "int32",
    "Diff": "int32",
    "Min": "int32",
    "Max": "int32",
    "Sum": "int64",
    "Mean": "int64",
}


@dataclass
class CaptureRun:
    """One armed capture: its columns and the samples taken so far."""

    columns: list[Column]
    arm_time: str
    gate_column: int | None
    pending: list[list[float]] = field(default_factory=list[list[float]])
    count: int = 0


@dataclass
class _Accumulator:
    total: int = 0
    low: int | None = None
    high: int | None = None
    at_last: int = 0


class PcapLogic(BlockLogic):
    """The PCAP block; `on_start`/`on_end` tell the data port."""

    def __init__(
        self,
        engine: Buses,
        on_start: Callable[[CaptureRun], None],
        on_end: Callable[[CaptureRun, str], None],
    ) -> None:
        super().__init__(engine, "PCAP")
        self.on_start = on_start
        self.on_end = on_end
        self.run: CaptureRun | None = None
        self.enabled_at: int | None = None
        self.gate_high = False
        self.gate_ticks = 0
        self.gate_start: int | None = None
        self.gate_end = 0
        self.accumulators: dict[str, _Accumulator] = {}
        self.integrated_to = 0

    # -- arming -------------------------------------------------------------

    def arm(self) -> None:
        if self.run is not None:
            return
        columns = self._columns()
        gate = next(
            (i for i, c in enumerate(columns) if c.name == "PCAP.GATE_DURATION"), None
        )
        if gate is None and any(c.capture == "Mean" for c in columns):
            columns.insert(0, self._ext_column("GATE_DURATION"))
            gate = 0
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.run = CaptureRun(columns, stamp.replace("+00:00", "Z"), gate)
        self.enabled_at = None
        self._last.pop("ENABLE", None)
        self.out("ACTIVE", True)
        self.on_start(self.run)

    def disarm(self) -> None:
        self._finish("Disarmed")

    def _finish(self, reason: str) -> None:
        run, self.run = self.run, None
        self.enabled_at = None
        self.out("ACTIVE", False)
        if run is not None:
            self.on_end(run, reason)

    def _columns(self) -> list[Column]:
        store = self.engine.store
        columns: list[Column] = []
        for key in self.engine.pos_names:
            capture = store.values[f"{key}.CAPTURE"]
            if capture == "No":
                continue
            scale = float(store.values[f"{key}.SCALE"])
            offset = float(store.values[f"{key}.OFFSET"])
            units = store.values[f"{key}.UNITS"]
            columns += [
                Column(key, mode, _POS_TYPES[mode], scale, offset, units)
                for mode in capture.split(" ")
            ]
        for name in (*_EXT, "BITS0", "BITS1", "BITS2", "BITS3"):
            if store.values[f"PCAP.{name}.CAPTURE"] != "No":
                columns.append(self._ext_column(name))
        return columns

    def _ext_column(self, name: str) -> Column:
        if name in _EXT:
            raw_type, scale, units = _EXT[name]
            return Column(f"PCAP.{name}", "Value", raw_type, scale, 0.0, units)
        return Column(f"PCAP.{name}", "Value", "uint32")

    # -- running ------------------------------------------------------------

    def busy(self) -> bool:
        return self.run is not None

    def samples(self) -> bool:
        """Accumulating (Min, Max, Sum, Mean) over the gate needs positions
        between triggers; a Value or Diff is read at the trigger."""
        run = self.run
        return (
            run is not None
            and self.enabled_at is not None
            and self.gate_high
            and any(c.capture in _ACCUMULATED for c in run.columns)
        )

    def integrate(self, t: int) -> None:
        """Add the gated values held from the last step until `t`."""
        if self.enabled_at is not None and self.gate_high and self.run is not None:
            ticks = t - self.integrated_to
            self.gate_ticks += ticks
            for key, acc in self.accumulators.items():
                acc.total += self.engine.pos[key] * ticks
        self.integrated_to = t

    def evaluate(self, t: int) -> None:
        rose, fell = self.edge("ENABLE", self.bit("ENABLE"))
        gate_rose, gate_fell = self.edge("GATE", gate := self.bit("GATE"))
        triggered = self.trig_edge("TRIG")
        if self.run is None:
            return
        if rose and self.enabled_at is None:
            self._begin(t)
        if self.enabled_at is None:
            return
        since = t - self.enabled_at
        if gate_rose and self.gate_start is None:
            self.gate_start = since
        if gate_fell:
            self.gate_end = since
        self.gate_high = gate
        if gate:
            self._extremes()
        if triggered:
            self._sample(since)
        if fell:
            self._finish("Ok")

    def _begin(self, t: int) -> None:
        self.enabled_at = t
        self.integrated_to = t
        self.gate_ticks = 0
        self.gate_start = None
        self.gate_high = False
        assert self.run is not None
        self.accumulators = {
            c.name: _Accumulator(at_last=self.engine.pos[c.name])
            for c in self.run.columns
            if not c.name.startswith("PCAP.")
        }

    def _extremes(self) -> None:
        for key, acc in self.accumulators.items():
            value = self.engine.pos[key]
            acc.low = value if acc.low is None else min(acc.low, value)
            acc.high = value if acc.high is None else max(acc.high, value)

    def _sample(self, since: int) -> None:
        assert self.run is not None
        self.run.pending.append([self._value(c, since) for c in self.run.columns])
        self.run.count += 1
        for key in self.accumulators:
            value = self.engine.pos[key]
            fresh = _Accumulator(at_last=value)
            if self.gate_high:
                fresh.low = fresh.high = value
            self.accumulators[key] = fresh
        self.gate_ticks = 0
        self.gate_start = since if self.gate_high else None
        self.gate_end = since

    def _value(self, column: Column, since: int) -> float:
        name = column.name
        if name.startswith("PCAP."):
            ext = name.removeprefix("PCAP.")
            if ext == "TS_START":
                return float(since if self.gate_start is None else self.gate_start)
            if ext == "TS_END":
                return float(since if self.gate_high else self.gate_end)
            if ext == "TS_TRIG":
                return float(since)
            if ext == "GATE_DURATION":
                return float(self.gate_ticks)
            return float(self.engine.bits_word(int(ext.removeprefix("BITS"))))
        value = self.engine.pos[name]
        acc = self.accumulators[name]
        capture = column.capture
        if capture == "Value":
            return float(value)
        if capture == "Diff":
            return float(value - acc.at_last)
        if capture in ("Sum", "Mean"):
            return float(acc.total)
        if capture == "Min":
            return float(value if acc.low is None else acc.low)
        return float(value if acc.high is None else acc.high)
