"""The simulation: the bit and position buses, advanced from event to event.

Time is counted in FPGA ticks (125 MHz). `advance(until)` steps to each time
a block's timer is due (a pulse edge, a sequencer phase end) and, while a
block waits on a position (a sequencer row's position trigger, position
compare, a capture accumulating positions), every `sample_ticks`, when
encoder positions are sampled and position conditions checked; at each step
it evaluates every block until the buses settle. Between those, positions
change nothing, so none are sampled: a sequencer timing its frames costs a
few steps a frame, not a thousand a second, and keeps up with the clock on
a loaded machine. Encoders read `encoder_position(n, seconds) -> counts`; `watch`
callbacks see the edges of outputs (``TTLOUT1.VAL``) and of any bit.
"""

from __future__ import annotations

from collections.abc import Callable

from .blocks import BLOCKS, CLOCK_HZ, BlockSpec
from .capture import CaptureRun, PcapLogic
from .logic import (
    BitsLogic,
    BlockLogic,
    ClockLogic,
    CounterLogic,
    InencLogic,
    PcompLogic,
    PulseLogic,
    SeqLogic,
    TtlOutLogic,
)
from .store import Store

__all__ = ["EdgeWatcher", "EncoderPosition", "Engine", "constant_position"]

EncoderPosition = Callable[[int, float], float]
"""(encoder number from 1, seconds since the simulation started) -> counts."""

EdgeWatcher = Callable[[str, bool, float], None]
"""(bit or output name, new level, seconds since start), called on each edge."""

_MOST_PASSES = 32
_MOST_STEPS = 20_000
"""Steps one `advance` takes at most: a block firing every few ticks makes the
simulation fall behind the clock instead of starving its server."""


def constant_position(number: int, seconds: float) -> float:
    """The default encoders: standing still at 0."""
    return 0.0


def _logic(engine: Engine, block: BlockSpec) -> list[BlockLogic]:
    made: list[BlockLogic] = []
    inputs = tuple(f.name for f in block.fields if f.type in ("bit_mux", "pos_mux"))
    for number, instance in enumerate(block.instances(), start=1):
        if block.name == "INENC":
            made.append(InencLogic(engine, instance, number))
            continue
        kind = {
            "TTLOUT": TtlOutLogic,
            "BITS": BitsLogic,
            "CLOCK": ClockLogic,
            "PULSE": PulseLogic,
            "COUNTER": CounterLogic,
            "SEQ": SeqLogic,
            "PCOMP": PcompLogic,
        }.get(block.name)
        if kind is not None:
            logic = kind(engine, instance)
            logic.wire(inputs)
            made.append(logic)
    return made


class Engine:
    """The buses and blocks of one simulated PandA."""

    def __init__(
        self,
        store: Store,
        encoder_position: EncoderPosition = constant_position,
        on_capture_start: Callable[[CaptureRun], None] = lambda run: None,
        on_capture_end: Callable[[CaptureRun, str], None] = lambda run, why: None,
        sample_ticks: int = CLOCK_HZ // 1000,
    ) -> None:
        self.store = store
        self.encoder_position = encoder_position
        self.sample_ticks = sample_ticks
        self.now = 0
        self.bit_names = [
            f"{i}.{f.name}"
            for b in BLOCKS
            for i in b.instances()
            for f in b.fields
            if f.type == "bit_out"
        ]
        self.pos_names = [
            f"{i}.{f.name}"
            for b in BLOCKS
            for i in b.instances()
            for f in b.fields
            if f.type == "pos_out"
        ]
        self.bits: dict[str, bool] = dict.fromkeys(self.bit_names, False)
        self.bits.update(ZERO=False, ONE=True)
        self.pos: dict[str, int] = dict.fromkeys(self.pos_names, 0)
        self.pos["ZERO"] = 0
        self.outputs: dict[str, bool] = {}
        self.watchers: list[EdgeWatcher] = []
        self.pcap = PcapLogic(self, on_capture_start, on_capture_end)
        self.logic = [m for b in BLOCKS for m in _logic(self, b)] + [self.pcap]
        self._unsettled = False
        self._moved: set[str] = set()
        self._counts: dict[int, int] = {}
        self._counted_at = -1
        self.step(0)

    # -- the buses ----------------------------------------------------------

    def bit_input(self, mux_key: str) -> bool:
        return self.bits[self.store.values[mux_key]]

    def pos_input(self, mux_key: str) -> int:
        return self.pos[self.store.values[mux_key]]

    def bits_word(self, word: int) -> int:
        """PCAP.BITS<word>: bits 32*word.. of the bus as one uint32."""
        names = self.bit_names[32 * word : 32 * word + 32]
        return sum(1 << i for i, name in enumerate(names) if self.bits[name])

    def set_bit(self, key: str, level: bool) -> None:
        if self.bits[key] != level:
            self.bits[key] = level
            self.store.set(key, "1" if level else "0")
            self._unsettled = True
            self._notify(key, level)

    def set_output(self, key: str, level: bool) -> None:
        if self.outputs.get(key, False) != level:
            self.outputs[key] = level
            self._notify(key, level)

    def set_pos(self, key: str, value: int) -> None:
        if self.pos[key] != value:
            self.pos[key] = value
            self._moved.add(key)
            self._unsettled = True

    def _notify(self, key: str, level: bool) -> None:
        seconds = self.now / CLOCK_HZ
        for watcher in self.watchers:
            watcher(key, level, seconds)

    def encoder_counts(self, number: int, t: int) -> int:
        """Encoder `number`'s count at tick `t`, asked of `encoder_position`
        once a step: the passes that settle the buses read it again."""
        if t != self._counted_at:
            self._counts.clear()
            self._counted_at = t
        counts = self._counts.get(number)
        if counts is None:
            counts = round(self.encoder_position(number, t / CLOCK_HZ))
            self._counts[number] = counts
        return counts

    # -- time ---------------------------------------------------------------

    def advance(self, until: int) -> None:
        """Run every event up to tick `until` (or `_MOST_STEPS` of them), and
        every `sample_ticks` while a block waits on a position."""
        for _ in range(_MOST_STEPS):
            if self.now >= until:
                break
            t = until
            if self.sampling():
                t = min(until, self.now + self.sample_ticks)
            for logic in self.logic:
                due = logic.next_event()
                if due is not None and self.now < due < t:
                    t = due
            self.step(t)
        for key in self._moved:
            self.store.set(key, str(self.pos[key]))
        self._moved.clear()

    def busy(self) -> bool:
        return any(logic.busy() for logic in self.logic)

    def sampling(self) -> bool:
        """Whether a block waits on a position: encoders are sampled."""
        return any(logic.samples() for logic in self.logic)

    def step(self, t: int) -> None:
        """Move to tick `t` and evaluate every block until the buses settle."""
        self.pcap.integrate(t)
        self.now = t
        # a block idle now stays idle while the buses settle: its inputs are
        # all ZERO, which only a command changes, between steps
        working = [logic for logic in self.logic if not logic.idle()]
        for _ in range(_MOST_PASSES):
            self._unsettled = False
            for logic in working:
                logic.evaluate(t)
            if not self._unsettled:
                return
