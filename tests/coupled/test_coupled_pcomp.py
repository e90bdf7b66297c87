"""Position compare on the coupled beamline: the PandA's PCOMP1 pulses where
x enters each frame of a line, triggering the capture and the detector; a
paused line resumes with the pulses of the frames not taken (the PCOMP
prepared with the path from the first of them, a `FlyPath`)."""

from __future__ import annotations

from typing import Any

import pytest
from bluesky.run_engine import RunEngine
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.testing.coupled import CoupledBeamline

from .checks import (
    Docs,
    EventPauser,
    assert_contiguous,
    assert_inside_windows,
    panda_positions,
    paused_run,
    resources,
)
from .conftest import load_coupled
from .test_coupled_pause import never_left_paused, plan

__all__ = ["never_left_paused"]

FRAMES = 100
PCOMP = {
    "use": "trigger.PandaPcomp",
    "bind": {
        name: f"pcomp.1.{name}"
        for name in (
            "enable",
            "active",
            "start",
            "width",
            "step",
            "pulses",
            "dir",
            "pre_start",
            "relative",
        )
    }
    | {"scale": "inenc.1.val_scale", "offset": "inenc.1.val_offset"},
    "with": {"axis": "x"},
}
WIRING = [
    ("PCOMP1:INP", "INENC1.VAL"),
    ("PCAP:ENABLE", "PCOMP1.ACTIVE"),
    ("PCAP:GATE", "PCOMP1.ACTIVE"),
    ("PCAP:TRIG", "PCOMP1.OUT"),
    ("TTLOUT1:VAL", "PCOMP1.OUT"),
]
"""PCOMP1 on INENC1 (x) triggers the capture and the detector."""


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    return load_coupled(RE, coupled_beamline, tmp_path_factory, PCOMP, WIRING)


def line(bl: LoadedBeamline) -> Any:
    """Two seconds of frames along x: a pause lands mid-line."""
    return Fly(0.02 @ Line(bl.x, 0, 1.98, FRAMES))  # 200 counts a frame


def assert_every_frame_once_in_its_window(
    docs: Docs, bl: LoadedBeamline, spec: Any
) -> None:
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    for key in ("det", "panda-x"):
        assert_contiguous(docs, key, FRAMES)
    assert_inside_windows(spec, bl.x, panda_positions(docs, "x"))


def test_position_compare_triggers_a_frame_in_every_window_of_a_line(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = line(bl)
    docs = Docs()

    result = RE(plan(bl, spec), docs)

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec)


def test_paused_a_line_resumes_with_the_pulses_of_the_frames_not_taken(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = line(bl)
    docs = Docs()

    assert paused_run(RE, plan(bl, spec), docs, EventPauser(RE, 20)) < 2.0
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec)
    assert len(resources(docs, "panda-x")) == 2, "a file for each arm"
