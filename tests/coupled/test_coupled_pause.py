"""Pausing a fly scan on the coupled beamline, the PandA triggering: the
PMAC, the PandA's sequencer and capture and the detector stop; the scan
resumes from the first frame not taken by both, the PandA into a new file
(pandablocks-ioc writes one arm per file), with every frame once and inside
its window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import fly_scan
from tests.pmac.pausing import value

from .checks import (
    Docs,
    EventPauser,
    assert_contiguous,
    assert_inside_windows,
    detector_brightness,
    panda_positions,
    paused_run,
    resources,
)
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

    assert paused_run(RE, plan(bl, spec), docs, EventPauser(RE, 20)) < 2.0
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
    pauser = EventPauser(RE, 20, 70)

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
    paused_run(RE, plan(bl, spec), docs, EventPauser(RE, 20))

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
