"""A file-writing detector, ours beside ophyd-async's, on one simulated IOC.

Both drive the same simulated areaDetector (``ophyd_blueprint.testing``:
areaDetector's record names, HDF5 files), alternately, in one run, each in a
fresh worker process (its CPU time is the client's alone):

- a 1000-frame internal-trigger fly of 64x48 frames: wall time from prepare
  to the last frame collected, and this process's CPU per frame;
- ``bp.count([det], 100)``: milliseconds per point.

Medians over repeats; ratios ours / ophyd-async. Run by ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky.run_engine import RunEngine
from ophyd_async.core import StaticPathProvider, UUIDFilenameProvider
from ophyd_async.core import TriggerInfo as TheirTriggerInfo
from ophyd_async.epics.adcore import ADWriterFactory
from ophyd_async.epics.adsimdetector import SimDetector as TheirSimDetector

from ophyd_blueprint import TriggerInfo, load_beamline
from ophyd_blueprint.testing.ioc import configure_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

DEVICES = Path(__file__).parents[1] / "devices"
LIVETIME, DEADTIME = 0.001, 0.001


def fly(det: Any, info: Any) -> Any:
    yield from bps.open_run()
    yield from bps.stage(det, wait=True)
    yield from bps.prepare(det, info, wait=True)
    yield from bps.declare_stream(det, name="primary", collect=True)
    yield from bps.kickoff(det, wait=True)
    yield from bps.collect_while_completing([det], [det], flush_period=0.1)
    yield from bps.unstage(det, wait=True)
    yield from bps.close_run()


def timed(RE: RunEngine, plan: Any) -> tuple[float, float, int, int]:
    """Wall and CPU seconds of one run, its events and the frames its data cover."""
    events = frames = 0

    def count(name: str, doc: Any) -> None:
        nonlocal events, frames
        if name == "event":
            events += 1
        elif name == "stream_datum":
            frames += doc["indices"]["stop"] - doc["indices"]["start"]

    wall, cpu = time.perf_counter(), time.process_time()
    RE(plan, count)
    return time.perf_counter() - wall, time.process_time() - cpu, events, frames


def worker(variant: str, prefix: str, data: Path, frames: int, points: int) -> None:
    """One variant in its own process: fly and count once, figures as JSON.

    The CA client settings come from the parent, which runs the IOC.
    """
    if variant == "ophyd_async":
        provider = StaticPathProvider(UUIDFilenameProvider(), data)
        det: Any = TheirSimDetector(prefix, ADWriterFactory.hdf(provider), name="det")

        def info(n: int) -> Any:
            return TheirTriggerInfo(
                number_of_events=n, livetime=LIVETIME, deadtime=DEADTIME
            )
    else:
        beamline = data / "bl.yaml"
        beamline.write_text(
            textwrap.dedent(
                f"""\
                beamline: bench
                blueprints: [{DEVICES}]
                defaults: {{data_dir: "{data}"}}
                devices:
                  det: {{blueprint: SimDetector, with: {{prefix: "{prefix}"}}}}
                """
            )
        )
        det = load_beamline(beamline).det

        def info(n: int) -> Any:
            return TriggerInfo(number_of_events=n, livetime=LIVETIME, deadtime=DEADTIME)

    RE = RunEngine(context_managers=[])
    # connected in the RunEngine's loop; ophyd-async's connect inside a plan
    # meets pyepics (imported by the RunEngine through ophyd) and fails
    asyncio.run_coroutine_threadsafe(det.connect(timeout=10), RE.loop).result(30)
    wall, cpu, _, written = timed(RE, fly(det, info(frames)))
    assert written == frames, f"{variant}: {written} of {frames} frames"
    count_wall, _, events, written = timed(RE, bp.count([det], points))
    assert events == written == points, f"{variant}: {events} events, {written}"
    print(
        json.dumps(
            {
                "fly_ms": wall * 1e3,
                "fly_cpu_us": cpu / frames * 1e6,
                "count_ms": count_wall / points * 1e3,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.prefix, args.data, args.frames, args.points)
        return
    configure_client_env()
    data = Path(tempfile.mkdtemp(prefix="ob-bench-det-"))
    variants = ("ophyd_async", "ophyd_blueprint")
    results: dict[str, dict[str, list[float]]] = {
        name: {"fly_ms": [], "fly_cpu_us": [], "count_ms": []} for name in variants
    }
    with SimDetectorIoc(size=(64, 48)) as ioc:
        for repeat in range(args.repeats):
            for name in variants:
                folder = data / f"{name}-{repeat}"
                folder.mkdir()
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        name,
                        "--prefix",
                        ioc.prefix,
                        "--data",
                        str(folder),
                        "--frames",
                        str(args.frames),
                        "--points",
                        str(args.points),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                if out.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                for key, value in figures.items():
                    results[name][key].append(value)
    _print(results, args)


def _print(results: dict[str, dict[str, list[float]]], args: Any) -> None:
    rows = [
        (f"fly_{args.frames}_frames", "fly_ms", "ms", "wall"),
        ("fly_cpu_per_frame", "fly_cpu_us", "us", "client CPU"),
        (f"count_{args.points}", "count_ms", "ms/point", "wall"),
    ]
    print(f"\n## File-writing detector on the simulated IOC ({args.repeats} repeats)\n")
    print("| figure | unit | ophyd_async | ophyd_blueprint | ours/theirs |")
    print("|---|---|---:|---:|---:|")
    for figure, key, unit, _ in rows:
        theirs = statistics.median(results["ophyd_async"][key])
        ours = statistics.median(results["ophyd_blueprint"][key])
        ratio = ours / theirs
        print(f"| {figure} | {unit} | {theirs:,.1f} | {ours:,.1f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
