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
