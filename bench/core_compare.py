"""Core figures the shared harness has no workload for, ours beside ophyd-async.

``read()`` of a StandardReadable with 50 soft signals, soft get / put with
wait, and memory per soft signal; same process, same run, medians of batches.
Run by ``make bench`` after the harness.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import ophyd_async.core as oa

import ophyd_blueprint as ob

N_SIGNALS = 50


class OurReadable(ob.StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(ob.ReadCategory.NORMAL):
            for i in range(N_SIGNALS):
                setattr(self, f"s{i}", ob.soft_signal_rw(float, float(i)))
        super().__init__(name)


class TheirReadable(oa.StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables():
            for i in range(N_SIGNALS):
                setattr(self, f"s{i}", oa.soft_signal_rw(float, float(i)))
        super().__init__(name=name)


async def per_call_us(call: Callable[[], Awaitable[Any]], n: int) -> float:
    for _ in range(min(n, 100)):
        await call()
    samples: list[float] = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            await call()
        samples.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(samples)


def bytes_per_signal(make: Callable[[], Any], n: int = 20000) -> float:
    make()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = [make() for _ in range(n)]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(keep) == n
    return (after - before) / n


async def main() -> None:
    ours, theirs = OurReadable("ours"), TheirReadable("theirs")
    await ours.connect()
    await theirs.connect()
    ours_sig, theirs_sig = ob.soft_signal_rw(float, 0.0), oa.soft_signal_rw(float, 0.0)
    rows = [
        (
            "read_standard_readable_50",
            "us/op",
            await per_call_us(ours.read, 2000),
            await per_call_us(theirs.read, 2000),
        ),
        (
            "soft_get",
            "us/op",
            await per_call_us(ours_sig.get_value, 20000),
            await per_call_us(theirs_sig.get_value, 20000),
        ),
        (
            "soft_put_wait",
            "us/op",
            await per_call_us(lambda: ours_sig.set(1.0), 20000),
            await per_call_us(lambda: theirs_sig.set(1.0), 20000),
        ),
        (
            "memory_soft_signal",
            "B/signal",
            bytes_per_signal(lambda: ob.soft_signal_rw(float)),
            bytes_per_signal(lambda: oa.soft_signal_rw(float)),
        ),
    ]
    print("| figure | unit | ophyd_blueprint | ophyd_async | ours/theirs |")
    print("|---|---|---:|---:|---:|")
    for name, unit, mine, other in rows:
        print(f"| {name} | {unit} | {mine:,.3g} | {other:,.3g} | {mine / other:.2f}x |")


if __name__ == "__main__":
    asyncio.run(main())
