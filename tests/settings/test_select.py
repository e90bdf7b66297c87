"""Which signals are settings, and the order logic declares for writing them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ophyd_blueprint import load_beamline
from ophyd_blueprint.blueprint import BlueprintError
from ophyd_blueprint.logic import get_logic, logic_names
from ophyd_blueprint.plans import SettingsOrderError
from ophyd_blueprint.plans.settings_select import device_settings
from ophyd_blueprint.testing.tango_server import TangoServer

from .conftest import beamline_file


async def settings_of(tmp_path: Path, devices: str) -> dict[str, object]:
    """The settings of device ``d`` of a mock beamline, and their stages."""
    beamline = load_beamline(beamline_file(tmp_path, devices), mock=True)
    await beamline.connect()
    found = await device_settings(beamline.devices["d"])
    return {"settings": list(found.settings), "stages": found.stages}


async def test_config_signals_that_are_rw_and_those_marked_are_settings(
    tmp_path: Path,
):
    found = await settings_of(
        tmp_path, 'd: {blueprint: StageAxis, with: {prefix: "P:"}}'
    )
    # mode is marked setting: true; note is rw config but marked setting: false;
    # setpoint is rw but the Motor moves with it; readback is read-only
    assert found["settings"] == [
        "velocity",
        "acceleration",
        "high_limit",
        "low_limit",
        "mode",
        "profile",
    ]


async def test_motor_logic_writes_velocity_before_acceleration(tmp_path: Path):
    found = await settings_of(
        tmp_path, 'd: {blueprint: EpicsMotor, with: {prefix: "M"}}'
    )
    assert found["stages"] == (
        ("velocity", "high_limit", "low_limit"),
        ("acceleration",),
    )


async def test_a_tango_motor_position_is_never_a_setting(tmp_path: Path):
    trl = "tango://127.0.0.1:1/a/b/c"
    found = await settings_of(
        tmp_path, f'd: {{blueprint: TangoMotor, with: {{trl: "{trl}"}}}}'
    )
    assert found["settings"] == ["velocity"]


async def test_settings_of_children_are_named_by_their_path(tmp_path: Path):
    found = await settings_of(
        tmp_path, 'd: {blueprint: SimDetector, with: {prefix: "D:"}}'
    )
    settings = found["settings"]
    assert isinstance(settings, list)
    assert {"cam.acquire_time", "cam.num_images", "cam.image_mode"} <= set(settings)
    assert "cam.acquire" not in settings  # rw but not config: acquiring is no setting


def axis_blueprint(directory: Path, extra: str) -> Path:
    """Blueprint ``Marked`` in `directory`/bp, with `extra` signal lines."""
    path = directory / "bp" / "marked.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        textwrap.dedent(
            f"""\
            blueprint: Marked
            params: {{prefix: {{type: str}}}}
            signals:
              setpoint: {{source: "{{{{prefix}}}}VAL", dtype: float, access: rw}}
              readback: {{source: "{{{{prefix}}}}RBV", dtype: float}}
              velocity: {{source: "{{{{prefix}}}}VELO", dtype: float, access: rw,
                          read: config}}
              acceleration: {{source: "{{{{prefix}}}}ACCL", dtype: float, access: rw,
                              setting: true}}
            {textwrap.indent(extra, "  ")}
            logic:
              - use: motion.Motor
                bind: {{setpoint: setpoint, readback: readback, velocity: velocity,
                        acceleration: acceleration}}
            """
        )
    )
    return path


async def test_a_marked_signal_that_cannot_be_a_setting_is_refused_at_its_line(
    tmp_path: Path,
):
    marked = axis_blueprint(
        tmp_path, "state: {source: '{{prefix}}STATE', dtype: int, setting: true}"
    )
    beamline = load_beamline(marked_beamline(tmp_path), mock=True)
    with pytest.raises(BlueprintError) as caught:
        await device_settings(beamline.devices["d"])
    assert str(caught.value) == (
        f"{marked}:10:59: signals.state.setting: d.state: a setting is read and "
        "written (access rw), not 'r'"
    )


async def test_a_motor_setpoint_marked_as_a_setting_is_refused(tmp_path: Path):
    marked = axis_blueprint(tmp_path, "")
    marked.write_text(
        marked.read_text().replace(
            'VAL", dtype: float, access: rw}',
            'VAL", dtype: float, access: rw, setting: true}',
        )
    )
    beamline = load_beamline(marked_beamline(tmp_path), mock=True)
    with pytest.raises(BlueprintError) as caught:
        await device_settings(beamline.devices["d"])
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (str(marked), 4)
    assert problem.message == (
        "d.setpoint: it is Motor's 'setpoint': writing it moves something, so it "
        "is never a setting"
    )


def marked_beamline(directory: Path) -> Path:
    """A beamline of one ``Marked`` device ``d``, blueprints also from bp/."""
    path = beamline_file(directory, 'd: {blueprint: Marked, with: {prefix: "P:"}}')
    search = f"blueprints: [{directory / 'bp'}, "
    path.write_text(path.read_text().replace("blueprints: [", search))
    return path


async def test_logic_ordering_settings_in_a_circle_is_refused(
    tmp_path: Path, backwards_logic: None
):
    marked = axis_blueprint(tmp_path, "")
    marked.write_text(
        marked.read_text()
        + "  - use: example.Backwards\n"
        + "    bind: {velocity: velocity, acceleration: acceleration}\n"
    )
    beamline = load_beamline(marked_beamline(tmp_path), mock=True)
    with pytest.raises(SettingsOrderError) as caught:
        await device_settings(beamline.devices["d"])
    assert str(caught.value) == (
        "d: its logic orders these settings in a circle: "
        "velocity after ['acceleration'], acceleration after ['velocity']"
    )


@pytest.mark.parametrize("name", logic_names())
def test_registered_logic_orders_and_excludes_only_its_own_roles(name: str):
    cls = get_logic(name)
    roles = {role.name for role in cls.roles}
    named = {r for chain in cls.settings.order for r in chain} | cls.settings.never
    assert named <= roles


async def test_a_discovered_device_has_the_settings_its_introspection_declares(
    tango_server: TangoServer, tmp_path: Path
):
    path = beamline_file(tmp_path, f"d: {{tango: '{tango_server.device('motor2')}'}}")
    beamline = load_beamline(path)
    assert (await beamline.connect()).ok
    found = await device_settings(beamline.devices["d"])
    # introspection declares what a server has, not how it is read: nothing
    # is a setting until the blueprint is frozen and says so
    assert dict(found.settings) == {}
    assert found.others["velocity"] == (
        "it has access 'rw' and read 'omitted' (a setting is rw, read as config, "
        "or marked setting: true)"
    )
