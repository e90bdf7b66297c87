"""Fly scans on the simulated PMAC: a scanspec snake flown as a PVT trajectory,
the simulated areaDetector collecting one frame per point of the path."""

from __future__ import annotations

import asyncio
import itertools
import re
import textwrap
import time
from pathlib import Path
from typing import Any

import h5py
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import FailedStatus
from scanspec.core import Path as ScanPath
from scanspec.specs import Fly, Line

from ophyd_blueprint import load_beamline
from ophyd_blueprint.logic.pmac import PmacError
from ophyd_blueprint.logic.trajectory import TrajectoryError
from ophyd_blueprint.plans import ensure_connected, fly_scan
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc

from ..runs import Docs, run
from .conftest import BUFFER_LENGTH, DEVICES, MOTORS, fly_beamline
from .pvt import executed


@pytest.fixture(scope="module")
def flying(
    RE: RunEngine,
    sim_pmac: SimPmacIoc,
    detector_ioc: SimDetectorIoc,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    return fly_beamline(
        RE,
        tmp_path_factory.mktemp("fly"),
        sim_pmac.prefix,
        (sim_pmac.motor(1), sim_pmac.motor(2)),
        f"""\
        small_slices:
          blueprint: PmacSmallSlices
          with: {{prefix: "{sim_pmac.prefix}"}}
        det: {{blueprint: SimDetector, with: {{prefix: "{detector_ioc.prefix}"}}}}
        """,
    )


def value(RE: RunEngine, signal: Any) -> Any:
    import bluesky.plan_stubs as bps

    return RE(bps.rd(signal)).plan_result


def test_a_4x50_snake_flies_200_frames_through_their_windows(
    RE: RunEngine, flying: Any, sim_pmac: SimPmacIoc
):
    bl = flying
    spec = Fly(0.01 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 50)))

    docs = run(RE, fly_scan([bl.det], spec, motion=bl.pmac))

    assert docs["stop"][0]["exit_status"] == "success"
    assert docs["stop"][0]["num_events"] == {"primary": 200}
    ranges = [
        (d["indices"]["start"], d["indices"]["stop"]) for d in docs["stream_datum"]
    ]
    assert ranges[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert ranges[-1][1] == 200
    # every window's lower bound, midpoint and upper bound was a point it ran
    ran = RE.loop  # the RunEngine's loop runs our CA client
    points = asyncio.run_coroutine_threadsafe(executed(sim_pmac), ran).result(10)
    xs, ys = points.positions["X"], points.positions["Y"]
    points = {(round(x, 6), round(y, 6)) for x, y in zip(xs, ys, strict=True)}
    frames = ScanPath(spec.calculate()).consume()
    for bounds in (frames.lower, frames.midpoints, frames.upper):
        wanted = {
            (round(x, 6), round(y, 6))
            for x, y in zip(bounds[bl.x], bounds[bl.y], strict=True)
        }
        assert wanted <= points
    # the motors end at the last frame's upper bound
    assert value(RE, bl.x.readback) == pytest.approx(frames.upper[bl.x][-1], abs=1e-3)
    assert value(RE, bl.y.readback) == pytest.approx(frames.upper[bl.y][-1], abs=1e-3)


def test_a_spec_beyond_a_limit_is_refused_with_no_motor_moved(
    RE: RunEngine, flying: Any
):
    bl = flying
    before = (value(RE, bl.x.readback), value(RE, bl.y.readback))
    spec = Fly(2.0 @ (Line(bl.y, 0, 1, 2) * ~Line(bl.x, 0, 25, 5)))  # 2.5 mm/s

    with pytest.raises(FailedStatus) as failure:
        run(RE, fly_scan([bl.det], spec, motion=bl.pmac))

    error = failure.value.__cause__
    assert isinstance(error, TrajectoryError)
    assert error.axis == "x"
    assert error.limit == 20.0
    assert "x: frame" in str(error)
    assert (value(RE, bl.x.readback), value(RE, bl.y.readback)) == before


def test_a_spec_naming_an_axis_by_a_string_says_it_wants_the_motor_device(
    RE: RunEngine, flying: Any
):
    bl = flying
    spec = Fly(0.1 @ (Line("y", 0, 1, 2) * ~Line(bl.x, 0, 1, 5)))

    with pytest.raises(FailedStatus) as failure:
        run(RE, fly_scan([bl.det], spec, motion=bl.pmac))

    error = failure.value.__cause__
    assert isinstance(error, PmacError)
    assert str(error) == (
        "pmac: the spec's axis 'y' is a str, not a motor: a fly scan's spec "
        "names the beamline's motor devices, e.g. Line(bl.x, 0, 1, 10)"
    )


def test_a_1000_frame_snake_is_appended_to_while_it_runs(
    RE: RunEngine, flying: Any, sim_pmac: SimPmacIoc
):
    """Five slices of 200 frames: one build, four appends while executing.

    (10x1000 frames at 2 ms, the issue's size, outruns the caproto-simulated
    detector on a loaded 2-core runner; `make bench` flies 1000 frames.)
    """
    bl = flying
    spec = Fly(0.005 @ (Line(bl.y, 0, 1, 10) * ~Line(bl.x, 0, 2, 100)))

    docs = run(RE, fly_scan([bl.det], spec, motion=bl.small_slices))

    assert docs["stop"][0]["exit_status"] == "success"
    assert docs["stop"][0]["num_events"] == {"primary": 1000}
    ran = RE.loop
    points = asyncio.run_coroutine_threadsafe(executed(sim_pmac), ran).result(10)
    xs = points.positions["X"]
    assert len(xs) >= 2 * 1000, "every slice ran: the appended ones too"
    frames = ScanPath(spec.calculate()).consume()
    assert value(RE, bl.x.readback) == pytest.approx(frames.upper[bl.x][-1], abs=1e-3)


def test_readme_fly_scan_example_runs_as_written(
    sim_pmac: SimPmacIoc,
    detector_ioc: SimDetectorIoc,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    (yaml,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "bl02" in b]
    (code,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", readme, re.S)
        if "fly_scan(" in b and "request_pause" not in b
    ]
    (tmp_path / "beamlines").mkdir()
    (tmp_path / "beamlines" / "bl02.yaml").write_text(
        yaml.replace("[../devices]", f"[{DEVICES}]")
        .replace("/tmp/ophyd-blueprint-demo/bl02", str(tmp_path / "data"))
        .replace("BL02:PMAC:M1", sim_pmac.motor(1))
        .replace("BL02:PMAC:M2", sim_pmac.motor(2))
        .replace("BL02:PMAC:", sim_pmac.prefix)
        .replace("BL02:DET:", detector_ioc.prefix)
    )
    monkeypatch.chdir(tmp_path)

    exec(compile(code, "README.md", "exec"), {})

    [written] = (tmp_path / "data").glob("det-*.h5")
    with h5py.File(written, "r") as f:
        assert f["/entry/data/data"].shape[0] == 200


def test_a_pmac_ioc_that_dies_mid_trajectory_ends_the_run_with_the_detector_stopped(
    RE: RunEngine, detector_ioc: SimDetectorIoc, tmp_path: Path
):
    ioc = SimPmacIoc(MOTORS, buffer_length=BUFFER_LENGTH, log_dir=tmp_path / "ioc")
    det_prefix = detector_ioc.prefix
    ioc.start()
    try:
        path = tmp_path / "dying.yaml"
        path.write_text(
            textwrap.dedent(
                f"""\
                beamline: dying
                blueprints: [{DEVICES}]
                defaults: {{timeout: 5.0, data_dir: "{tmp_path / "data"}"}}
                devices:
                  pmac: {{blueprint: Pmac, with: {{prefix: "{ioc.prefix}"}}}}
                  x: {{blueprint: PmacMotor, with: {{prefix: "{ioc.motor(1)}"}}}}
                  y: {{blueprint: PmacMotor, with: {{prefix: "{ioc.motor(2)}"}}}}
                  det: {{blueprint: SimDetector, with: {{prefix: "{det_prefix}"}}}}
                """
            )
        )
        bl = load_beamline(path)
        RE(ensure_connected(*bl))
        spec = Fly(0.02 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 50)))
        docs = Docs()

        def kill_once_frames_arrive(name: str, doc: dict[str, Any]) -> None:
            docs.add(name, doc)
            if name == "stream_datum" and ioc.running:
                ioc.kill()  # the controller dies while the trajectory runs

        started = time.monotonic()
        with pytest.raises(FailedStatus) as failure:
            RE(fly_scan([bl.det], spec, motion=bl.pmac), kill_once_frames_arrive)
        took = time.monotonic() - started

        message = str(failure.value.__cause__)
        assert message.startswith("pmac: the trajectory stopped after ")
        assert "of 200 frames" in message
        assert f"{ioc.prefix}ProfileExecute" in message
        assert docs["stop"][0]["exit_status"] == "fail"
        assert took < 60, "the failed run ends in bounded time"
        assert value(RE, bl.det.cam.acquire) is False, "the detector was stopped"
        assert value(RE, bl.det.hdf.capture) is False, "its file was closed"
    finally:
        ioc.stop()
