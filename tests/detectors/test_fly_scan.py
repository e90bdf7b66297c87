"""``fly_scan`` with detectors alone: internal triggers at the frame duration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bluesky.run_engine import RunEngine
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import FlyScanError, fly_scan
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

from ..runs import Docs, run
from .conftest import beamline_file, connected_beamline
from .test_sim_detector import frames_of


@pytest.fixture(scope="module")
def second_ioc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDetectorIoc]:
    with SimDetectorIoc(log_dir=tmp_path_factory.mktemp("second")) as ioc:
        yield ioc


def test_a_2d_snake_gives_one_frame_per_point_of_the_path(
    RE: RunEngine, beamline: LoadedBeamline
):
    spec = Fly(0.005 @ (Line("y", 0, 1, 2) * ~Line("x", 0, 1, 5)))

    docs = run(RE, fly_scan([beamline.det], spec))

    start = docs["start"][0]
    assert start["plan_name"] == "fly_scan"
    assert start["shape"] == [2, 5]
    assert start["num_points"] == 10
    assert docs["stop"][0]["num_events"] == {"primary": 10}
    [frames] = frames_of(docs).values()
    assert frames.shape[0] == 10


def test_two_detectors_collect_aligned_frames_in_one_stream(
    RE: RunEngine,
    beamline: LoadedBeamline,
    second_ioc: SimDetectorIoc,
    data_dir: Path,
    tmp_path: Path,
):
    other = beamline_file(tmp_path, second_ioc.prefix, data_dir)
    other.write_text(other.read_text().replace("det:", "det2:"))
    second: Any = connected_beamline(RE, other).det2
    spec = Fly(0.005 @ Line("x", 0, 1, 8))

    docs = run(RE, fly_scan([beamline.det, second], spec))

    [descriptor] = docs["descriptor"]
    assert {"det", "det2"} <= set(descriptor["data_keys"])
    by_key: dict[str, list[tuple[int, int]]] = {}
    resources = {r["uid"]: r["data_key"] for r in docs["stream_resource"]}
    for datum in docs["stream_datum"]:
        key = resources[datum["stream_resource"]]
        by_key.setdefault(key, []).append(
            (datum["seq_nums"]["start"], datum["seq_nums"]["stop"])
        )
    assert set(by_key) == {"det", "det2"}
    assert by_key["det"][-1][1] == by_key["det2"][-1][1] == 9  # seq_nums 1..8
    assert docs["stop"][0]["num_events"] == {"primary": 8}
    assert [f.shape[0] for f in frames_of(docs).values()] == [8, 8]


def test_a_frame_shorter_than_the_detector_readout_is_refused_before_the_run(
    RE: RunEngine, beamline: LoadedBeamline
):
    docs = Docs()
    with pytest.raises(FlyScanError, match="frames of 0.0005 s are too short"):
        RE(fly_scan([beamline.det], Fly(0.0005 @ Line("x", 0, 1, 4))), docs.add)
    assert docs.order == [], "no run was opened"
