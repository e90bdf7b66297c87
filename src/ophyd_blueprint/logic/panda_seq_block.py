"""A SEQ block as a trigger source: tables loaded, run, and loaded again.

The part shared by ``trigger.PandaSeq`` (tables planned from a scanspec path)
and ``trigger.PandaSeqTable`` (a static table): both hand it segments
(`SeqSegment`), a table and its REPEATS each. The first is written at
prepare; `start` enables the block; each further segment is written when the
one before has run (ACTIVE falls), and the block enabled again, since
pandablocks-ioc writes a table whole and a table written while the block runs
stops it. `finished` waits for the last, within the scan's expected duration
plus ``timeout``.

ACTIVE falls between two segments, so what it enables stops there: a PandA's
PCAP enabled by SEQn.ACTIVE ends its capture with the first table, and the
frames of the others are lost. The optional `running` role (a soft bit,
``BITS.A``) is held high from `start` until the last segment has run (or
`halt`): PCAP enabled by it (``PCAP.ENABLE = BITS.OUTA``) captures across
the reloads.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC
from collections.abc import Iterator
from typing import Any, cast

import numpy as np

from ophyd_blueprint.core import SignalRW, Table

from .base import READABLE, WRITABLE, SettingsRules, role
from .flags import FLAG_DTYPES, flag
from .panda.seq_planner import SeqSegment
from .panda.seq_table import SeqTable
from .panda_block import BlockSwitch
from .trigger_source import TriggerSource, TriggerSourceError

__all__ = ["SeqBlockSource"]

RW = READABLE & WRITABLE
ENUM = frozenset({"enum", "str"})
NUMBER = frozenset({"float", "int"})


class SeqBlockSource(TriggerSource, ABC):
    """Loads `SeqSegment` tables into one SEQ block and runs them in turn."""

    roles = (
        role("table", RW, doc="SEQn:TABLE, the NTTable of rows"),
        role("enable", RW, ENUM, doc="SEQn:ENABLE, a bit mux: ZERO or ONE"),
        role("active", READABLE, doc="SEQn:ACTIVE"),
        role("repeats", RW, NUMBER, doc="SEQn:REPEATS, runs of the whole table"),
        role("prescale", RW, NUMBER, doc="SEQn:PRESCALE, the tick of the times"),
        role("prescale_units", RW, ENUM, doc="SEQn:PRESCALE:UNITS"),
        role(
            "running",
            RW,
            FLAG_DTYPES,
            required=False,
            doc="a soft bit (BITS:A) held 1 from start until the last table ran",
        ),
    )
    settings = SettingsRules(
        order=(("prescale_units", "prescale"),),
        never=frozenset({"enable", "running"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._segments: Iterator[SeqSegment] = iter(())
        self._next: SeqSegment | None = None
        self._loaded = 0
        self._seconds = 0.0
        self._ends = True
        self._loader: asyncio.Task[None] | None = None

    @property
    def switch(self) -> BlockSwitch:
        return BlockSwitch(
            self.device.name,
            self.bound["enable"],
            self.bound["active"],
            self._timeout,
        )

    async def load(
        self,
        segments: Iterator[SeqSegment],
        tick: float,
        seconds: float,
        *,
        ends: bool = True,
    ) -> None:
        """Stop the block, set its tick and write the first segment; `seconds`
        is how long all the segments are expected to run, if they `ends` (not
        repeated until stopped)."""
        await self.halt()
        switch = self.switch
        # units first: a PandA rescales the current value to new units
        await self._rw("prescale_units").set("us", timeout=switch.timeout)
        await self._rw("prescale").set(tick * 1e6, timeout=switch.timeout)
        first = next(segments)
        self._segments, self._seconds, self._loaded = segments, seconds, 0
        self._ends = ends
        await self._write(first)
        self._next = next(segments, None)

    async def _write(self, segment: SeqSegment) -> None:
        timeout = self.switch.timeout
        await asyncio.gather(
            self._rw("table").set(self._table_value(segment.table), timeout=timeout),
            self._rw("repeats").set(segment.repeats, timeout=timeout),
        )
        self._loaded += 1

    def _table_value(self, table: SeqTable) -> Any:
        """`table` as the bound signal takes it: itself, or its columns in the
        types of another table class with the same columns (a blueprint's own,
        e.g. pandablocks-ioc's ``uint8`` outputs)."""
        datatype = self._rw("table").datatype
        if (
            datatype is None
            or isinstance(table, datatype)
            or not issubclass(datatype, Table)
        ):
            return table
        columns: dict[str, Any] = {}
        for name, spec in datatype.columns().items():
            value: Any = getattr(table, name)
            columns[name] = (
                [t.value for t in table.trigger]
                if name == "trigger"
                else np.asarray(value, dtype=spec.dtype_numpy)
            )
        return columns

    async def _hold(self, on: bool) -> None:
        """Raise or drop the `running` bit, if bound."""
        running = self.bound.get("running")
        if running is not None:
            bit = cast(SignalRW[Any], running)
            await bit.set(flag(bit, on), timeout=self.switch.timeout)

    async def start(self) -> None:
        await self._hold(True)
        # one table that ends can run between two of the IOC's polls of ACTIVE
        short = self._ends and self._next is None
        await self.switch.on(self._seconds if short else None)
        if self._next is not None:
            self._loader = asyncio.ensure_future(self._load_while_running())

    async def _load_while_running(self) -> None:
        switch = self.switch
        while self._next is not None:
            await switch.until(False, None)
            await switch.enable.set("ZERO", timeout=switch.timeout)
            await self._write(self._next)
            self._next = next(self._segments, None)
            await switch.on()

    async def finished(self) -> None:
        wait = self._seconds + self.switch.timeout
        try:
            async with asyncio.timeout(wait):
                if self._loader is not None:
                    await self._loader
                await self.switch.until(False, None)
                await self._hold(False)
        except TimeoutError:
            raise TriggerSourceError(
                f"{self.device.name}: the sequencer still runs {wait:g} s after "
                f"kickoff (table {self._loaded} loaded, "
                f"{'more to come' if self._next else 'the last'}); its frames "
                f"take {self._seconds:g} s"
            ) from None

    async def halt(self) -> None:
        loader, self._loader = self._loader, None
        if loader is not None:
            loader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await loader
        await self.switch.off()
        await self._hold(False)
