"""A bluesky scan run in a child process (imports no fixture module: the child
keeps the EPICS client environment its parent gave it)."""

from pathlib import Path
from typing import Any

import bluesky.plans as bp
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.plans import ensure_connected


def scan_in_fresh_process(path: Path) -> list[float]:
    bl: Any = load_beamline(path)
    engine = RunEngine(context_managers=[])
    engine(ensure_connected(bl.m1))
    readbacks: list[float] = []

    def collect(name: str, doc: Any) -> None:
        if name == "event":
            readbacks.append(doc["data"]["m1-readback"])

    engine(bp.scan([], bl.m1, 0, 1, 3), collect)
    return readbacks
