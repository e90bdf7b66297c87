"""Building devices from YAML, beside hand-written ophyd-async devices.

Prints a Markdown table:

- a beamline file of 1000 devices x 10 signals (10 000 signals) loaded,
  checked and built (``load_beamline``, nothing connects), cold and warm;
- the cost of one more instance of a cached blueprint (``build_device``),
  beside constructing the equivalent ophyd-async ``StandardReadable`` with
  the same 10 ``epics_signal_rw`` (or ``soft_signal_rw``) children;
- the demo beamline's connect on the real demo servers, profiled: wall time,
  and how much of it is CPU in our code.

    .venv/bin/python bench/build_compare.py [--no-connect]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ophyd_async.core as oa
from ophyd_async.epics.core import epics_signal_rw

from ophyd_blueprint import load_beamline
from ophyd_blueprint.blueprint import beamline_library, load_beamline_model
from ophyd_blueprint.blueprint.loader import clear_cache
from ophyd_blueprint.builder import build_device

DEVICES = 1000
SIGNALS = 10
SRC = str(Path(__file__).parents[1] / "src" / "ophyd_blueprint")

BLUEPRINT = "blueprint: BenchAxis\nparams: {prefix: {type: str}}\nsignals:\n" + "".join(
    f'  s{i}: {{source: "{{{{prefix}}}}S{i}", dtype: float, access: rw,'
    f" read: {'hinted' if i == 0 else 'config'}}}\n"
    for i in range(SIGNALS)
)


def beamline_text(folder: Path) -> str:
    devices = "".join(
        f'  d{n:04d}: {{blueprint: BenchAxis, with: {{prefix: "BENCH:D{n:04d}:"}}}}\n'
        for n in range(DEVICES)
    )
    return f"beamline: bench\nblueprints: [{folder}]\ndevices:\n{devices}"


class TheirAxis(oa.StandardReadable):
    """The same device written by hand for ophyd-async (CA signals)."""

    def __init__(self, prefix: str, name: str = "") -> None:
        with self.add_children_as_readables(oa.StandardReadableFormat.HINTED_SIGNAL):
            self.s0 = epics_signal_rw(float, f"ca://{prefix}S0")
        with self.add_children_as_readables(oa.StandardReadableFormat.CONFIG_SIGNAL):
            for i in range(1, SIGNALS):
                setattr(self, f"s{i}", epics_signal_rw(float, f"ca://{prefix}S{i}"))
        super().__init__(name=name)


class TheirSoftAxis(oa.StandardReadable):
    """The same shape with soft signals (no control-system backend at all)."""

    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(oa.StandardReadableFormat.HINTED_SIGNAL):
            self.s0 = oa.soft_signal_rw(float)
        with self.add_children_as_readables(oa.StandardReadableFormat.CONFIG_SIGNAL):
            for i in range(1, SIGNALS):
                setattr(self, f"s{i}", oa.soft_signal_rw(float))
        super().__init__(name=name)


def best(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` runs of `work`, in seconds."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def per_instance(make: Callable[[int], object], count: int = 2000) -> float:
    """Median microseconds to make one instance, over batches of `count`."""
    batches: list[float] = []
    for _ in range(5):
        start = time.perf_counter()
        for n in range(count):
            make(n)
        batches.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(batches)


def build_figures(rows: list[tuple[str, str, str]]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-build-"))
    (folder / "bench_axis.yaml").write_text(BLUEPRINT)
    path = folder / "bench.yaml"
    path.write_text(beamline_text(folder))

    def cold() -> None:
        clear_cache()
        load_beamline(path)

    cold_s = best(3, cold)
    warm_s = best(3, lambda: load_beamline(path))
    target = "< 1 s"
    rows.append(
        (
            f"load_beamline: {DEVICES} devices, {DEVICES * SIGNALS} signals (cold)",
            f"{cold_s * 1e3:.0f} ms",
            f"{target}: {'met' if cold_s < 1 else 'MISSED'}",
        )
    )
    rows.append(
        (
            "load_beamline, same file again (parse cached)",
            f"{warm_s * 1e3:.0f} ms",
            f"{target}: {'met' if warm_s < 1 else 'MISSED'}",
        )
    )

    model = load_beamline_model(path)
    library = beamline_library(model)
    blueprint = library["BenchAxis"]
    build_device(blueprint, {"prefix": "W:"}, library=library)  # class now cached

    ours = per_instance(
        lambda n: build_device(blueprint, {"prefix": f"B{n}:"}, library=library)
    )
    ours_mock = per_instance(
        lambda n: build_device(
            blueprint, {"prefix": f"B{n}:"}, library=library, mock=True
        )
    )
    theirs = per_instance(lambda n: TheirAxis(f"B{n}:"))
    theirs_soft = per_instance(lambda _n: TheirSoftAxis())
    rows.append(
        (
            f"one more instance, {SIGNALS} CA signals: ours (build_device)",
            f"{ours:.0f} µs",
            f"{ours / theirs:.2f}x ophyd-async",
        )
    )
    rows.append(
        (
            f"one more instance, {SIGNALS} signals: ours, mock backends",
            f"{ours_mock:.0f} µs",
            f"{ours_mock / theirs_soft:.2f}x ophyd-async soft",
        )
    )
    rows.append(
        (
            f"ophyd-async StandardReadable, {SIGNALS} epics_signal_rw",
            f"{theirs:.0f} µs",
            "reference",
        )
    )
    rows.append(
        (
            f"ophyd-async StandardReadable, {SIGNALS} soft_signal_rw",
            f"{theirs_soft:.0f} µs",
            "reference",
        )
    )


def connect_figures(rows: list[tuple[str, str, str]]) -> list[str]:
    """Connect the demo beamline on the demo servers under cProfile."""
    from ophyd_blueprint.demo.run import DEMO_BEAMLINE, DEMO_DB, TANGO_PORT
    from ophyd_blueprint.demo.servers import CAMERA_PREFIX
    from ophyd_blueprint.testing.ioc import EpicsIoc
    from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc
    from ophyd_blueprint.testing.tango_server import TangoServer

    ioc = EpicsIoc([DEMO_DB], prefix="DEMO:")
    camera = SimDetectorIoc(prefix=CAMERA_PREFIX)  # the beamline's camera
    tango = TangoServer(port=TANGO_PORT)
    profile = cProfile.Profile()

    async def connect() -> Any:
        # servers stop inside this loop, so the CA client's disconnect
        # callbacks still find it open
        await asyncio.gather(
            asyncio.to_thread(ioc.start),
            asyncio.to_thread(camera.start),
            asyncio.to_thread(tango.start),
        )
        try:
            bl = load_beamline(DEMO_BEAMLINE)
            profile.enable()
            start = time.perf_counter()
            cpu = time.process_time()
            report = await bl.connect()
            wall, used = time.perf_counter() - start, time.process_time() - cpu
            profile.disable()
        finally:
            await asyncio.gather(
                asyncio.to_thread(ioc.stop),
                asyncio.to_thread(camera.stop),
                asyncio.to_thread(tango.stop),
            )
        return report, wall, used

    report, wall, cpu = asyncio.run(connect())
    stats = pstats.Stats(profile)
    raw: Any = stats
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = raw.stats
    ours = sum(v[2] for k, v in entries.items() if k[0].startswith(SRC))
    total = sum(v[2] for v in entries.values())
    rows.append(
        (
            f"connect demo beamline ({len(report.devices)} devices, "
            f"{'all' if report.ok else 'NOT all'} connected)",
            f"{wall * 1e3:.0f} ms wall",
            f"{cpu * 1e3:.0f} ms CPU (all threads)",
        )
    )
    rows.append(
        (
            "  of which profiled in our code (tottime, event-loop thread)",
            f"{ours * 1e3:.1f} ms",
            f"{ours / wall:.1%} of wall; all Python there {total * 1e3:.0f} ms",
        )
    )
    top = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:8]
    return [
        f"| {Path(k[0]).name}:{k[1]} {k[2]} | {v[1]} | {v[2] * 1e3:.2f} ms |"
        for k, v in top
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-connect", action="store_true", help="skip starting the demo servers"
    )
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    build_figures(rows)
    top: list[str] = []
    if not args.no_connect:
        top = connect_figures(rows)
    print("| measure | figure | versus |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if top:
        print("\nconnect, top functions by own time (event-loop thread):\n")
        print("| function | calls | own time |")
        print("|---|---|---|")
        print("\n".join(top))


if __name__ == "__main__":
    main()
