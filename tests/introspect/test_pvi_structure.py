"""PVI structures as plain data: every form parsed without a server."""

import pytest

from ophyd_blueprint.introspect import FoundSignal, IntrospectionError, snake_case
from ophyd_blueprint.introspect.pvi_structure import parse_pvi


def test_ntpvi_links_become_signals_and_sub_devices() -> None:
    entries = parse_pvi(
        "pva://X:PVI",
        {
            "value": {
                "gain": {"rw": "X:GAIN"},
                "setp": {"r": "X:SETP_RBV", "w": "X:SETP"},
                "status": {"r": "X:STATUS"},
                "reset": {"w": "X:RESET"},
                "start": {"x": "X:START"},
                "block": {"d": "X:BLOCK:PVI"},
            }
        },
    )
    assert entries.signals == {
        "gain": FoundSignal("rw", "X:GAIN"),
        "setp": FoundSignal("rw", "X:SETP", read_source="X:SETP_RBV"),
        "status": FoundSignal("r", "X:STATUS"),
        "reset": FoundSignal("w", "X:RESET"),
        "start": FoundSignal("x", "X:START"),
    }
    assert entries.devices == {"block": "X:BLOCK:PVI"}


def test_legacy_pvi_field_is_read_like_value() -> None:
    entries = parse_pvi("pva://X:PVI", {"pvi": {"Count": {"r": "ca://X:COUNT"}}})
    assert entries.signals == {"count": FoundSignal("r", "ca://X:COUNT")}


def test_numbered_entries_make_vectors_in_every_form() -> None:
    entries = parse_pvi(
        "pva://X:PVI",
        {
            "value": {
                "__1": {"d": "X:A1:PVI"},
                "out__2": {"r": "X:OUT2"},
                "seq__3": {"d": "pva://X:SEQ3:PVI"},
                "calc": [None, {"d": "X:CALC1:PVI"}, {"d": "X:CALC2:PVI"}],
            }
        },
    )
    assert entries.own_vector == {1: "X:A1:PVI"}
    assert entries.signals == {"out_2": FoundSignal("r", "X:OUT2")}
    assert entries.vectors == {
        "seq": {3: "X:SEQ3:PVI"},
        "calc": {1: "X:CALC1:PVI", 2: "X:CALC2:PVI"},
    }


def test_structure_without_value_or_pvi_is_not_pvi() -> None:
    with pytest.raises(IntrospectionError, match=r"pva://X:Y is not a PVI structure"):
        parse_pvi("pva://X:Y", {"value": 1.5, "alarm": {}})


def test_links_that_make_nothing_are_named_with_what_is_expected() -> None:
    with pytest.raises(IntrospectionError, match=r"entry 'odd' has links .*expected"):
        parse_pvi("pva://X:PVI", {"value": {"odd": {"r": "A", "x": "B"}}})


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("AcquireTime", "acquire_time"),
        ("TVXVersion", "tvx_version"),
        ("already_snake", "already_snake"),
        ("2Theta", "n2_theta"),
        ("name", "name_"),
        ("class", "class_"),
    ],
)
def test_names_become_snake_case_attribute_names(name: str, snake: str) -> None:
    assert snake_case(name) == snake


def test_a_plain_link_is_the_signal_the_constructor_makes() -> None:
    made = FoundSignal.link("rw", "X:GAIN")
    assert made == FoundSignal("rw", "X:GAIN")
    assert (made.read_source, made.dtype, made.columns, made.doc) == (None,) * 4
    assert hash(made) == hash(FoundSignal("rw", "X:GAIN"))


def test_structures_written_as_pairs_read_like_mappings() -> None:
    # p4p's tolist(): a structure is a list of (name, value) pairs
    entries = parse_pvi(
        "pva://X:PVI",
        {
            "value": [
                ("Gain", [("rw", "X:GAIN")]),
                ("setp", [("r", "X:SETP_RBV"), ("w", "X:SETP")]),
                ("out__2", [("r", "X:OUT2")]),
                ("block", [("d", "X:BLOCK:PVI")]),
                ("calc", [None, [("d", "X:CALC1:PVI")], [("d", "X:CALC2:PVI")]]),
            ]
        },
    )
    assert entries.signals == {
        "gain": FoundSignal("rw", "X:GAIN"),
        "setp": FoundSignal("rw", "X:SETP", read_source="X:SETP_RBV"),
        "out_2": FoundSignal("r", "X:OUT2"),
    }
    assert entries.devices == {"block": "X:BLOCK:PVI"}
    assert entries.vectors == {"calc": {1: "X:CALC1:PVI", 2: "X:CALC2:PVI"}}
    assert parse_pvi("pva://X:PVI", {"value": []}) == parse_pvi(
        "pva://X:PVI", {"value": {}}
    )
