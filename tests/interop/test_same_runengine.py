"""ophyd sync, ophyd-async and ophyd-blueprint devices in one RunEngine scan."""

from collections import defaultdict
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import event_model
import ophyd.sim
import ophyd_async.core as oa
import pytest
from bluesky.run_engine import RunEngine
from event_model import DocumentNames

from ophyd_blueprint import (
    PutCall,
    ReadCategory,
    StandardReadable,
    get_mock_put_calls,
    signal_x,
    soft_signal_rw,
)
from ophyd_blueprint.plans import ensure_connected


class OurDetector(StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(ReadCategory.HINTED):
            self.counts = soft_signal_rw(float, 42.0)
        super().__init__(name)


class TheirDetector(oa.StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(oa.StandardReadableFormat.HINTED_SIGNAL):
            self.value = oa.soft_signal_rw(float, 7.0)
        super().__init__(name=name)


@pytest.fixture(scope="module")
def RE() -> Any:
    return RunEngine(context_managers=[])


def run_and_validate(RE: Any, plan: Any) -> dict[str, list[dict[str, Any]]]:
    docs: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def collect(name: str, doc: dict[str, Any]) -> None:
        event_model.schema_validators[DocumentNames(name)].validate(doc)
        docs[name].append(doc)

    RE(plan, collect)
    return docs


def test_one_scan_moves_ophyd_sync_and_reads_ophyd_async_and_ours(RE: Any):
    ours = OurDetector("ours")
    theirs = TheirDetector("theirs")
    RE(ensure_connected(ours, theirs))
    motor = ophyd.sim.SynAxis(name="sync_motor")

    docs = run_and_validate(RE, bp.scan([ours, theirs], motor, 0, 1, 5))

    assert len(docs["event"]) == 5
    keys = set(docs["descriptor"][0]["data_keys"])
    assert {"ours-counts", "theirs-value", "sync_motor"} <= keys
    assert [e["data"]["ours-counts"] for e in docs["event"]] == [42.0] * 5
    assert [e["data"]["sync_motor"] for e in docs["event"]] == [0, 0.25, 0.5, 0.75, 1]
    assert docs["stop"][0]["exit_status"] == "success"


def test_one_scan_moves_ours_and_reads_theirs(RE: Any):
    axis = soft_signal_rw(float, 0.0, name="our_axis")
    theirs = TheirDetector("theirs")
    sync_det = ophyd.sim.SynGauss(
        "sync_det", ophyd.sim.motor, "motor", center=0, Imax=1
    )
    RE(ensure_connected(axis, theirs))

    docs = run_and_validate(RE, bp.scan([theirs, sync_det], axis, -1, 1, 3))

    data = [e["data"] for e in docs["event"]]
    assert [d["our_axis"] for d in data] == [-1.0, 0.0, 1.0]
    assert all({"theirs-value", "sync_det", "our_axis"} <= set(d) for d in data)


def test_a_trigger_in_a_plan_is_triggered_and_waited_for(RE: Any):
    go = signal_x("mock://go", name="go")
    RE(ensure_connected(go))

    RE(bps.trigger(go, wait=True))

    assert get_mock_put_calls(go) == [PutCall(None, True)]
