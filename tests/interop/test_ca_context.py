"""ophyd (sync) and ophyd-blueprint share one Channel Access context.

bluesky's RunEngine imports ophyd, whose pyepics makes a CA context in the
thread that makes the RunEngine; ours connect in the RunEngine's thread.
Two contexts would mean two TCP circuits to every IOC and aioca's warning
"There is already a CA context for this thread" whenever one thread uses
both. Each case runs in a process of its own, against the session's IOC.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.testing.ioc import EpicsIoc

SCRIPT = Path(__file__).with_name("one_ca_context.py")


@pytest.mark.parametrize("first", ["ophyd", "ours"])
def test_ophyd_and_ours_read_one_pv_over_one_circuit(epics_ioc: EpicsIoc, first: str):
    """Whichever starts CA first; with ours first, pyepics used to take
    aioca's context as its own and crash the interpreter at exit."""
    assert epics_ioc.ports is not None
    port = str(epics_ioc.ports.ca_server)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), epics_ioc.pv("AO"), port, first],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    found = json.loads(lines[-1])
    assert [w for w in found["warnings"] if "CA context" in w] == []
    assert found["circuits"] == 1
    assert len(found["events"]) == 2
    for data in found["events"]:
        assert data["theirs"] == data["ours"] == found["main_thread"]


def test_without_bluesky_or_ophyd_imported_a_ca_connect_leaves_pyepics_alone(
    epics_ioc: EpicsIoc,
):
    """pyepics is imported only where a RunEngine may come: a script of
    ophyd-blueprint signals alone does not pay its import (0.1-0.35 s)."""
    code = (
        "import asyncio, sys\n"
        "from ophyd_blueprint import signal_rw\n"
        "async def main():\n"
        "    sig = signal_rw(float, 'ca://' + sys.argv[1])\n"
        "    await sig.connect(timeout=10)\n"
        "    return await sig.get_value()\n"
        "value = asyncio.run(main())\n"
        "print(sorted(m for m in ('bluesky', 'ophyd', 'epics') if m in sys.modules))\n"
        "print(value)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, epics_ioc.pv("AO.HOPR")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    imported, value = done.stdout.splitlines()[-2:]
    assert imported == "[]"
    float(value)  # it read the PV
