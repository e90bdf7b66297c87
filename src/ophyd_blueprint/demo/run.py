"""Start the demo servers, load the shipped demo beamline and scan with bluesky;
then fly the coupled simulated beamline and map what its camera saw."""

from __future__ import annotations

import asyncio
import importlib
import shlex
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bluesky.plan_stubs
import bluesky.plans
from bluesky.callbacks import LiveTable
from bluesky.run_engine import RunEngine

from ophyd_blueprint.beamline import ConnectionReport, load_beamline
from ophyd_blueprint.blueprint.shipped import SHIPPED_BEAMLINES
from ophyd_blueprint.transports.ca import close_all_channels

from .fly import (
    FLY_BEAMLINE,
    FLY_GRID,
    fly_servers,
    fly_servers_if_possible,
    missing_panda_ioc,
    run_fly,
)
from .fly_map import read_fly_map
from .plot import (
    MATPLOTLIB_MISSING,
    Image,
    Scan,
    have_matplotlib,
    plot_map,
    plot_scans,
)
from .servers import DEMO_DB, TANGO_PORT, demo_servers, wait_for_stop_signal

__all__ = [
    "DEMO_BEAMLINE",
    "DEMO_DB",
    "DEMO_MAP",
    "DEMO_PLOT",
    "TANGO_PORT",
    "run_demo",
    "serve_demo",
]

DEMO_BEAMLINE = (SHIPPED_BEAMLINES / "demo.yaml").resolve()
DEMO_PLOT = Path(tempfile.gettempdir()) / "ophyd-blueprint-demo.png"
DEMO_MAP = Path(tempfile.gettempdir()) / "ophyd-blueprint-demo-map.png"
SLITS_SCAN = (-1.0, 1.0, 3)
"""Start, stop and points of the mock slits' scan."""


plans: Any = bluesky.plans  # scan() and mv() signatures are partly untyped
stubs: Any = bluesky.plan_stubs


def _subs(*callbacks: Any) -> Any:
    """Document callbacks for the RunEngine (its Subscriber type is too narrow)."""
    return list(callbacks)


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def run_demo(
    beamline: Path = DEMO_BEAMLINE,
    points: int = 11,
    out: Callable[[str], None] = _say,
    plot: Path | None = DEMO_PLOT,
    tango_port: int = TANGO_PORT,
    fly_map: Path | None = DEMO_MAP,
    fly_grid: tuple[int, int] | None = FLY_GRID,
    documents: Callable[[str, Any], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the demo; returns the event documents of its step scans.

    With `plot`, the scans are saved there as a PNG (if matplotlib is
    installed; if not, the demo says so and runs without), with one camera
    frame read back from the HDF5 file the documents point to. The Tango
    server takes `tango_port` if it is free, else a free port (said in `out`).
    Then, with `fly_grid` (rows, columns), a fly scan on the coupled beamline
    (`run_fly`), whose map read back from its files is saved at `fly_map`.
    Every document of every run also goes to `documents`.
    """
    events: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    if (plot is not None or fly_map is not None) and not have_matplotlib():
        out(MATPLOTLIB_MISSING)
        plot = fly_map = None
    with demo_servers(out, tango_port) as servers:
        out(f"loading {beamline} ...")
        bl = load_beamline(beamline, params={"tm": {"trl": servers.tango_motor()}})
        engine = RunEngine(context_managers=[])
        report: ConnectionReport = asyncio.run_coroutine_threadsafe(
            bl.connect(), engine.loop
        ).result(timeout=60)
        out(f"connected:\n{report}")

        def collect(name: str, doc: Any) -> None:
            if name == "event":
                events.append(doc)
            elif name == "stream_resource":
                resources.append(doc)
            if documents is not None:
                documents(name, doc)

        _scan(engine, dict(bl.devices), points, out, collect)
        out(f"camera frames written to {_file_of(resources[-1])}")
        # close CA channels before the IOC stops, so libca reports no loss
        asyncio.run_coroutine_threadsafe(close_all_channels(), engine.loop).result(
            timeout=10
        )
    if plot is not None:
        image = _last_frame(resources[-1]) if resources else None
        out(f"plot of the scans: {plot_scans(_scans(events), plot, image)}")
    if fly_grid is not None:
        _fly(engine, out, fly_grid, fly_map, documents)
    out("done: servers stopped")
    return events


def _scan(
    engine: RunEngine,
    devices: dict[str, Any],  # typed by generated stubs; here they are Any
    points: int,
    out: Callable[[str], None],
    collect: Callable[[str, Any], None],
) -> None:
    """The demo's four scans, each showing one thing the plot can show."""
    x, det, tm, slits, camera = (
        devices[n] for n in ("x", "det", "tm", "slits", "camera")
    )
    out("scan 1: the EPICS axis x (CA) against the detector (PVA)")
    engine(
        plans.scan([det], x, 0, 1, points),
        _subs(LiveTable(["x-readback", "det-total"]), collect),
    )
    out("scan 2: the Tango motor tm and x in one scan; det follows x")
    engine(
        plans.scan([det], tm, 0, 2, x, 0, 1, 5),
        _subs(LiveTable(["tm-position", "x-readback", "det-total"]), collect),
    )
    out("scan 3: the mock slits (no server: the readback follows the setpoint)")
    engine(
        plans.scan([], slits, *SLITS_SCAN),
        _subs(LiveTable(["slits-readback"]), collect),
    )
    out("scan 4: the camera takes a frame at each x into an HDF5 file")
    engine(stubs.mv(camera.cam.acquire_time, 0.01))
    engine(
        plans.scan([camera], x, 0, 1, 3),
        _subs(LiveTable(["x-readback"]), collect),
    )


def _fly(
    engine: RunEngine,
    out: Callable[[str], None],
    grid: tuple[int, int],
    fly_map: Path | None,
    documents: Callable[[str, Any], None] | None,
) -> None:
    """Scan 5: the fly scan, and its map read back from the files."""
    missing = missing_panda_ioc()
    if missing is not None:
        out(f"{missing}; the demo skips its fly scan")
        return
    rows, columns = grid
    out(
        f"scan 5: a fly scan, a {rows} x {columns} snake over x (0 to 2) and y "
        "(0 to 1): the PMAC moves the motors, the PandA triggers the camera as "
        "x enters each frame and captures x and y"
    )
    with fly_servers(out):
        run = run_fly(engine, out, grid, documents)
        out(f"fly scan done: {run.events} events; reading the map from the files")
        found = read_fly_map(run["stream_resource"], run["stream_datum"])
    for path in found.files:
        out(f"fly scan file: {path}")
    x, y, brightest = found.brightest()
    out(
        f"map: {len(found.intensity)} frames, intensity {found.intensity.min():.0f} "
        f"to {brightest:.0f}, brightest at x = {x:.3f}, y = {y:.3f}"
    )
    if fly_map is not None:
        title = (
            f"{rows} x {columns} fly scan: the camera's intensity where the "
            "PandA captured x and y (two rings on a gradient)"
        )
        out(f"map of the fly scan: {plot_map(found, fly_map, title)}")


def _file_of(resource: dict[str, Any]) -> Path:
    return Path(str(resource["uri"]).removeprefix("file://localhost"))


def _last_frame(resource: dict[str, Any]) -> Image:
    """The last frame in the file a StreamResource points to, read with h5py."""
    h5py: Any = importlib.import_module("h5py")  # ships no type information
    path = _file_of(resource)
    dataset = str(resource["parameters"]["dataset"])
    with h5py.File(path, "r") as f:
        frames: Any = f[dataset]
        index = int(frames.shape[0]) - 1
        return (f"{path.name}\n{dataset}[{index}]", frames[index])


def _scans(events: list[dict[str, Any]]) -> list[Scan]:
    data = [e["data"] for e in events]
    return [
        (
            "x (EPICS, CA) vs det (PVA)",
            "x-readback",
            "det-total",
            [d for d in data if "det-total" in d and "tm-position" not in d],
        ),
        (
            "tm (Tango) moved with x: det peaks at x = 0.5",
            "tm-position",
            "det-total",
            [d for d in data if "tm-position" in d],
        ),
        (
            "slits (mock): the readback follows the request",
            "requested",
            "slits-readback",
            _requested([d for d in data if "slits-readback" in d], *SLITS_SCAN),
        ),
    ]


def _requested(
    data: list[dict[str, Any]], start: float, stop: float, num: int
) -> list[dict[str, Any]]:
    """Each point's data with the position the scan asked for, as ``requested``."""
    step = (stop - start) / (num - 1)
    return [{**d, "requested": start + i * step} for i, d in enumerate(data)]


def serve_demo(out: Callable[[str], None] = _say, tango_port: int = TANGO_PORT) -> None:
    """Run the demo servers for other clients until SIGINT or SIGTERM.

    They are those of ``demo.yaml`` and, with pandablocks-ioc installed, the
    coupled beamline of ``demo_fly.yaml``. Status goes to `out`; stdout gets
    the ``export`` lines that point a shell's CA and PVA clients at them (and
    ``DEMO_TANGO_PORT``), then ``# ready``. Stdin is not read: the servers
    run on in the background (``&``, nohup, CI) until they are told to stop.
    """
    with (
        demo_servers(out, tango_port) as servers,
        fly_servers_if_possible(out) as fly,
    ):
        for name, value in sorted(servers.client_env().items()):
            print(f"export {name}={shlex.quote(value)}")
        print("# ready", flush=True)
        if fly is not None:
            out(f"{FLY_BEAMLINE.name} connects to them too (fly scans)")
        out("serving; stop with Ctrl-C or SIGTERM (kill)")
        signum = wait_for_stop_signal()
        out(f"{signal.Signals(signum).name}: stopping the servers")
    out("servers stopped")
