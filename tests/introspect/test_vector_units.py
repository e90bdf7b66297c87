"""Items of a PVI vector stay one vector when only their units differ."""

from __future__ import annotations

from ophyd_blueprint.introspect import to_blueprints
from ophyd_blueprint.introspect.tree import FoundDevice, FoundSignal


def _seq(n: int, units: str) -> FoundDevice:
    prescale = FoundSignal("rw", f"pva://P:SEQ{n}:PRESCALE", dtype="float", units=units)
    return FoundDevice(f"pva://P:SEQ{n}:PVI", signals={"prescale": prescale})


def test_items_whose_units_differ_are_one_vector_without_units() -> None:
    root = FoundDevice(
        "pva://P:PVI", vectors={"seq": {1: _seq(1, "us"), 2: _seq(2, "s")}}
    )

    found = to_blueprints(root, "Panda")

    seq = found.root.children["seq"]
    assert seq.vector is not None
    assert sorted(seq.vector) == [1, 2]
    assert seq.blueprint is not None
    assert found.blueprints[seq.blueprint].signals["prescale"].units is None


def test_items_that_agree_keep_their_units() -> None:
    root = FoundDevice(
        "pva://P:PVI", vectors={"seq": {1: _seq(1, "s"), 2: _seq(2, "s")}}
    )

    found = to_blueprints(root, "Panda")

    seq = found.root.children["seq"]
    assert seq.blueprint is not None
    assert found.blueprints[seq.blueprint].signals["prescale"].units == "s"
