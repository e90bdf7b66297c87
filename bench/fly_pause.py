"""Pausing fly scans, and a long fast one, on the simulated PMAC and areaDetector.

- pause latency: from ``RE.request_pause()`` (another thread, as a user's) to
  the RunEngine paused (``RE()`` raising ``RunEngineInterrupted``), with the
  trajectory aborted and the detector stopped;
- resume latency: from ``RE.resume()`` to the first frame the detector
  writes after it (the axes moved back to the ramp into the first frame not
  written, the trajectory built and started, the detector armed);
- a 10 000-frame fly at 1 ms frames (a 10 x 1000 snake on the PMAC, the
  detector on internal triggers): frames lost = frames of the spec minus
  frames in the file, and minus frames referenced by StreamDatum.

A 4 x 50 snake of 20 ms frames is paused once 40 frames are in, `--repeats`
times. Run by ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from scanspec.specs import Fly, Line

from ophyd_blueprint import load_beamline
from ophyd_blueprint.plans import ensure_connected, fly_scan
from ophyd_blueprint.testing.ioc import configure_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc
from ophyd_blueprint.testing.sim_pmac import SimMotor

DEVICES = Path(__file__).parents[1] / "devices"
MOTORS = (
    SimMotor(axis="X", velocity=4.0, max_velocity=5.0, acceleration=0.05),
    SimMotor(axis="Y", velocity=2.0, max_velocity=3.0, acceleration=0.05),
)


def beamline(pmac: SimPmacIoc, det: SimDetectorIoc, data: Path) -> Any:
    path = data / "bench.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: bench
            blueprints: [{DEVICES}]
            defaults: {{timeout: 5.0, data_dir: "{data}"}}
            devices:
              pmac: {{blueprint: Pmac, with: {{prefix: "{pmac.prefix}"}}}}
              x: {{blueprint: PmacMotor, with: {{prefix: "{pmac.motor(1)}"}}}}
              y: {{blueprint: PmacMotor, with: {{prefix: "{pmac.motor(2)}"}}}}
              det:
                blueprint: SimDetector
                with: {{prefix: "{det.prefix}", readout_time: 0.0002}}
            """
        )
    )
    return load_beamline(path)


class FirstFrame:
    """When the detector first writes a frame after `arm()` (monotonic)."""

    def __init__(self) -> None:
        self.after: int | None = None
        self.at: float | None = None

    def arm(self, written: int) -> None:
        self.after, self.at = written, None

    def __call__(self, value: int) -> None:
        if self.after is not None and self.at is None and value > self.after:
            self.at = time.monotonic()


def pause_and_resume(RE: RunEngine, bl: Any, first: FirstFrame) -> tuple[float, float]:
    """One paused and resumed fly: (pause latency, resume latency), seconds."""
    spec = Fly(0.02 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 50)))
    asked: list[float] = []

    def pause_at_40(name: str, doc: dict[str, Any]) -> None:
        if name == "stream_datum" and doc["indices"]["stop"] >= 40 and not asked:
            asked.append(time.monotonic())
            threading.Thread(target=RE.request_pause, daemon=True).start()

    try:
        RE(fly_scan([bl.det], spec, motion=bl.pmac), pause_at_40)
    except RunEngineInterrupted:
        paused = time.monotonic()
    else:
        raise SystemExit("the fly scan ended before it was paused")
    written = asyncio.run_coroutine_threadsafe(
        bl.det.hdf.num_captured.get_value(), RE.loop
    ).result(10)
    first.arm(int(written))
    resumed = time.monotonic()
    RE.resume()
    assert first.at is not None, "a frame after the resume"
    return paused - asked[0], first.at - resumed


def long_fly(RE: RunEngine, bl: Any, rows: int, columns: int) -> dict[str, float]:
    """A rows x columns snake of 1 ms frames: wall time, frames lost."""
    spec = Fly(0.001 @ (Line(bl.y, 0, 1, rows) * ~Line(bl.x, 0, 2, columns)))
    referenced = 0

    def count(name: str, doc: dict[str, Any]) -> None:
        nonlocal referenced
        if name == "stream_datum":
            referenced += doc["indices"]["stop"] - doc["indices"]["start"]

    started = time.monotonic()
    RE(fly_scan([bl.det], spec, motion=bl.pmac), count)
    wall = time.monotonic() - started
    written = asyncio.run_coroutine_threadsafe(
        bl.det.hdf.num_captured.get_value(), RE.loop
    ).result(10)
    frames = rows * columns
    return {
        "frames": frames,
        "wall_s": wall,
        "lost_in_file": frames - int(written),
        "lost_in_documents": frames - referenced,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--columns", type=int, default=1000)
    args = parser.parse_args()
    configure_client_env()
    data = Path(tempfile.mkdtemp(prefix="ob-bench-pause-"))
    with SimPmacIoc(MOTORS) as pmac, SimDetectorIoc(size=(64, 48)) as det:
        bl = beamline(pmac, det, data)
        RE = RunEngine(context_managers=[])
        RE(ensure_connected(*bl))
        first = FirstFrame()
        asyncio.run_coroutine_threadsafe(
            _subscribe(bl.det.hdf.num_captured, first), RE.loop
        ).result(10)
        latencies = [pause_and_resume(RE, bl, first) for _ in range(args.repeats)]
        fly = long_fly(RE, bl, args.rows, args.columns)
    pauses = [p for p, _ in latencies]
    resumes = [r for _, r in latencies]
    print(f"\n## Pausing a fly scan, simulated PMAC + detector ({args.repeats} runs)\n")
    print("| figure | unit | median | worst |")
    print("|---|---|---:|---:|")
    for figure, values in (("pause_latency", pauses), ("resume_latency", resumes)):
        median, worst = statistics.median(values) * 1e3, max(values) * 1e3
        print(f"| {figure} | ms | {median:,.0f} | {worst:,.0f} |")
    print(f"\n## A {fly['frames']:,}-frame fly at 1 ms frames\n")
    print("| figure | value |")
    print("|---|---:|")
    print(f"| wall | {fly['wall_s']:.1f} s |")
    print(f"| frames lost (file) | {fly['lost_in_file']} |")
    print(f"| frames lost (StreamDatum) | {fly['lost_in_documents']} |")


async def _subscribe(signal: Any, callback: Any) -> None:
    signal.subscribe_value(callback)


if __name__ == "__main__":
    main()
