"""Run by test_ca_context.py in a process of its own (CA contexts are per
process): ophyd (sync) and ophyd-blueprint read one PV in one RunEngine.

Arguments: the PV, the IOC's CA server port, and which side starts CA:
``ophyd`` (a RunEngine is made first: it imports ophyd, whose pyepics makes
a CA context in this thread) or ``ours`` (ours connect first, in this
thread's own loop, and the RunEngine comes after). Then ours connect in the
RunEngine's thread, both read in one run, and this thread reads through ours
too. Prints one JSON line: the TCP circuits this process has to the IOC, the
warnings raised, and what each side read; the process must then exit
cleanly (pyepics and aioca each close CA at exit).
"""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from typing import Any

import bluesky.plans as bp
import event_model
import psutil
from bluesky.run_engine import RunEngine
from event_model import DocumentNames

from ophyd_blueprint import signal_rw
from ophyd_blueprint.plans import ensure_connected


def main(pv: str, port: int, first: str) -> None:
    caught: list[str] = []
    warnings.showwarning = lambda message, *_: caught.append(str(message))
    warnings.simplefilter("always")
    if first == "ours":
        asyncio.run(signal_rw(float, f"ca://{pv}").connect(timeout=5))
    ours = signal_rw(float, f"ca://{pv}", name="ours")
    RE = RunEngine(context_managers=[])
    import ophyd

    theirs: Any = ophyd.EpicsSignal(pv, name="theirs")
    RE(ensure_connected(ours))
    theirs.wait_for_connection(timeout=5)
    events: list[dict[str, Any]] = []

    def collect(name: str, doc: dict[str, Any]) -> None:
        event_model.schema_validators[DocumentNames(name)].validate(doc)
        if name == "event":
            events.append(doc["data"])

    RE(bp.count([theirs, ours], 2), collect)

    async def main_thread_read() -> float:  # this thread, ophyd's, uses CA too
        signal = signal_rw(float, f"ca://{pv}", name="again")
        await signal.connect(timeout=5)
        return await signal.get_value()

    again = asyncio.run(main_thread_read())
    circuits = [
        c
        for c in psutil.Process().net_connections("tcp")
        if c.raddr and c.raddr.port == port
    ]
    print(
        json.dumps(
            {
                "circuits": len(circuits),
                "warnings": caught,
                "events": events,
                "main_thread": again,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
