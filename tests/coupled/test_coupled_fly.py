"""Fly scans on the coupled beamline: the PMAC moves x and y, the PandA's
sequencer fires on the encoder it reads, its TTLOUT1 triggers the detector,
and the PandA captures where x and y were at each frame."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from p4p.client.thread import Context
from scanspec.core import Path as ScanPath
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.coupled import CoupledBeamline, wiring
from ophyd_blueprint.testing.sim_frames import spot_intensity

from ..runs import Docs
from .checks import (
    assert_contiguous,
    assert_inside_windows,
    detector_brightness,
    panda_positions,
    read_back,
    resources,
)
from .conftest import DEVICES


def snake(bl: Any, rows: int = 4, columns: int = 50, frame: float = 0.01) -> Any:
    return Fly(frame @ (Line(bl.y, 0, 1, rows) * ~Line(bl.x, 0, 2, columns)))


def test_a_snake_flown_by_the_pmac_is_captured_by_the_panda_inside_every_window(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = snake(bl)
    docs = Docs()

    result = RE(fly_scan([bl.panda], spec, motion=bl.pmac, trigger=bl.panda), docs)

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": 200}
    assert {r["data_key"] for r in docs["stream_resource"]} == {"panda-x", "panda-y"}
    assert_contiguous(docs, "panda-x", 200)
    [resource] = resources(docs, "panda-x")
    assert len(read_back(resource, "/x", 200)) == 200, "the IOC wrote the file"
    assert_inside_windows(spec, bl.x, panda_positions(docs, "x"))
    assert_inside_windows(spec, bl.y, panda_positions(docs, "y"))
    assert RE(bps.rd(bl.panda.seq[1].active)).plan_result in (0, "0", False)


def test_the_panda_triggers_the_detector_frame_for_frame(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = snake(bl, rows=3, columns=20, frame=0.02)
    docs = Docs()

    result = RE(
        fly_scan([bl.panda, bl.det], spec, motion=bl.pmac, trigger=bl.panda), docs
    )

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": 60}
    assert_contiguous(docs, "det", 60)
    assert_contiguous(docs, "panda-x", 60)
    x = panda_positions(docs, "x")
    assert len(x) == 60
    assert_inside_windows(spec, bl.x, x)
    assert_inside_windows(spec, bl.y, panda_positions(docs, "y"))
    [det] = resources(docs, "det")
    # frame n of each detector is spec frame n: the PandA's positions lie in
    # window n, and the spot the detector saw is the sample at frame n's
    # midpoint, not a frame off
    seen = detector_brightness(det, 60)
    assert_matches_midpoints(spec, bl, seen)


def assert_matches_midpoints(spec: Any, bl: LoadedBeamline, seen: np.ndarray) -> None:
    """`seen` (the spot's brightness in each frame) is the sample at each of
    `spec`'s frame midpoints, better than at the frames before or after."""
    frames = ScanPath(spec.calculate()).consume(len(seen))
    midpoints = zip(frames.midpoints[bl.x], frames.midpoints[bl.y], strict=True)
    expected = np.asarray([spot_intensity(x, y) for x, y in midpoints])
    error = {
        shift: float(np.mean(np.abs(seen[1:-1] - np.roll(expected, shift)[1:-1])))
        for shift in (-1, 0, 1)
    }
    assert min(error, key=error.__getitem__) == 0, error


def test_readme_panda_example_runs_as_written(
    coupled_beamline: CoupledBeamline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    (yaml,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "bl03" in b]
    (code,) = [
        b
        for b in re.findall(r"```python[^\n]*\n(.*?)```", readme, re.S)
        if "trigger=bl.panda" in b
    ]
    sim = coupled_beamline
    with Context("pva") as ctx:  # the PandA wired as the README says
        for pv, setting in wiring(sim.panda):
            ctx.put(pv, setting, timeout=10.0)
    (tmp_path / "beamlines").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "beamlines" / "bl03.yaml").write_text(
        yaml.replace("[../devices]", f"[{DEVICES}]")
        .replace("/data/bl03", str(tmp_path / "data"))
        .replace("BL03:PMAC:M1", sim.motor(1))
        .replace("BL03:PMAC:M2", sim.motor(2))
        .replace("BL03:PMAC:", sim.pmac)
        .replace("BL03:PANDA:", sim.panda)
    )
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}

    exec(compile(code, "README.md", "exec"), scope)

    [written] = (tmp_path / "data").glob("panda-*.h5")
    with h5py.File(written, "r", swmr=True) as f:
        assert {"x", "y"} <= set(f), "the captured datasets"
        assert len(f["x"]) == 200
