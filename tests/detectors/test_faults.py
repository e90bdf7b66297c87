"""A detector that cannot write, stops producing frames, or whose IOC dies.

Each failure names the detector and the facts (the path and the record, the
frames written of those expected), and leaves the detector stopped with the
frames it wrote still referenced by the documents that were emitted.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import FailedStatus

from ophyd_blueprint import DetectorTrigger, TriggerInfo
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

from ..runs import Docs
from .conftest import DEVICES, connected_beamline, value

DATA = Path(__file__).parent / "data"


def triggered_beamline(
    RE: RunEngine, directory: Path, prefix: str, data_dir: Path
) -> Any:
    path = directory / "triggered.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: triggered
            blueprints: [{DEVICES}, {DATA}]
            defaults: {{timeout: 5.0, data_dir: "{data_dir}"}}
            devices:
              det: {{blueprint: TriggeredSimDetector, with: {{prefix: "{prefix}"}}}}
            """
        )
    )
    return connected_beamline(RE, path)


def test_a_data_dir_the_ioc_cannot_write_stops_the_scan_before_the_run_starts(
    RE: RunEngine, sim_detector_ioc: SimDetectorIoc, tmp_path: Path
):
    prefix = sim_detector_ioc.prefix
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = tmp_path / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: bad
            blueprints: [{DEVICES}]
            defaults: {{data_dir: "{blocker}/data"}}
            devices:
              det: {{blueprint: SimDetector, with: {{prefix: "{prefix}"}}}}
            """
        )
    )
    bl = connected_beamline(RE, path)
    det: Any = bl.det
    counter_before = value(RE, det.cam.array_counter)
    docs = Docs()

    with pytest.raises(FailedStatus) as failure:
        RE(bp.count([det], 1), docs.add)

    message = str(failure.value.__cause__)
    assert f"det: the IOC cannot write to {blocker}/data" in message
    assert f"ca://{sim_detector_ioc.prefix}HDF1:FilePathExists_RBV is false" in message
    assert f"ca://{sim_detector_ioc.prefix}HDF1:FilePath was set" in message
    assert docs.order == [], "no run was opened"
    assert value(RE, det.cam.array_counter) == counter_before, "no frame was taken"


def test_a_detector_that_stops_taking_frames_fails_complete_with_the_counts(
    RE: RunEngine, sim_detector_ioc: SimDetectorIoc, tmp_path: Path
):
    """ophyd-async #1114: a missed trigger waited forever."""
    bl = triggered_beamline(RE, tmp_path, sim_detector_ioc.prefix, tmp_path / "data")
    det: Any = bl.det
    info = TriggerInfo(
        number_of_events=5,
        trigger=DetectorTrigger.EXTERNAL_EDGE,
        livetime=0.001,
        exposure_timeout=0.5,
    )
    docs = Docs()

    def two_triggers_then_nothing() -> Any:
        yield from bps.open_run()
        yield from bps.stage(det, wait=True)
        yield from bps.prepare(det, info, wait=True)
        yield from bps.declare_stream(det, name="primary", collect=True)
        yield from bps.kickoff(det, wait=True)
        for _ in range(2):
            yield from bps.mv(det.cam.sim_trigger, 1)
        yield from bps.complete(det, wait=True)

    try:
        with pytest.raises(FailedStatus) as failure:
            RE(two_triggers_then_nothing(), docs.add)
    finally:  # the session's other tests trigger this IOC internally
        RE(bps.mv(det.cam.trigger_mode, "Internal"))

    message = str(failure.value.__cause__)
    assert message.startswith("det: 2 of 5 frames written; no new frame within 0.5 s")
    assert f"ca://{sim_detector_ioc.prefix}cam1:DetectorState_RBV is Acquire" in message
    assert f"ca://{sim_detector_ioc.prefix}HDF1:NumCaptured_RBV" in message
    RE(bps.unstage(det, wait=True))
    assert value(RE, det.cam.acquire) is False
    assert value(RE, det.hdf.capture) is False
    assert docs["stop"][0]["exit_status"] == "fail"


def sim_detector_beamline(RE: RunEngine, folder: Path, prefix: str) -> Any:
    """A connected beamline in `folder` of one SimDetector at `prefix`; the detector."""
    path = folder / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: faults
            blueprints: [{DEVICES}]
            defaults: {{data_dir: "{folder / "data"}"}}
            devices:
              det: {{blueprint: SimDetector, with: {{prefix: "{prefix}"}}}}
            """
        )
    )
    return connected_beamline(RE, path).det


def fly_until(det: Any, info: TriggerInfo, frames: int, then: Any) -> Any:
    """Fly `det` for `info`; once `frames` are written, `then()` (a plain
    call, or a plan), and wait for complete; what was written before a
    failure is still referenced (collected in a finally)."""
    yield from bps.open_run()
    yield from bps.stage(det, wait=True)
    yield from bps.prepare(det, info, wait=True)
    yield from bps.declare_stream(det, name="primary", collect=True)
    yield from bps.kickoff(det, wait=True)
    yield from bps.complete(det, wait=False, group="done")
    written = 0
    while written < frames:
        written = yield from bps.rd(det.hdf.num_captured)
    plan = then()
    if plan is not None:
        yield from plan
    try:
        yield from bps.wait(group="done")
    finally:
        yield from bps.collect(det, name="primary")


def test_an_acquisition_stopped_short_fails_at_once_with_its_frames_referenced(
    RE: RunEngine, sim_detector_ioc: SimDetectorIoc, tmp_path: Path
):
    """The driver waits for its plugins (the writer sets WaitForPlugins), so
    once Acquire is done the file holds every frame there will be: complete
    says so then, not after the exposure timeout (30 s here)."""
    det = sim_detector_beamline(RE, tmp_path, sim_detector_ioc.prefix)
    info = TriggerInfo(number_of_events=200, livetime=0.01, exposure_timeout=30.0)
    docs = Docs()

    def press_stop() -> Any:
        return bps.mv(det.cam.acquire, False)

    with pytest.raises(FailedStatus) as failure:
        RE(fly_until(det, info, 5, press_stop), docs.add)

    message = str(failure.value.__cause__)
    written = value(RE, det.hdf.num_captured)
    assert message.startswith(
        f"det: {written} of 200 frames written; the acquisition ended after {written} ("
    )
    assert 5 <= written < 200
    assert value(RE, det.cam.wait_for_plugins) is True
    assert docs["stream_datum"][-1]["indices"]["stop"] == written
    assert docs["stop"][0]["exit_status"] == "fail"
    RE(bps.unstage(det, wait=True))


def test_an_ioc_that_dies_mid_scan_ends_the_run_with_its_frames_referenced(
    RE: RunEngine, tmp_path: Path
):
    ioc = SimDetectorIoc(log_dir=tmp_path / "ioc")
    ioc.start()
    try:
        det = sim_detector_beamline(RE, tmp_path, ioc.prefix)
        info = TriggerInfo(number_of_events=200, livetime=0.01, exposure_timeout=1.0)
        docs = Docs()

        started = time.monotonic()
        with pytest.raises(FailedStatus) as failure:
            RE(fly_until(det, info, 20, ioc.kill), docs.add)
        took = time.monotonic() - started

        message = str(failure.value.__cause__)
        assert message.startswith("det: ")
        assert "of 200 frames written; no new frame within" in message
        assert took < 30, "the failed run ends in bounded time"
        assert docs["stop"][0]["exit_status"] == "fail"
        [resource] = docs["stream_resource"]
        referenced = docs["stream_datum"][-1]["indices"]["stop"]
        assert f"det: {referenced} of 200 frames written" in message
        import h5py

        file = resource["uri"].removeprefix("file://localhost")
        with h5py.File(file, "r", swmr=True) as f:
            assert f[resource["parameters"]["dataset"]].shape[0] >= referenced
    finally:
        ioc.stop()
