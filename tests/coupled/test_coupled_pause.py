"""Pausing a fly scan on the coupled beamline, the PandA triggering: the
PMAC, the PandA's sequencer and capture and the detector stop; the scan
resumes from the first frame not taken by both, the PandA into a new file
(pandablocks-ioc writes one arm per file), with every frame once and inside
its window: with the sequencer's tables cut short (several tables, the
capture going on across them) and with position compare triggering."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bluesky.plan_stubs as bps
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.logic.panda import Encoder, SeqPlanner
from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.coupled import CoupledBeamline
from ophyd_blueprint.testing.sim_beamline import ENCODER_SCALE
from tests.pmac.pausing import value

from ..runs import Docs, Pauser, paused_run
from .checks import (
    assert_contiguous,
    assert_inside_windows,
    detector_brightness,
    panda_positions,
    ranges,
    resources,
)
from .conftest import load_coupled, seq_logic, wire
from .test_coupled_fly import assert_matches_midpoints

FRAMES = 100


def snake(bl: LoadedBeamline) -> Any:
    """Two seconds of frames: a pause lands mid-scan."""
    return Fly(0.02 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 25)))


def plan(bl: LoadedBeamline, spec: Any) -> Any:
    return fly_scan([bl.panda, bl.det], spec, motion=bl.pmac, trigger=bl.panda)


def assert_every_frame_once_in_its_window(
    docs: Docs, bl: LoadedBeamline, spec: Any, frames: int
) -> None:
    assert docs["stop"][0]["num_events"] == {"primary": frames}
    for key in ("det", "panda-x", "panda-y"):
        assert_contiguous(docs, key, frames)
    assert_inside_windows(spec, bl.x, panda_positions(docs, "x"))
    assert_inside_windows(spec, bl.y, panda_positions(docs, "y"))
    [det] = resources(docs, "det")
    assert_matches_midpoints(spec, bl, detector_brightness(det, frames))


@pytest.fixture(autouse=True)
def never_left_paused(RE: RunEngine) -> Iterator[None]:
    """A test that fails while paused does not leave the next one paused."""
    yield
    if RE.state == "paused":
        RE.abort("the test ended")


def off(level: Any) -> bool:
    """A PandA bit (a live enum of "0" / "1") or a flag, low."""
    return str(getattr(level, "value", level)) in ("0", "False")


def assert_stopped(RE: RunEngine, bl: LoadedBeamline) -> None:
    assert off(value(RE, bl.panda.seq[1].active))
    assert off(value(RE, bl.panda.pcap.active))
    assert value(RE, bl.det.cam.acquire) is False
    assert str(value(RE, bl.pmac.execute_state)) == "Done"
    assert value(RE, bl.x.done_moving)
    assert value(RE, bl.y.done_moving)


def test_paused_once_the_scan_resumes_with_every_frame_once_in_its_window(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = snake(bl)
    docs = Docs()

    assert paused_run(RE, plan(bl, spec), docs, Pauser(RE, 20, by="events")) < 2.0
    assert_stopped(RE, bl)
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, FRAMES)
    assert len(resources(docs, "panda-x")) == 2, "a file for each arm"


def test_paused_twice_the_scan_still_has_every_frame_once_in_its_window(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = snake(bl)
    docs = Docs()
    pauser = Pauser(RE, 20, 70, by="events")

    assert paused_run(RE, plan(bl, spec), docs, pauser) < 2.0
    with pytest.raises(RunEngineInterrupted):
        RE.resume()
    assert RE.state == "paused"
    assert not pauser.after, "paused a second time"
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, FRAMES)


def test_aborted_while_paused_everything_is_stopped_and_the_documents_whole(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = snake(bl)
    docs = Docs()
    paused_run(RE, plan(bl, spec), docs, Pauser(RE, 20, by="events"))

    result = RE.abort("the sample moved")

    assert result.exit_status == "abort"
    assert docs["stop"][0]["exit_status"] == "abort"
    assert_stopped(RE, bl)
    assert value(RE, bl.det.hdf.capture) is False, "the detector's file was closed"
    assert off(value(RE, bl.panda.data.capture)), "the PandA's too"
    events = docs["stop"][0]["num_events"]["primary"]
    assert 20 <= events < FRAMES
    for key in ("det", "panda-x", "panda-y"):
        assert_contiguous(docs, key, events)
    x = panda_positions(docs, "x")
    assert_inside_windows(spec, bl.x, x)
    assert np.isfinite(x).all()


# -- the sequencer in several tables ----------------------------------------
# (a table cut to 4 rows here, as a long snake's beyond 4096): between two
# tables the block is reloaded and SEQ1.ACTIVE falls, but the capture goes
# on, enabled by the bit the sequencer holds while its tables run
# (``running: bits.a``), so no frame of the later tables is lost.

ROWS = 4
"""The rows a sequencer table holds here."""


@pytest.fixture(scope="module")
def tabled(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    """The beamline with the sequencer's tables cut to `ROWS` rows."""
    return load_coupled(
        RE, coupled_beamline, tmp_path_factory, seq_logic(max_rows=ROWS)
    )


@pytest.fixture
def slow_turns(RE: RunEngine, tabled: LoadedBeamline) -> Iterator[LoadedBeamline]:
    """x turns round in 0.8 s, not 0.08 (ACCL 1 s, not 0.1): time enough to
    load the next table through pandablocks-ioc, which sees ACTIVE fall at
    its 10 Hz poll. A table loaded after the motor passed its first window's
    start would wait for the motor to come back (docs/adr/0005)."""
    bl = tabled
    accl = value(RE, bl.x.acceleration)
    RE(bps.abs_set(bl.x.acceleration, 1.0, wait=True))
    yield bl
    RE(bps.abs_set(bl.x.acceleration, accl, wait=True))


def tables(bl: LoadedBeamline, spec: Any, start: int = 0) -> int:
    """How many tables the sequencer runs for `spec` from frame `start`."""
    encoders = {bl.x: Encoder("A", ENCODER_SCALE)}
    return len(list(SeqPlanner(spec, encoders, max_rows=ROWS, start=start)))


def test_a_scan_in_two_tables_is_captured_whole(
    RE: RunEngine, slow_turns: LoadedBeamline
) -> None:
    bl = slow_turns
    spec = Fly(0.02 @ (Line(bl.y, 0, 1, 3) * ~Line(bl.x, 0, 2, 25)))
    assert tables(bl, spec) == 2, "three snake lines: a pair of them, then one"
    docs = Docs()

    result = RE(plan(bl, spec), docs)

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, 75)


def test_paused_the_rest_in_several_tables_is_captured_whole(
    RE: RunEngine, slow_turns: LoadedBeamline
) -> None:
    bl = slow_turns
    spec = Fly(0.02 @ (Line(bl.y, 0, 1, 6) * ~Line(bl.x, 0, 2, 25)))
    assert tables(bl, spec) == 1, "three pairs of lines: one table, repeated"
    docs = Docs()

    paused_run(RE, plan(bl, spec), docs, Pauser(RE, 20, by="events"))
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, 150)
    before, _ = resources(docs, "panda-x")
    resumed_at = sum(b - a for a, b in ranges(docs, "panda-x", before))
    assert tables(bl, spec, resumed_at) > 1, (
        f"from frame {resumed_at}: the rest of a line, then pairs of lines"
    )


# -- position compare -------------------------------------------------------
# PCOMP1 pulses where x enters each frame of a line, triggering the capture
# and the detector; a paused line resumes with the pulses of the frames not
# taken (PCOMP prepared with the path from the first of them, a `FlyPath`).

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
def pcomp_loaded(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    return load_coupled(RE, coupled_beamline, tmp_path_factory, PCOMP, WIRING)


@pytest.fixture
def pcomp(
    pcomp_loaded: LoadedBeamline, coupled_beamline: CoupledBeamline
) -> Iterator[LoadedBeamline]:
    """The beamline with PCOMP1 triggering, wired so for the test only."""
    wire(coupled_beamline, WIRING)
    yield pcomp_loaded
    wire(coupled_beamline)


def line(bl: LoadedBeamline) -> Any:
    """Two seconds of frames along x: a pause lands mid-line."""
    return Fly(0.02 @ Line(bl.x, 0, 1.98, FRAMES))  # 200 counts a frame


def assert_every_frame_of_a_line_once(
    docs: Docs, bl: LoadedBeamline, spec: Any
) -> None:
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    for key in ("det", "panda-x"):
        assert_contiguous(docs, key, FRAMES)
    assert_inside_windows(spec, bl.x, panda_positions(docs, "x"))


def test_position_compare_triggers_a_frame_in_every_window_of_a_line(
    RE: RunEngine, pcomp: LoadedBeamline
) -> None:
    bl = pcomp
    spec = line(bl)
    docs = Docs()

    result = RE(plan(bl, spec), docs)

    assert result.exit_status == "success"
    assert_every_frame_of_a_line_once(docs, bl, spec)


def test_paused_a_line_resumes_with_the_pulses_of_the_frames_not_taken(
    RE: RunEngine, pcomp: LoadedBeamline
) -> None:
    bl = pcomp
    spec = line(bl)
    docs = Docs()

    assert paused_run(RE, plan(bl, spec), docs, Pauser(RE, 20, by="events")) < 2.0
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_of_a_line_once(docs, bl, spec)
    assert len(resources(docs, "panda-x")) == 2, "a file for each arm"
