"""The coupled simulated beamline: the PMAC's motors, on one clock with the
detector, trigger it through an in-process position compare, so every frame
is taken inside its collection window; also across a pause."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from scanspec.core import Path as ScanPath

from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.sim_ioc import SimBeamlineIoc

from ..runs import Docs, Pauser, paused_run
from .compare_trigger import CompareTrigger
from .conftest import MOTORS, fly_beamline, snake
from .pausing import assert_every_frame_once, value

FRAMES = 200


@pytest.fixture(scope="module")
def coupled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimBeamlineIoc]:
    with SimBeamlineIoc(MOTORS, log_dir=tmp_path_factory.mktemp("coupled")) as ioc:
        yield ioc


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine, coupled: SimBeamlineIoc, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    return fly_beamline(
        RE,
        tmp_path_factory.mktemp("coupled-bl"),
        coupled.pmac,
        (coupled.motor(1), coupled.motor(2)),
        f"""\
        det:
          blueprint: SimDetectorExternal
          with: {{prefix: "{coupled.detector(1)}"}}
        """,
    )


@pytest.fixture(scope="module")
def pcomp(RE: RunEngine, bl: Any, coupled: SimBeamlineIoc) -> CompareTrigger:
    trigger = CompareTrigger(coupled.compare, bl.x)
    asyncio.run_coroutine_threadsafe(trigger.connect(), RE.loop).result(10)
    return trigger


def assert_inside_windows(spec: Any, axis: Any, first: int, fired: Any) -> None:
    """Each position fired lies inside its frame's window on `axis`, frames
    counted from `first`."""
    frames = ScanPath(spec.calculate(), start=first).consume(len(fired))
    lower = np.asarray(frames.lower[axis])
    upper = np.asarray(frames.upper[axis])
    low, high = np.minimum(lower, upper), np.maximum(lower, upper)
    positions = np.asarray(fired)
    outside = np.flatnonzero((positions < low - 1e-9) | (positions > high + 1e-9))
    assert not len(outside), (
        f"frames {first + outside[:5]} fired at {positions[outside[:5]]}, "
        f"outside [{low[outside[:5]]}, {high[outside[:5]]}]"
    )


def test_the_motors_trigger_the_detector_inside_every_window(
    RE: RunEngine, bl: Any, pcomp: CompareTrigger
):
    spec = snake(bl)
    docs = Docs()

    result = RE(fly_scan([bl.det], spec, motion=bl.pmac, trigger=pcomp), docs)

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES)
    fired = value(RE, pcomp.fired_positions)
    assert len(fired) == FRAMES
    assert_inside_windows(spec, bl.x, 0, fired)


def test_paused_and_resumed_every_frame_is_still_inside_its_window(
    RE: RunEngine, bl: Any, pcomp: CompareTrigger
):
    spec = snake(bl)
    docs = Docs()
    plan = fly_scan([bl.det], spec, motion=bl.pmac, trigger=pcomp)

    assert paused_run(RE, plan, docs, Pauser(RE, 40)) < 2.0
    before = value(RE, pcomp.fired_positions)
    written = value(RE, bl.det.hdf.num_captured)
    assert len(before) >= written, "no frame without an edge"
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once(docs, FRAMES)
    assert_inside_windows(spec, bl.x, 0, before[:written])
    after = value(RE, pcomp.fired_positions)
    assert len(after) == FRAMES - written, "the compare resumed at the first frame"
    assert_inside_windows(spec, bl.x, written, after)
