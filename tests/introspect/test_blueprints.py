"""Found trees -> blueprints: prefixes, shared shapes, vectors (no server)."""

from ophyd_blueprint.introspect import FoundDevice, FoundSignal, to_blueprints


def _block(prefix: str, extra: bool = False) -> FoundDevice:
    signals = {"out": FoundSignal("r", f"{prefix}OUT", dtype="float")}
    if extra:
        signals["gate"] = FoundSignal("rw", f"{prefix}GATE", dtype="int")
    return FoundDevice(where=f"pva://{prefix}PVI", signals=signals)


def test_items_of_one_shape_share_a_blueprint_as_a_vector() -> None:
    root = FoundDevice(
        where="pva://P:PVI",
        signals={"gain": FoundSignal("rw", "P:GAIN", dtype="float")},
        vectors={"calc": {1: _block("P:CALC1:"), 2: _block("P:CALC2:")}},
    )
    found = to_blueprints(root, "Box")
    calc = found.root.children["calc"]
    assert calc.blueprint == "BoxCalc"
    assert calc.vector == {
        1: {"prefix": "{{prefix}}CALC1:"},
        2: {"prefix": "{{prefix}}CALC2:"},
    }
    assert found.blueprints["BoxCalc"].signals["out"].source == "{{prefix}}OUT"
    assert found.root.params["prefix"].default == "P:"
    assert found.root.signals["gain"].source == "{{prefix}}GAIN"


def test_items_of_different_shapes_become_numbered_children() -> None:
    root = FoundDevice(
        where="pva://P:PVI",
        vectors={"calc": {1: _block("P:CALC1:"), 2: _block("P:CALC2:", extra=True)}},
    )
    found = to_blueprints(root, "Box")
    assert set(found.root.children) == {"calc_1", "calc_2"}
    assert found.root.children["calc_1"].blueprint == "BoxCalc"
    assert found.root.children["calc_2"].blueprint == "BoxCalc2"


def test_protocol_prefix_of_a_link_is_kept_and_bare_links_stay_bare() -> None:
    root = FoundDevice(
        where="pva://P:PVI",
        signals={
            "a": FoundSignal("r", "ca://P:A", dtype="int"),
            "b": FoundSignal("r", "P:B", dtype="int"),
        },
    )
    signals = to_blueprints(root, "Box").root.signals
    assert signals["a"].source == "ca://{{prefix}}A"
    assert signals["b"].source == "{{prefix}}B"


def test_bare_links_take_the_protocol_given_and_others_keep_theirs() -> None:
    """Live PVI's links are PVA PVs: a frozen blueprint says so, as the device
    discovered at connect uses them, whatever the beamline's protocol."""
    root = FoundDevice(
        where="pva://P:PVI",
        signals={
            "a": FoundSignal("r", "ca://P:A"),
            "b": FoundSignal("rw", "P:B", read_source="P:B_RBV"),
            "c": FoundSignal("x", "P:C"),
        },
    )
    signals = to_blueprints(root, "Box", protocol="pva").root.signals
    assert signals["a"].source == "ca://{{prefix}}A"
    assert (signals["b"].source, signals["b"].read_source) == (
        "pva://{{prefix}}B",
        "pva://{{prefix}}B_RBV",
    )
    assert signals["c"].source == "pva://{{prefix}}C"
