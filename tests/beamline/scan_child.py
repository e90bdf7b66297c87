"""Bluesky scans run in a child process (imports no fixture module: the child
keeps the EPICS client environment its parent gave it)."""

import asyncio
from pathlib import Path
from typing import Any

import bluesky.plans as bp
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline


def scan_alive_devices(
    path: Path, motor: str, detectors: list[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Connect the whole beamline in the RunEngine's loop, then scan `motor`
    against `detectors` if they connected; returns (connected, event data)."""
    bl: Any = load_beamline(path)
    engine = RunEngine(context_managers=[])
    report = asyncio.run_coroutine_threadsafe(bl.connect(), engine.loop).result(60)
    alive = [name for name in [motor, *detectors] if name in report.connected]
    events: list[dict[str, Any]] = []

    def collect(name: str, doc: Any) -> None:
        if name == "event":
            events.append(doc["data"])

    if motor in alive:
        dets = [getattr(bl, name) for name in alive[1:]]
        engine(bp.scan(dets, getattr(bl, motor), 0, 1, 3), collect)
    return report.connected, events
