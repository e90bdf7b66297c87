"""Introspect -> YAML -> load -> build -> connect: the same signals and types."""

from pathlib import Path

from ophyd_blueprint.beamline.discovered import discover_child
from ophyd_blueprint.blueprint import BlueprintLibrary, load_blueprint
from ophyd_blueprint.builder import build_device
from ophyd_blueprint.core import Device, Signal
from ophyd_blueprint.introspect import (
    Introspected,
    SignalFacts,
    freeze,
    introspect,
    signal_facts,
)
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_server import TangoServer

SAMPLE = Path(__file__).parent / "data" / "sample_stage.pvi.device.yaml"


def _sources(device: Device, path: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for name, child in device.children():
        if isinstance(child, Signal):
            found[path + name] = str(child.source)
        else:
            found.update(_sources(child, f"{path}{name}."))
    return found


async def _frozen_and_connected(
    found: Introspected, tmp_path: Path, protocol: str
) -> tuple[dict[str, SignalFacts], dict[str, str]]:
    files = freeze(found, tmp_path / "device.yaml")
    root = load_blueprint(files[0])
    library = BlueprintLibrary([tmp_path])
    device = build_device(
        root,
        {},
        library=library,
        protocol=protocol,
        name="d",
        discover=discover_child,
    )
    await device.connect(timeout=10)
    return dict(signal_facts(root, library)), _sources(device)


async def test_live_pvi_round_trips(pvi_ioc: EpicsIoc, tmp_path: Path) -> None:
    """Its PVs are PVA ones, as when discovered at connect, whatever the
    protocol of the beamline it is loaded in (a PandA's tables are PVA only)."""
    found = await introspect(f"pva://{pvi_ioc.pv('PVI')}")
    facts, sources = await _frozen_and_connected(found, tmp_path, "ca")
    assert facts == signal_facts(found.root, found.blueprints)
    assert sources["calc.2.enable"] == f"pva://{pvi_ioc.pv('CALC2:ENABLE')}"
    assert sources["legacy.count"] == f"ca://{pvi_ioc.pv('OLD:COUNT')}"
    assert len(sources) == len(facts)


async def test_legacy_pvi_root_round_trips(pvi_ioc: EpicsIoc, tmp_path: Path) -> None:
    found = await introspect(pvi_ioc.pv("OLD:PVI"))
    facts, sources = await _frozen_and_connected(found, tmp_path, "pva")
    assert set(facts) == {"count", "label"}
    assert sources["label"] == f"pva://{pvi_ioc.pv('OLD:LABEL')}"


async def test_pvi_file_typed_live_matches_the_live_pvi_types(
    pvi_ioc: EpicsIoc, tmp_path: Path
) -> None:
    live = await introspect(f"pva://{pvi_ioc.pv('PVI')}", type_live=True)
    from_file = await introspect(
        str(SAMPLE), macros={"P": pvi_ioc.prefix}, type_live=True, timeout=5
    )
    live_facts = signal_facts(live.root, live.blueprints).values()
    live_by_pv = dict(zip(_rendered_sources(live), live_facts, strict=True))
    facts, sources = await _frozen_and_connected(from_file, tmp_path, "pva")
    assert sources["calc.out"] == f"pva://{pvi_ioc.pv('CALC1:OUT')}"
    for path, fact in facts.items():
        if fact.access != "x":
            assert live_by_pv[sources[path]] == fact, path


def _rendered_sources(found: Introspected) -> list[str]:
    device = build_device(
        found.root, {}, library=found.blueprints, protocol="pva", mock=True
    )
    return [s.removeprefix("mock+") for s in _sources(device).values()]


async def test_tango_device_round_trips(
    tango_server: TangoServer, tmp_path: Path
) -> None:
    found = await introspect(tango_server.device("types"), timeout=10)
    facts, sources = await _frozen_and_connected(found, tmp_path, "tango")
    assert facts == signal_facts(found.root, found.blueprints)
    assert set(sources) == set(facts)
    assert sources["enum_scalar"].endswith("/test/types/1/enum_scalar#dbase=no")
