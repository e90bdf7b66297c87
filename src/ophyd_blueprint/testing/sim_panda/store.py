"""The values of every field and attribute, and which changed since when.

A PandA's server reports changes per client (``*CHANGES?`` returns what
changed since that client last asked), so each value keeps the sequence
number of its last change and each client the number it last saw. Keys are
as the server writes them: ``SEQ1.PRESCALE``, ``SEQ1.PRESCALE.UNITS``,
``PCAP.TRIG`` (a block of one has no number), tables as ``SEQ1.TABLE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from .blocks import CLOCK_HZ, TIME_UNITS, BlockSpec, FieldSpec

__all__ = ["GROUPS", "FieldRef", "PandaError", "Store"]

GROUPS = ("CONFIG", "BITS", "POSN", "READ", "ATTR", "TABLE", "METADATA")
"""The ``*CHANGES.<GROUP>?`` groups, in the order ``*CHANGES?`` reports them."""

_BLOCK_REF = re.compile(r"^([A-Z_]+?)(\d*)$")


class PandaError(Exception):
    """A command the server refuses: sent back as ``ERR <message>``."""


class FieldRef:
    """A field of one block instance: ``SEQ1.TABLE`` (spec and key)."""

    __slots__ = ("block", "field", "key")

    def __init__(self, block: BlockSpec, instance: str, field: FieldSpec) -> None:
        self.block = block
        self.field = field
        self.key = f"{instance}.{field.name}"


class Store:
    """Every value of the simulated PandA, as text, with change tracking."""

    def __init__(self, blocks: tuple[BlockSpec, ...]) -> None:
        self.blocks = {b.name: b for b in blocks}
        self.values: dict[str, str] = {}
        self.seconds: dict[str, float] = {}
        self.tables: dict[str, list[int]] = {}
        self.group: dict[str, str] = {}
        self.changed: dict[str, int] = {}
        self.sequence = 0
        for block in blocks:
            for instance in block.instances():
                for spec in block.fields:
                    self._initialise(f"{instance}.{spec.name}", spec)

    def _initialise(self, key: str, spec: FieldSpec) -> None:
        kind = spec.type
        if kind == "table":
            self.tables[key] = []
            self._track(key, "TABLE")
        elif spec.is_time:
            self.seconds[key] = 0.0
            self._track(f"{key}.UNITS", "ATTR", "s")
            if kind != "write":
                self._track(key, "READ" if kind == "read" else "CONFIG", "0")
        elif kind in ("param", "bit_mux", "pos_mux"):
            self._track(key, "CONFIG", spec.default)
            if kind == "bit_mux":
                self._track(f"{key}.DELAY", "ATTR", "0")
        elif kind == "read":
            self._track(key, "READ", spec.default)
        elif kind == "bit_out":
            self._track(key, "BITS", "0")
        elif kind == "pos_out":
            self._track(key, "POSN", "0")
            self._track(f"{key}.CAPTURE", "ATTR", "No")
            self._track(f"{key}.OFFSET", "ATTR", "0")
            self._track(f"{key}.SCALE", "ATTR", "1")
            self._track(f"{key}.UNITS", "ATTR", "")
        elif kind == "ext_out":
            self._track(f"{key}.CAPTURE", "ATTR", "No")

    def _track(self, key: str, group: str, value: str | None = None) -> None:
        self.group[key] = group
        if value is not None:
            self.values[key] = value
        self.sequence += 1
        self.changed[key] = self.sequence

    # -- names ------------------------------------------------------------

    def instance(self, ref: str) -> tuple[BlockSpec, str]:
        """``SEQ1`` -> (SEQ, ``SEQ1``); ``PCAP`` and ``PCAP1`` -> (PCAP, ``PCAP``).

        A block name alone is its first instance, as the server reads it in
        attribute queries (``SEQ.TABLE.MAX_LENGTH?``).
        """
        match = _BLOCK_REF.match(ref)
        block = self.blocks.get(match[1]) if match else None
        if match is None or block is None:
            raise PandaError(f"No such block {ref!r}")
        number = int(match[2]) if match[2] else 1
        if not 1 <= number <= block.count:
            raise PandaError(f"No such block {ref!r}: {block.name} has {block.count}")
        return block, block.instances()[number - 1]

    def field(self, ref: str) -> FieldRef:
        """``SEQ1.TABLE`` -> its FieldRef; PandaError naming what is missing."""
        block_ref, _, name = ref.partition(".")
        block, instance = self.instance(block_ref)
        spec = block.field(name)
        if spec is None:
            raise PandaError(f"No such field {ref!r}")
        return FieldRef(block, instance, spec)

    # -- values -----------------------------------------------------------

    def set(self, key: str, value: str) -> None:
        """Store `value` for `key`, marking it changed if it differs."""
        if self.values.get(key) != value:
            self.values[key] = value
            self.sequence += 1
            self.changed[key] = self.sequence

    def touch(self, key: str) -> None:
        self.sequence += 1
        self.changed[key] = self.sequence

    def time_factor(self, key: str) -> float:
        return TIME_UNITS[self.values[f"{key}.UNITS"]]

    def set_seconds(self, key: str, seconds: float) -> None:
        """A time field in seconds: kept as whole FPGA ticks, shown in its UNITS."""
        ticks = round(seconds * CLOCK_HZ)
        self.seconds[key] = ticks / CLOCK_HZ
        self.set(key, _number(self.seconds[key] / self.time_factor(key)))

    def ticks(self, key: str) -> int:
        """A time field in FPGA ticks."""
        return round(self.seconds[key] * CLOCK_HZ)

    def integer(self, key: str) -> int:
        return int(self.values[key])

    def changes(self, seen: Mapping[str, int]) -> Iterator[str]:
        """``*CHANGES`` lines: each key of a group in `seen` changed after the
        sequence number `seen` gives for its group."""
        for key, number in self.changed.items():
            group = self.group[key]
            if group not in seen or number <= seen[group]:
                continue
            if group == "TABLE":
                yield f"{key}<"
            else:
                yield f"{key}={self.values[key]}"


def _number(value: float) -> str:
    """A value as the server prints it: integers without a point."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".12g")
