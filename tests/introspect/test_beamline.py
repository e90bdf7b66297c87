"""``pvi:`` and ``tango:`` beamline entries and children, discovered at connect."""

from pathlib import Path

import pytest

from ophyd_blueprint.beamline import load_beamline
from ophyd_blueprint.core import SignalR, SignalRW
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_server import TangoServer

pytestmark = pytest.mark.usefixtures("fresh_discovery")


def _write(tmp_path: Path, devices: str, blueprints: str = "") -> Path:
    folder = tmp_path / "devices"
    folder.mkdir()
    if blueprints:
        (folder / "rack.yaml").write_text(blueprints)
    path = tmp_path / "bl.yaml"
    path.write_text(
        "beamline: t\nblueprints: [devices]\n"
        "defaults: {protocol: pva, timeout: 5}\ndevices:\n" + devices
    )
    return path


async def test_pvi_and_tango_devices_connect_and_read(
    pvi_ioc: EpicsIoc, tango_server: TangoServer, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        f"  stage: {{pvi: 'pva://{pvi_ioc.pv('PVI')}'}}\n"
        f"  motor: {{tango: '{tango_server.device('motor')}'}}\n",
    )
    bl = load_beamline(path)
    report = await bl.connect()
    assert report.ok, str(report)
    gain = bl.stage.gain
    assert isinstance(gain, SignalRW)
    assert await gain.get_value() == pytest.approx(1.5)
    assert await bl.stage.calc[2].enable.get_value() == "No"
    assert isinstance(bl.motor.position, SignalRW)
    assert bl.motor.position.name == "motor-position"
    assert report.devices["stage"].signals >= 10


async def test_a_dead_root_is_a_failed_device_not_a_crash(
    tango_server: TangoServer, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "  gone: {pvi: 'pva://NOBODY:HOME:PVI'}\n"
        f"  motor: {{tango: '{tango_server.device('motor')}'}}\n",
    )
    report = await load_beamline(path).connect(timeout=0.5)
    assert report.connected == ["motor"]
    assert report.failed == ["gone"]
    assert "pva://NOBODY:HOME:PVI" in str(report)


async def test_a_pvi_child_of_a_blueprint_is_discovered(
    pvi_ioc: EpicsIoc, tmp_path: Path
) -> None:
    rack = (
        "blueprint: Rack\nsignals:\n"
        f"  status: {{source: '{pvi_ioc.pv('STATUS')}', dtype: str}}\n"
        f"children:\n  calc: {{pvi: 'pva://{pvi_ioc.pv('CALC1:PVI')}'}}\n"
    )
    path = _write(tmp_path, "  rack: {blueprint: Rack}\n", rack)
    bl = load_beamline(path)
    report = await bl.connect()
    assert report.ok, str(report)
    out = bl.rack.calc.out
    assert isinstance(out, SignalR)
    assert out.source == f"pva://{pvi_ioc.pv('CALC1:OUT')}"


async def test_pvi_signals_take_their_pvs_types_at_connect(
    pvi_ioc: EpicsIoc, tmp_path: Path
) -> None:
    path = _write(tmp_path, f"  stage: {{pvi: 'pva://{pvi_ioc.pv('PVI')}'}}\n")
    bl = load_beamline(path)
    assert bl.model.devices["stage"].pvi is not None
    report = await bl.connect()
    assert report.ok, str(report)
    gain = (await bl.stage.gain.describe())["stage-gain"]
    assert (gain["dtype"], gain["dtype_numpy"], gain["units"]) == (
        "number",
        "<f8",
        "dB",
    )
    mode = (await bl.stage.mode.describe())["stage-mode"]
    assert mode.get("choices") == ["Off", "Slow", "Fast"]
    trace = (await bl.stage.trace.describe())["stage-trace"]
    assert (trace["dtype"], trace["dtype_numpy"]) == ("array", "<f8")
    with pytest.raises(TypeError, match="stage-gain .* is of type float"):
        bl.stage.gain.set("loud")


async def test_a_mock_pvi_device_is_typed_from_its_pvs(
    pvi_ioc: EpicsIoc, tmp_path: Path
) -> None:
    path = _write(
        tmp_path, f"  stage: {{pvi: 'pva://{pvi_ioc.pv('PVI')}', mock: true}}\n"
    )
    bl = load_beamline(path)
    report = await bl.connect()
    assert report.ok, str(report)
    await bl.stage.gain.set(2.5)
    assert await bl.stage.gain.get_value() == 2.5
    assert bl.stage.gain.datatype is float
