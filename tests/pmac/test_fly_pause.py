"""Pausing a fly scan on the simulated PMAC and areaDetector: ``RE.request_pause()``
stops the trajectory and the detector, ``RE.resume()`` flies the rest of the
path from the first frame not written, into the same file."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from scanspec.core import Path as ScanPath

from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc

from ..runs import Docs, Pauser, paused_run
from .conftest import DEVICES, fly_beamline, snake
from .pausing import assert_every_frame_once, file_frames, indices, value
from .pvt import executed

FRAMES = 200


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine,
    sim_pmac: SimPmacIoc,
    detector_ioc: SimDetectorIoc,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    return fly_beamline(
        RE,
        tmp_path_factory.mktemp("pause"),
        sim_pmac.prefix,
        (sim_pmac.motor(1), sim_pmac.motor(2)),
        f'det: {{blueprint: SimDetector, with: {{prefix: "{detector_ioc.prefix}"}}}}',
    )


def in_loop(RE: RunEngine, make: Callable[[], Any]) -> Any:
    return asyncio.run_coroutine_threadsafe(make(), RE.loop).result(10)


def test_a_paused_fly_scan_stops_and_resumes_from_the_first_frame_not_written(
    RE: RunEngine, bl: Any, sim_pmac: SimPmacIoc
):
    spec = snake(bl)
    docs = Docs()
    pauser = Pauser(RE, 40)

    latency = paused_run(RE, fly_scan([bl.det], spec, motion=bl.pmac), docs, pauser)

    assert latency < 2.0
    assert value(RE, bl.det.cam.acquire) is False, "the detector stopped"
    assert value(RE, bl.det.hdf.capture) is True, "its file stays open"
    assert str(value(RE, bl.pmac.execute_state)) == "Done", "the trajectory stopped"
    assert value(RE, bl.x.done_moving)
    assert value(RE, bl.y.done_moving)
    written = value(RE, bl.det.hdf.num_captured)
    assert 40 <= written < FRAMES

    result = RE.resume()

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES)
    # the resumed trajectory flew every window from the first frame not written
    ran = in_loop(RE, lambda: executed(sim_pmac)).positions
    xs, ys = ran["X"], ran["Y"]
    ran = {(round(x, 6), round(y, 6)) for x, y in zip(xs, ys, strict=True)}
    rest = ScanPath(spec.calculate(), start=written).consume()
    for bounds in (rest.lower, rest.midpoints, rest.upper):
        wanted = {
            (round(x, 6), round(y, 6))
            for x, y in zip(bounds[bl.x], bounds[bl.y], strict=True)
        }
        assert wanted <= ran
    first = ScanPath(spec.calculate()).consume()
    assert (round(xs[0], 6), round(ys[0], 6)) not in {
        (round(x, 6), round(y, 6))
        for x, y in zip(
            first.lower[bl.x][:written], first.lower[bl.y][:written], strict=False
        )
    }, "the resumed run starts at the first frame not written, not before"


def test_a_fly_scan_paused_twice_ends_with_every_frame_once(RE: RunEngine, bl: Any):
    docs = Docs()
    plan = fly_scan([bl.det], snake(bl), motion=bl.pmac)

    pauser = Pauser(RE, 30, 110)
    assert paused_run(RE, plan, docs, pauser) < 2.0
    with pytest.raises(RunEngineInterrupted):
        RE.resume()
    assert RE.state == "paused"
    assert not pauser.after, "paused a second time"
    result = RE.resume()

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES)


def test_abort_while_paused_leaves_everything_stopped_and_the_documents_whole(
    RE: RunEngine, bl: Any
):
    docs = Docs()
    paused_run(RE, fly_scan([bl.det], snake(bl), motion=bl.pmac), docs, Pauser(RE, 40))

    result = RE.abort("the sample moved")

    assert result.exit_status == "abort"
    assert docs["stop"][0]["exit_status"] == "abort"
    assert value(RE, bl.det.cam.acquire) is False
    assert value(RE, bl.det.hdf.capture) is False, "the file was closed"
    assert str(value(RE, bl.pmac.execute_state)) == "Done"
    assert value(RE, bl.x.done_moving)
    assert value(RE, bl.y.done_moving)
    written, uids = file_frames(docs)
    ranges = indices(docs, "det")
    assert ranges[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert ranges[-1][1] == written, "every frame written is referenced"
    assert docs["stop"][0]["num_events"] == {"primary": written}
    assert np.all(np.diff(uids) > 0)


def test_a_deferred_pause_lands_at_the_next_wait_and_resumes_as_well(
    RE: RunEngine, bl: Any
):
    """Ctrl-C once in a RunEngine session asks for a pause at a checkpoint;
    the plan has one before each wait, so it comes within a flush period."""
    docs = Docs()

    latency = paused_run(
        RE,
        fly_scan([bl.det], snake(bl), motion=bl.pmac),
        docs,
        Pauser(RE, 40, defer=True),
    )

    assert latency < 2.0
    result = RE.resume()
    assert result.exit_status == "success"
    assert_every_frame_once(docs, FRAMES)


def test_readme_pausing_example_runs_as_written(
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
        if "request_pause" in b
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
    scope: dict[str, Any] = {}

    exec(compile(code, "README.md", "exec"), scope)

    assert scope["asked"].is_set(), "the example paused"
    [written] = (tmp_path / "data").glob("det-*.h5")
    with h5py.File(written, "r") as f:
        assert f["/entry/data/data"].shape[0] == FRAMES
        uids = f["/entry/instrument/NDAttributes/NDArrayUniqueId"][:]
    assert len(set(uids.tolist())) == FRAMES, "each frame once"


class Unstoppable:
    """The detector without `stop`: a device a pause could not stop."""

    def __init__(self, detector: Any) -> None:
        self._detector = detector

    def __getattr__(self, name: str) -> Any:
        if name == "stop":
            raise AttributeError(name)
        return getattr(self._detector, name)


def test_a_scan_with_a_device_that_cannot_stop_ends_when_asked_to_pause(
    RE: RunEngine, bl: Any
):
    """bluesky ends a run that cannot resume (FailedPause, exit status fail)."""
    docs = Docs()
    plan = fly_scan([Unstoppable(bl.det)], snake(bl), motion=bl.pmac)

    with pytest.raises(RunEngineInterrupted):
        RE(plan, [docs, Pauser(RE, 40)])

    assert RE.state == "idle", "not paused: there would be no way to resume"
    assert docs["stop"][0]["exit_status"] == "fail"
    assert str(value(RE, bl.pmac.execute_state)) == "Done", "the trajectory stopped"
    ranges = indices(docs, "det")
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    written, _ = file_frames(docs)
    assert 40 <= ranges[-1][1] <= written, "referenced up to the stop (it ran on)"


class PauseAtStart:
    """Asks for a pause once the run has opened and `motor` moves: while the
    PMAC moves to the start of the path, before any frame."""

    def __init__(self, RE: RunEngine, motor: Any) -> None:
        self.RE = RE
        self.motor = motor
        self.requested: float | None = None

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        if name == "start":
            threading.Thread(target=self._pause, daemon=True).start()

    def _pause(self) -> None:
        deadline = time.monotonic() + 10.0
        while not value(self.RE, self.motor.moving) and time.monotonic() < deadline:
            time.sleep(0.01)  # polls the motor from the user's thread
        self.requested = time.monotonic()
        self.RE.request_pause()


def test_a_pause_while_moving_to_the_start_comes_at_once_and_resumes(
    RE: RunEngine, bl: Any
):
    RE(bps.mv(bl.x, 15.0))  # the path starts near 0: seconds away
    docs = Docs()
    pauser = PauseAtStart(RE, bl.x)

    with pytest.raises(RunEngineInterrupted):
        RE(fly_scan([bl.det], snake(bl), motion=bl.pmac), [docs, pauser])
    paused = time.monotonic()

    assert pauser.requested is not None
    assert paused - pauser.requested < 2.0
    assert RE.state == "paused"
    assert value(RE, bl.x.done_moving), "the move to the start stopped too"
    assert value(RE, bl.x.readback) > 1.0, "short of the start"
    result = RE.resume()
    assert result.exit_status == "success"
    assert_every_frame_once(docs, FRAMES)
