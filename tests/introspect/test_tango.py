"""Tango devices -> blueprints, against the real Tango test server."""

import pytest

from ophyd_blueprint.introspect import IntrospectionError, introspect
from ophyd_blueprint.testing.tango_devices import ENUM_LABELS
from ophyd_blueprint.testing.tango_server import TangoServer, free_port


async def test_attributes_keep_type_access_units_and_labels(
    tango_server: TangoServer,
) -> None:
    found = await introspect(tango_server.device("types"), timeout=10)
    signals = found.root.signals
    assert (signals["double_scalar"].dtype, signals["double_scalar"].access) == (
        "float",
        "rw",
    )
    assert signals["double_scalar"].units == "mm"
    assert signals["double_readonly"].access == "r"
    assert signals["enum_scalar"].dtype == "enum"
    assert signals["enum_scalar"].choices == list(ENUM_LABELS)
    assert signals["state_scalar"].choices is not None
    assert "MOVING" in signals["state_scalar"].choices
    assert signals["long64_spectrum"].dtype == "int64[]"
    assert signals["string_spectrum"].dtype == "str[]"
    assert signals["uchar_image"].dtype == "ndarray"
    assert signals["boolean_scalar"].dtype == "bool"


async def test_void_commands_are_triggers_and_others_are_noted(
    tango_server: TangoServer,
) -> None:
    found = await introspect(tango_server.device("types"), timeout=10)
    assert found.root.signals["reset"].access == "x"
    assert found.root.signals["reset"].source == "tango://{{prefix}}Reset#dbase=no"
    assert "scale" not in found.root.signals
    assert any("left out command Scale" in note for note in found.notes)
    assert not any("command State" in note for note in found.notes)
    assert {"state", "status"} <= set(found.root.signals)  # as attributes


async def test_motor_is_named_from_its_device(tango_server: TangoServer) -> None:
    found = await introspect(tango_server.device("motor"), timeout=10)
    assert found.root.name == "Motor1"
    assert found.root.signals["position"].units == "mm"
    assert {"stop", "home"} <= set(found.root.signals)


async def test_a_dead_tango_device_is_a_clear_error() -> None:
    uri = f"tango://127.0.0.1:{free_port()}/test/none/1#dbase=no"
    with pytest.raises(IntrospectionError) as caught:
        await introspect(uri, timeout=1)
    assert str(caught.value) == (  # one line, not pytango's DevFailed dump
        f"{uri}: no device server answers for test/none/1 (down, or wrong host:port?)"
    )


async def test_an_unknown_scheme_says_what_is_expected() -> None:
    with pytest.raises(IntrospectionError, match=r"expected pva://PV .*tango://"):
        await introspect("http://example/x")
