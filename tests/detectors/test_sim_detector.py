"""SimDetector (devices/epics/adcore) on the simulated areaDetector IOC.

Step scans and fly scans use the same device; every document is checked
against event-model's schemas, and the HDF5 file each StreamResource names
holds exactly the frames its StreamDatum pages reference, with the content
the simulation predicts for each frame's unique id.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine

from ophyd_blueprint import DetectorTrigger, TriggerInfo, WatcherUpdate, soft_signal_rw
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.testing.sim_detector import DATASET, UID_DATASET
from ophyd_blueprint.testing.sim_frames import sim_frame

from ..runs import Docs, run
from .conftest import beamline_file, connected_beamline

WIDTH, HEIGHT = 64, 48


def frames_of(docs: Docs) -> dict[str, np.ndarray[Any, Any]]:
    """Each StreamResource's file, read back: only the frames its data reference."""
    out: dict[str, np.ndarray[Any, Any]] = {}
    for resource in docs["stream_resource"]:
        data = [
            d for d in docs["stream_datum"] if d["stream_resource"] == resource["uid"]
        ]
        starts = [d["indices"]["start"] for d in data]
        stops = [d["indices"]["stop"] for d in data]
        assert starts[0] == 0
        assert starts[1:] == stops[:-1], "StreamDatum indices must be contiguous"
        path = resource["uri"].removeprefix("file://localhost")
        with h5py.File(path, "r") as f:
            frames = f[resource["parameters"]["dataset"]]
            assert frames.shape[0] == stops[-1], "the file holds exactly these frames"
            uids = f[UID_DATASET][:]
            for index in range(stops[-1]):
                assert np.array_equal(
                    frames[index], sim_frame(int(uids[index]), WIDTH, HEIGHT)
                )
            out[path] = frames[:]
    return out


def test_count_writes_one_file_whose_frames_the_documents_reference(
    RE: RunEngine, beamline: LoadedBeamline, data_dir: Path
):
    docs = run(RE, bp.count([beamline.det], 3))

    assert len(docs["event"]) == 3
    key = docs["descriptor"][0]["data_keys"]["det"]
    assert key["external"] == "STREAM:"
    assert key["shape"] == [HEIGHT, WIDTH]
    assert key["dtype_numpy"] == "<u2"
    [resource] = docs["stream_resource"]
    assert resource["mimetype"] == "application/x-hdf5"
    assert resource["uri"].startswith(f"file://localhost{data_dir}/det-")
    assert resource["parameters"]["dataset"] == DATASET
    assert list(resource["parameters"]["chunk_shape"]) == [1, HEIGHT, WIDTH]
    assert [d["indices"] for d in docs["stream_datum"]] == [
        {"start": i, "stop": i + 1} for i in range(3)
    ]
    assert [d["seq_nums"] for d in docs["stream_datum"]] == [
        {"start": i, "stop": i + 1} for i in range(1, 4)
    ]
    [frames] = frames_of(docs).values()
    assert frames.shape == (3, HEIGHT, WIDTH)


def test_each_run_gets_a_new_file_and_none_is_overwritten(
    RE: RunEngine, beamline: LoadedBeamline, data_dir: Path
):
    first = run(RE, bp.count([beamline.det], 2))
    files = {p: p.stat().st_mtime_ns for p in data_dir.glob("*.h5")}
    second = run(RE, bp.count([beamline.det], 2))

    [a], [b] = first["stream_resource"], second["stream_resource"]
    assert a["uri"] != b["uri"]
    assert {p: p.stat().st_mtime_ns for p in files} == files
    assert len(frames_of(first)) == len(frames_of(second)) == 1


def test_scan_takes_a_frame_at_each_point_of_a_motor(
    RE: RunEngine, beamline: LoadedBeamline
):
    motor = soft_signal_rw(float, 0.0, name="motor")

    docs = run(RE, bp.scan([beamline.det], motor, 0, 1, 4))

    assert [e["data"]["motor"] for e in docs["event"]] == pytest.approx(
        [0, 1 / 3, 2 / 3, 1]
    )
    assert [e["seq_num"] for e in docs["event"]] == [1, 2, 3, 4]
    [frames] = frames_of(docs).values()
    assert frames.shape[0] == 4


def fly(
    det: Any, info: TriggerInfo, updates: list[WatcherUpdate[int]] | None = None
) -> Any:
    """Prepare, kick off and collect while completing: a detector-only fly scan."""

    def watch(status: Any) -> None:
        if updates is not None:
            status.watch(lambda **kw: updates.append(WatcherUpdate(**kw)))

    yield from bps.open_run()
    yield from bps.stage(det, wait=True)
    yield from bps.prepare(det, info, wait=True)
    yield from bps.declare_stream(det, name="primary", collect=True)
    yield from bps.kickoff(det, wait=True)
    status = yield from bps.complete(det, wait=False, group="done")
    watch(status)
    done = False
    while not done:
        done = status.done
        yield from bps.collect(det, name="primary")
        if not done:
            yield from bps.sleep(0.02)
    yield from bps.wait(group="done")
    yield from bps.unstage(det, wait=True)
    yield from bps.close_run()


def test_a_20_frame_fly_scan_reports_progress_and_references_every_frame(
    RE: RunEngine, beamline: LoadedBeamline
):
    updates: list[WatcherUpdate[int]] = []
    info = TriggerInfo(number_of_events=20, livetime=0.002, deadtime=0.002)

    docs = run(RE, fly(beamline.det, info, updates))

    assert docs["stop"][0]["exit_status"] == "success"
    assert docs["stop"][0]["num_events"] == {"primary": 20}
    [frames] = frames_of(docs).values()
    assert frames.shape[0] == 20
    assert updates[-1].current == updates[-1].target == 20
    assert all(u.unit == "frames" and u.name == "det" for u in updates)
    currents = [u.current for u in updates]
    assert all(b >= a for a, b in pairwise(currents))
    assert len(set(currents)) > 2, "progress is reported while frames arrive"


def test_complete_waits_for_the_frames_even_after_kickoff_without_wait(
    RE: RunEngine, beamline: LoadedBeamline
):
    """ophyd-async #818: kickoff(wait=False) made complete return at once."""
    det: Any = beamline.det

    def plan() -> Any:
        yield from bps.open_run()
        yield from bps.stage(det, wait=True)
        yield from bps.prepare(
            det, TriggerInfo(number_of_events=10, livetime=0.01), wait=True
        )
        yield from bps.declare_stream(det, name="primary", collect=True)
        yield from bps.kickoff(det, wait=False)
        yield from bps.complete(det, wait=True)
        written = yield from bps.rd(det.hdf.num_captured)
        yield from bps.collect(det, name="primary")
        yield from bps.unstage(det, wait=True)
        yield from bps.close_run()
        return written

    docs = run(RE, plan())
    [frames] = frames_of(docs).values()
    assert frames.shape[0] == 10


def test_external_triggers_on_a_detector_without_a_trigger_mode_are_refused(
    RE: RunEngine, beamline: LoadedBeamline
):
    det: Any = beamline.det
    info = TriggerInfo(number_of_events=5, trigger=DetectorTrigger.EXTERNAL_EDGE)
    with pytest.raises(
        Exception, match="det cannot take edge triggers: it has no trigger mode signal"
    ):
        run(RE, fly(det, info))


def test_statistics_of_each_frame_are_read_with_the_detector_in_a_step_scan(
    RE: RunEngine, sim_detector_ioc: Any, data_dir: Path, tmp_path: Path
):
    path = beamline_file(tmp_path, sim_detector_ioc.prefix, data_dir)
    path.write_text(path.read_text().replace("SimDetector", "SimDetectorWithStats"))
    bl = connected_beamline(RE, path)

    docs = run(RE, bp.count([bl.det], 3))

    keys = docs["descriptor"][0]["data_keys"]
    assert keys["det-stats-total"]["source"].endswith("Stats1:Total_RBV")
    assert docs["descriptor"][0]["hints"]["det"]["fields"] == ["det-stats-total"]
    [resource] = docs["stream_resource"]
    with h5py.File(resource["uri"].removeprefix("file://localhost"), "r") as f:
        uids = [int(u) for u in f[UID_DATASET][:]]
    totals = [e["data"]["det-stats-total"] for e in docs["event"]]
    expected = [float(sim_frame(uid, WIDTH, HEIGHT).sum()) for uid in uids]
    assert totals == expected
    maxima = [e["data"]["det-stats-max"] for e in docs["event"]]
    assert maxima == [float(sim_frame(uid, WIDTH, HEIGHT).max()) for uid in uids]
