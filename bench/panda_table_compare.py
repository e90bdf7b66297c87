"""PandA sequencer tables from a scanspec snake, ours beside ophyd-async's.

The time from a spec to its first table ready to write, for snakes from a
thousand frames to ten million (2500 lines of 4000), and how many rows that
table has (ophyd-async's SEQ table holds 4096 rows: beyond, it fails).

Ours is `SeqPlanner` (the first segment of the scan). ophyd-async's is its
``ScanSpecSeqTableFlyableLogic.on_prepare`` run as is, on a mock ``SeqBlock``
and a mock encoder scale/offset (no IOC: its signal writes cost microseconds);
it computes the whole path and builds one row list for it. Medians over
repeats; ratios ours / ophyd-async. Run by ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from ophyd_async.core import init_devices, soft_signal_rw
from ophyd_async.epics.motor import Motor
from ophyd_async.fastcs.panda import (
    PandaTimeUnits,
    PosOutScaleOffset,
    ScanSpecInfo,
    ScanSpecSeqTableFlyableLogic,
    SeqBlock,
    SeqTable,
)
from scanspec.specs import Fly, Line, Spec

from ophyd_blueprint.logic.panda import Encoder, SeqPlanner

SHAPES = [(10, 100), (100, 1000), (2500, 4000)]
FRAME = 0.01  # seconds
SCALE = 1e-5  # units per count: frames of 250 counts


def snake(y: Any, x: Any, rows: int, columns: int) -> Spec[Any]:
    return Fly(FRAME @ (Line(y, 0, 10, rows) * ~Line(x, 0, 10, columns)))


def ours(rows: int, columns: int) -> str:
    spec = snake("y", "x", rows, columns)
    planner = SeqPlanner(spec, {"x": Encoder("A", SCALE)}, deadtime=1e-6)
    first = next(iter(planner))
    return f"{len(first.table)} rows x {first.repeats}"


class Theirs:
    """ophyd-async's scanspec-to-table logic on mock devices, one event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._devices())

    async def _devices(self) -> None:
        async with init_devices(mock=True):
            self.x = Motor("BENCH:X:")
            self.y = Motor("BENCH:Y:")
        # its SeqBlock is filled from PVI; here, its signals in memory
        self.seq = SeqBlock()
        self.seq.table = soft_signal_rw(SeqTable)
        self.seq.active = soft_signal_rw(bool)
        self.seq.repeats = soft_signal_rw(int)
        self.seq.prescale = soft_signal_rw(float)
        self.seq.prescale_units = soft_signal_rw(PandaTimeUnits)
        self.seq.enable = soft_signal_rw(str)
        self.seq.posa = soft_signal_rw(str)
        await self.seq.connect()
        scale = soft_signal_rw(float, SCALE)
        offset = soft_signal_rw(float, 0.0)
        await scale.connect()
        await offset.connect()
        self.logic = ScanSpecSeqTableFlyableLogic(
            self.seq, {self.x: PosOutScaleOffset("INENC1.VAL", scale, offset)}
        )

    def __call__(self, rows: int, columns: int) -> str:
        info = ScanSpecInfo(spec=snake(self.y, self.x, rows, columns), deadtime=1e-6)
        try:
            self.loop.run_until_complete(self.logic.on_prepare(info))
        except ValueError as error:
            found = re.search(r"Length \d+ is too long", str(error))
            return f"fails: {found.group() if found else error}"
        table = self.loop.run_until_complete(self.seq.table.get_value())
        return f"{len(table)} rows"


def timed(plan: Callable[[int, int], str], shape: tuple[int, int], repeats: int):
    seconds: list[float] = []
    outcome = ""
    for _ in range(repeats):
        start = time.perf_counter()
        outcome = plan(*shape)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    theirs = Theirs()
    print(
        f"\n## PandA sequencer table from a snake: spec to first table, median "
        f"of {args.repeats}\n"
    )
    print(
        "| snake | frames | ours (ms) | ours: table | ophyd-async (ms) "
        "| ophyd-async: table | ours / ophyd-async |"
    )
    print("|---|---:|---:|---|---:|---|---:|")
    for rows, columns in SHAPES:
        mine, my_table = timed(ours, (rows, columns), args.repeats)
        other, their_table = timed(theirs, (rows, columns), args.repeats)
        print(
            f"| {rows}x{columns} | {rows * columns:,} | {mine * 1e3:.1f} "
            f"| {my_table} | {other * 1e3:.1f} | {their_table} "
            f"| {mine / other:.2g} |"
        )


if __name__ == "__main__":
    main()
