"""The demo's fly scan: the coupled simulated beamline, flown in a 2-D snake.

The simulation (a PMAC moving x and y, a PandA counting them and triggering
a camera that looks at a sample where they are, all on one clock) and the
real pandablocks-ioc in front of its PandA serve the records that the
shipped ``beamlines/demo_fly.yaml`` names. The PMAC flies the snake, the
PandA's sequencer fires a frame as x enters each window, the camera takes
it and the PandA captures x and y; the documents point into their files.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shutil
import tempfile
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluesky.run_engine import RunEngine

from ophyd_blueprint.beamline import ConnectionReport, load_beamline
from ophyd_blueprint.blueprint import load_beamline_model
from ophyd_blueprint.blueprint.shipped import SHIPPED_BEAMLINES
from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.coupled import CoupledBeamline, wiring
from ophyd_blueprint.testing.ioc import IocError
from ophyd_blueprint.testing.panda_ioc import panda_ioc_executable
from ophyd_blueprint.transports.ca import close_all_channels

__all__ = [
    "FLY_BEAMLINE",
    "FLY_FRAME",
    "FLY_GRID",
    "FlyRun",
    "fly_servers",
    "fly_servers_if_possible",
    "missing_panda_ioc",
    "run_fly",
]

FLY_BEAMLINE = (SHIPPED_BEAMLINES / "demo_fly.yaml").resolve()
FLY_GRID = (16, 32)
"""Rows (y from 0 to 1) and columns (x from 0 to 2) of the demo's snake."""
FLY_FRAME = 0.01
"""Seconds a frame: the 512 frames of `FLY_GRID` take 5 s."""
SIM_PREFIX = "DEMO:FLY:"
PANDA_PREFIX = "DEMO:PANDA:"
"""The prefixes ``beamlines/demo_fly.yaml`` names."""
TIMEOUT = 10.0

_specs: Any = importlib.import_module("scanspec.specs")  # ships no types


@dataclass(eq=False)  # a RunEngine subscriber: hashed by identity
class FlyRun:
    """The fly scan's documents, by name, in the order they came."""

    docs: dict[str, list[dict[str, Any]]] = field(
        default_factory=dict[str, list[dict[str, Any]]]
    )

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        self.docs.setdefault(name, []).append(doc)

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.docs.get(name, [])

    @property
    def events(self) -> int:
        """The events the run's stop document counts in stream ``primary``."""
        return int(self["stop"][-1]["num_events"].get("primary", 0))


def missing_panda_ioc() -> str | None:
    """Why the fly scan cannot run here (no pandablocks-ioc), or None."""
    try:
        panda_ioc_executable()
    except IocError as error:
        return f"the fly scan needs the real pandablocks-ioc: {error}"
    return None


@contextlib.contextmanager
def fly_servers(out: Callable[[str], None]) -> Generator[CoupledBeamline, None, None]:
    """The coupled beamline and pandablocks-ioc, wired as the beamline file
    expects; their logs in a temporary folder, removed with them."""
    logs = Path(tempfile.mkdtemp(prefix="ophyd-blueprint-demo-fly-"))
    try:
        out("starting the coupled beamline (PMAC, PandA, camera on one clock) ...")
        with CoupledBeamline(
            prefix=SIM_PREFIX, panda_prefix=PANDA_PREFIX, log_dir=logs
        ) as servers:
            assert servers.sim.ports is not None
            out(
                f"simulated beamline up ({SIM_PREFIX}): CA port "
                f"{servers.sim.ports.ca_server}; log: {servers.sim.log_path}"
            )
            out(f"pandablocks-ioc up ({PANDA_PREFIX}); log: {servers.ioc.log_path}")
            _wire(servers.panda)
            # pandablocks-ioc writes only into a directory that exists
            fly_data_dir().mkdir(parents=True, exist_ok=True)
            yield servers
    finally:
        shutil.rmtree(logs, ignore_errors=True)


@contextlib.contextmanager
def fly_servers_if_possible(
    out: Callable[[str], None],
) -> Generator[CoupledBeamline | None, None, None]:
    """`fly_servers`, or None (and why, to `out`) without pandablocks-ioc."""
    why = missing_panda_ioc()
    if why is not None:
        out(f"{why}; {FLY_BEAMLINE.name} is not served")
        yield None
        return
    with fly_servers(out) as servers:
        yield servers


def fly_data_dir() -> Path:
    """Where ``demo_fly.yaml`` has its files written."""
    data_dir = load_beamline_model(FLY_BEAMLINE).defaults.data_dir
    assert data_dir is not None, f"{FLY_BEAMLINE} names no data_dir"
    return Path(data_dir)


def _wire(prefix: str) -> None:
    """Route the PandA's blocks as a beamline's would be (`wiring`)."""
    thread: Any = importlib.import_module("p4p.client.thread")  # ships no types
    with thread.Context("pva") as ctx:
        for pv, value in wiring(prefix):
            ctx.put(pv, value, timeout=TIMEOUT)


def run_fly(
    engine: RunEngine,
    out: Callable[[str], None],
    grid: tuple[int, int] = FLY_GRID,
    documents: Callable[[str, Any], None] | None = None,
) -> FlyRun:
    """Load ``demo_fly.yaml`` on the running servers and fly a `grid` snake.

    Progress goes to `out`, every document to `documents` too.
    """
    out(f"loading {FLY_BEAMLINE} ...")
    bl = load_beamline(FLY_BEAMLINE)
    report: ConnectionReport = asyncio.run_coroutine_threadsafe(
        bl.connect(), engine.loop
    ).result(timeout=60)
    out(f"connected:\n{report}")
    rows, columns = grid
    # typed by generated stubs; here the devices are Any
    pmac, x, y, det, panda = (bl.devices[n] for n in ("pmac", "x", "y", "det", "panda"))
    line = _specs.Line
    spec = _specs.Fly(FLY_FRAME @ (line(y, 0, 1, rows) * ~line(x, 0, 2, columns)))
    run = FlyRun()
    subscribers: list[Any] = [run, _Progress(rows * columns, out)]
    if documents is not None:
        subscribers.append(documents)
    try:
        engine(
            fly_scan([panda, det], spec, motion=pmac, trigger=panda),
            subscribers,
        )
    finally:
        # close CA channels before the IOCs stop, so libca reports no loss
        asyncio.run_coroutine_threadsafe(close_all_channels(), engine.loop).result(
            timeout=10
        )
    return run


class _Progress:
    """Says how many of the frames the camera's files hold, each quarter."""

    def __init__(self, frames: int, out: Callable[[str], None]) -> None:
        self.frames = frames
        self.out = out
        self.said = 0
        self.camera: set[str] = set()

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        if name == "stream_resource" and doc["data_key"] == "det":
            self.camera.add(doc["uid"])
        elif name == "stream_datum" and doc["stream_resource"] in self.camera:
            done = int(doc["indices"]["stop"])
            quarter = 4 * done // self.frames
            if quarter > self.said:
                self.said = quarter
                self.out(f"flying: {done} of {self.frames} frames taken")
