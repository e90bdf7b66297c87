"""``fly_scan`` with a trigger device that is one of its detectors too (as a
PandA will be): prepared with both, staged, kicked off and completed once,
kicked off after the other detectors and before the motion; and paused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import Msg

from ophyd_blueprint import wait_for_value
from ophyd_blueprint.plans import fly_scan
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc

from ..runs import Docs, Pauser, paused_run
from .conftest import fly_beamline, snake
from .pausing import assert_every_frame_once, frames_in, resources
from .self_triggered import SelfTriggered

FRAMES = 200


@pytest.fixture(scope="module")
def detector_iocs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SimDetectorIoc, SimDetectorIoc]]:
    folder = tmp_path_factory.mktemp("dets")
    with SimDetectorIoc(log_dir=folder) as one, SimDetectorIoc(log_dir=folder) as two:
        yield one, two


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine,
    sim_pmac: SimPmacIoc,
    detector_iocs: tuple[SimDetectorIoc, SimDetectorIoc],
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    one, two = detector_iocs
    return fly_beamline(
        RE,
        tmp_path_factory.mktemp("gated"),
        sim_pmac.prefix,
        (sim_pmac.motor(1), sim_pmac.motor(2)),
        f"""\
        det: {{blueprint: SimDetectorExternal, with: {{prefix: "{one.prefix}"}}}}
        det2: {{blueprint: SimDetectorExternal, with: {{prefix: "{two.prefix}"}}}}
        """,
    )


def test_a_detector_that_is_the_trigger_is_prepared_twice_and_flown_once(
    RE: RunEngine, bl: Any
):
    gated = SelfTriggered(bl.det, [bl.det2])
    sent: list[tuple[str, str]] = []

    def record(msg: Msg) -> None:
        if msg.command in ("stage", "prepare", "kickoff", "complete"):
            sent.append((msg.command, msg.obj.name))

    docs = Docs()
    RE.msg_hook = record
    try:
        result = RE(
            fly_scan([bl.det2, gated], snake(bl), motion=bl.pmac, trigger=gated), docs
        )
    finally:
        RE.msg_hook = None

    assert result.exit_status == "success"
    assert gated.calls == {
        "stage": 1,
        "prepare detector": 1,
        "prepare path": 1,
        "kickoff": 1,
        "complete": 1,
        "unstage": 1,
    }
    kickoffs = [name for command, name in sent if command == "kickoff"]
    assert kickoffs == ["det2", "det", "pmac"], "armed, then triggered, then moved"
    assert gated.fired == FRAMES
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES, "det")
    assert_every_frame_once(docs, FRAMES, "det2")


def test_a_paused_scan_with_a_trigger_resumes_both_detectors_at_the_same_frame(
    RE: RunEngine, bl: Any
):
    gated = SelfTriggered(bl.det, [bl.det2])
    docs = Docs()
    plan = fly_scan([bl.det2, gated], snake(bl), motion=bl.pmac, trigger=gated)

    assert paused_run(RE, plan, docs, Pauser(RE, 40)) < 2.0
    assert gated.calls["stop"] == 1
    result = RE.resume()

    assert result.exit_status == "success"
    assert gated.calls["prepare path"] == 2, "once at the start, once to resume"
    assert gated.calls["stage"] == 1
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES, "det")
    assert_every_frame_once(docs, FRAMES, "det2")


class OneMoreEdgeForItself(SelfTriggered):
    """A trigger whose last edge, as it stops, reaches only its own detector
    (which writes that frame): the other detector never gets it."""

    async def _stop(self) -> None:
        await self._stop_firing()
        await self.edge_given()
        written = self.detector.hdf.num_captured
        # every edge given so far written, then one edge more, to itself
        await wait_for_value(written, lambda n: n >= self.fired, 10.0)
        await self.outputs[0].set(1)
        await wait_for_value(written, lambda n: n > self.fired, 10.0)
        await self.detector.stop()


def test_a_frame_one_detector_alone_took_at_a_pause_is_not_written_twice(
    RE: RunEngine, bl: Any
):
    gated = OneMoreEdgeForItself(bl.det, [bl.det2])
    docs = Docs()
    plan = fly_scan([bl.det2, gated], snake(bl), motion=bl.pmac, trigger=gated)

    paused_run(RE, plan, docs, Pauser(RE, 40))
    result = RE.resume()

    assert result.exit_status == "success"
    assert docs["stop"][0]["num_events"] == {"primary": FRAMES}
    assert_every_frame_once(docs, FRAMES, "det2")
    assert_every_frame_once(docs, FRAMES, "det")
    first, _ = resources(docs, "det")  # the file ends at the frame det2 lacks
    referenced = max(
        d["indices"]["stop"]
        for d in docs["stream_datum"]
        if d["stream_resource"] == first["uid"]
    )
    assert frames_in(first)[0] == referenced + 1, "that frame stays unreferenced"
