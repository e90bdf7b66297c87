"""Live PVI over PVA, against a real IOC serving QSRV 2 groups."""

import pytest

from ophyd_blueprint.introspect import IntrospectionError, introspect
from ophyd_blueprint.testing.ioc import EpicsIoc


async def test_signals_are_left_to_take_their_type_at_connect(
    pvi_ioc: EpicsIoc,
) -> None:
    found = await introspect(f"pva://{pvi_ioc.pv('PVI')}", name="Stage")
    signals = found.root.signals
    assert {s.dtype for s in signals.values()} == {None}
    assert (signals["gain"].access, signals["gain"].units) == ("rw", None)
    assert signals["mode"].choices is None
    assert signals["start"].access == "x"


async def test_signals_are_typed_from_their_pvs_when_asked(pvi_ioc: EpicsIoc) -> None:
    found = await introspect(f"pva://{pvi_ioc.pv('PVI')}", name="Stage", type_live=True)
    signals = found.root.signals
    assert found.root.name == "Stage"
    assert (signals["gain"].dtype, signals["gain"].access) == ("float", "rw")
    assert signals["gain"].units == "dB"
    assert signals["mode"].dtype == "enum"
    assert signals["mode"].choices == ["Off", "Slow", "Fast"]
    assert signals["status"].dtype == "str"
    assert signals["trace"].dtype == "float64[]"
    assert (signals["start"].access, signals["start"].dtype) == ("x", None)
    setpoint = signals["setpoint"]
    assert (setpoint.source, setpoint.read_source) == (
        "pva://{{prefix}}SETP",
        "pva://{{prefix}}SETP_RBV",
    )
    assert found.root.params["prefix"].default == pvi_ioc.prefix


async def test_vectors_and_nested_devices_follow_d_links(pvi_ioc: EpicsIoc) -> None:
    found = await introspect(f"pva://{pvi_ioc.pv('PVI')}", name="Stage", type_live=True)
    assert {"out_1", "out_2"} <= set(found.root.signals)
    calc = found.root.children["calc"]
    assert calc.vector == {
        1: {"prefix": "{{prefix}}CALC1:"},
        2: {"prefix": "{{prefix}}CALC2:"},
    }
    assert calc.blueprint is not None
    item = found.blueprints[calc.blueprint]
    assert item.signals["enable"].choices == ["No", "Yes"]


async def test_legacy_pvi_field_and_link_protocols_are_honoured(
    pvi_ioc: EpicsIoc,
) -> None:
    found = await introspect(f"pva://{pvi_ioc.pv('PVI')}", type_live=True)
    legacy = found.blueprints[found.root.children["legacy"].blueprint or ""]
    assert legacy.signals["count"].source == "ca://{{prefix}}COUNT"
    assert legacy.signals["count"].dtype == "int"
    assert legacy.signals["label"].source == "pva://{{prefix}}LABEL"


async def test_a_structure_that_is_not_pvi_is_a_clear_error(pvi_ioc: EpicsIoc) -> None:
    uri = f"pva://{pvi_ioc.pv('NOTPVI')}"
    with pytest.raises(IntrospectionError, match=rf"{uri} is not a PVI structure"):
        await introspect(uri, timeout=5)


async def test_a_cycle_of_d_links_is_a_clear_error(pvi_ioc: EpicsIoc) -> None:
    with pytest.raises(IntrospectionError, match=r"a cycle of d links: .*LOOP:PVI$"):
        await introspect(pvi_ioc.pv("LOOP:PVI"), timeout=5)


async def test_a_dead_root_times_out_naming_the_pv(pvi_ioc: EpicsIoc) -> None:
    uri = f"pva://{pvi_ioc.pv('ABSENT:PVI')}"
    with pytest.raises(IntrospectionError, match=rf"{uri}: the PVI tree was not read"):
        await introspect(uri, timeout=0.5)
