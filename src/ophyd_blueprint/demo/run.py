"""Start the demo servers, load the shipped demo beamline and scan with bluesky."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shlex
import sys
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
from ophyd_blueprint.testing.ioc import EpicsIoc, configure_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.transports.ca import close_all_channels

from .plot import MATPLOTLIB_MISSING, Image, Scan, have_matplotlib, plot_scans

__all__ = ["DEMO_BEAMLINE", "DEMO_DB", "DEMO_PLOT", "run_demo", "serve_demo"]

DEMO_DB = Path(__file__).with_name("demo.db")
DEMO_BEAMLINE = (SHIPPED_BEAMLINES / "demo.yaml").resolve()
TANGO_PORT = 10000
"""The demo beamline names ``tango://127.0.0.1:10000/...``: the port is fixed."""
DEMO_PLOT = Path(tempfile.gettempdir()) / "ophyd-blueprint-demo.png"
CAMERA_PREFIX = "DEMO:CAM:"


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
) -> list[dict[str, Any]]:
    """Run the demo; returns the event documents of its scans.

    With `plot`, the scans are saved there as a PNG (if matplotlib is
    installed; if not, the demo says so and runs without), with one camera
    frame read back from the HDF5 file the documents point to.
    """
    events: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    if plot is not None and not have_matplotlib():
        out(MATPLOTLIB_MISSING)
        plot = None
    out("starting the EPICS IOC (CA + PVA) with the demo records ...")
    with (
        EpicsIoc([DEMO_DB], prefix="DEMO:") as ioc,
        SimDetectorIoc(prefix=CAMERA_PREFIX) as camera_ioc,
    ):
        out(f"IOC up; log: {ioc.log_path}")
        out(f"simulated areaDetector up ({CAMERA_PREFIX}); log: {camera_ioc.log_path}")
        out(f"starting the Tango device server on 127.0.0.1:{TANGO_PORT} ...")
        with TangoServer(port=TANGO_PORT):
            out(f"loading {beamline} ...")
            bl = load_beamline(beamline)
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

            # beamline devices are typed by generated stubs; here they are Any
            devices: dict[str, Any] = dict(bl.devices)
            x, det, tm, slits, camera = (
                devices[n] for n in ("x", "det", "tm", "slits", "camera")
            )
            out("scan 1: the EPICS axis x (CA) against the detector (PVA)")
            engine(
                plans.scan([det], x, 0, 1, points),
                _subs(LiveTable(["x-readback", "det-total"]), collect),
            )
            out("scan 2: the Tango motor tm, with x moved to the peak first")
            engine(stubs.mv(x, 0.5))
            engine(
                plans.scan([det, x], tm, 0, 2, 5),
                _subs(LiveTable(["tm-position", "x-readback", "det-total"]), collect),
            )
            out("scan 3: the mock slits (no server: the readback follows)")
            engine(
                plans.scan([det], slits, -1, 1, 3),
                _subs(LiveTable(["slits-readback", "det-total"]), collect),
            )
            out("scan 4: the camera takes a frame at each x into an HDF5 file")
            engine(stubs.mv(camera.cam.acquire_time, 0.01))
            engine(
                plans.scan([camera], x, 0, 1, 3),
                _subs(LiveTable(["x-readback"]), collect),
            )
            out(f"camera frames written to {_file_of(resources[-1])}")
            # close CA channels before the IOC stops, so libca reports no loss
            asyncio.run_coroutine_threadsafe(close_all_channels(), engine.loop).result(
                timeout=10
            )
    if plot is not None:
        image = _last_frame(resources[-1]) if resources else None
        out(f"plot of the scans: {plot_scans(_scans(events), plot, image)}")
    out("done: servers stopped")
    return events


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
            [
                d
                for d in data
                if "x-readback" in d and "det-total" in d and "tm-position" not in d
            ],
        ),
        (
            "tm (Tango), x at the peak",
            "tm-position",
            "det-total",
            [d for d in data if "tm-position" in d],
        ),
        (
            "slits (mock)",
            "slits-readback",
            "det-total",
            [d for d in data if "slits-readback" in d],
        ),
    ]


def serve_demo(out: Callable[[str], None] = _say) -> None:
    """Run the demo servers until stdin closes (or Ctrl-C), for other clients.

    Status goes to `out`; stdout gets the ``export`` lines that point a
    shell's CA and PVA clients at the demo IOC, then ``# ready``.
    """
    with EpicsIoc([DEMO_DB], prefix="DEMO:") as ioc:
        out(f"IOC up (prefix DEMO:); log: {ioc.log_path}")
        with TangoServer(port=TANGO_PORT) as tango:
            out(f"Tango server up: {tango.device('motor')}")
            for name, value in sorted(configure_client_env().items()):
                print(f"export {name}={shlex.quote(value)}")
            print("# ready", flush=True)
            out("serving; close stdin or press Ctrl-C to stop")
            with contextlib.suppress(KeyboardInterrupt):
                sys.stdin.read()
    out("servers stopped")
