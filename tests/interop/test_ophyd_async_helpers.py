"""ophyd-async's own helpers, which dodal users reach for, on our devices."""

from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import ophyd_async.core as oa
import pytest
from bluesky.run_engine import RunEngine
from ophyd_async.plan_stubs import ensure_connected

from ophyd_blueprint import load_beamline, set_mock_value, signal_rw
from ophyd_blueprint.testing.ioc import EpicsIoc

DEMO = Path(__file__).parents[2] / "beamlines" / "demo.yaml"


@pytest.fixture(scope="module")
def RE() -> Any:
    return RunEngine(context_managers=[])


def test_their_ensure_connected_connects_our_signal_to_a_real_ioc(
    RE: Any, epics_ioc: EpicsIoc
):
    ao = signal_rw(float, f"ca://{epics_ioc.pv('AO')}", name="ao")
    RE(ensure_connected(ao, force_reconnect=True, timeout=5.0))
    RE(bps.mv(ao, 3.5))
    events: list[dict[str, Any]] = []
    RE(bp.count([ao]), lambda name, doc: events.append(doc) if name == "event" else 0)
    assert [e["data"]["ao"] for e in events] == [3.5]


def test_their_ensure_connected_mocks_a_beamline_device(RE: Any):
    bl = load_beamline(DEMO)
    RE(ensure_connected(bl.x, bl.det, mock=True))
    set_mock_value(bl.det.total, 5.0)
    events: list[dict[str, Any]] = []
    RE(
        bp.scan([bl.det], bl.x, 0, 1, 3),
        lambda name, doc: events.append(doc) if name == "event" else 0,
    )
    assert [e["data"]["det-total"] for e in events] == [5.0] * 3
    assert [e["data"]["x-readback"] for e in events] == [0.0, 0.5, 1.0]


def test_their_set_mock_value_on_our_signal_names_ours_instead(RE: Any):
    bl = load_beamline(DEMO, mock=True)
    RE(ensure_connected(bl.det, mock=True))
    with pytest.raises(AttributeError, match="from ophyd_blueprint import set_mock"):
        oa.set_mock_value(bl.det.total, 5.0)
    with pytest.raises(AttributeError, match="ophyd-blueprint device"):
        oa.get_mock(bl.det)
