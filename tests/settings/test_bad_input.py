"""A file that names what the devices do not have, or a value of the wrong type,
is refused before anything is written, with every problem at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import pytest
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.blueprint import BlueprintError
from ophyd_blueprint.blueprint.settings_file import parse_settings
from ophyd_blueprint.core import SignalW, get_mock_put_calls
from ophyd_blueprint.plans import apply_settings, ensure_connected
from ophyd_blueprint.plans.settings import check_settings

from .conftest import beamline_file, blueprint_cli

HEAD = "settings: lab\nsaved_at: '2025-06-01T10:00:00+00:00'\ndevices:\n"


def settings_text(devices: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(devices), "  ")


@pytest.fixture
async def mock_lab(tmp_path: Path) -> LoadedBeamline:
    beamline = load_beamline(
        beamline_file(
            tmp_path,
            """\
            x: {blueprint: StageAxis, with: {prefix: "X:"}}
            y: {blueprint: StageAxis, with: {prefix: "Y:"}}
            """,
        ),
        mock=True,
    )
    await beamline.connect()
    return beamline


async def problems(beamline: LoadedBeamline, devices: str, **options: Any) -> list[str]:
    settings = parse_settings(settings_text(devices), "s.yaml")
    with pytest.raises(BlueprintError) as caught:
        await check_settings(settings, beamline.devices, **options)
    for device in beamline:
        for _, signal in device.children():
            if isinstance(signal, SignalW):
                assert get_mock_put_calls(signal) == []  # nothing was written
    return [str(problem) for problem in caught.value.problems]


async def test_a_signal_the_device_does_not_have_is_refused_at_its_key(
    mock_lab: LoadedBeamline,
):
    assert await problems(mock_lab, "x: {velocity: 1.0, velocty: 2.0}") == [
        "s.yaml:4:22: devices.x.velocty: x has no setting 'velocty'; "
        "did you mean 'velocity'?"
    ]


@pytest.mark.parametrize(
    ("signal", "why"),
    [
        (
            "readback",
            "it has access 'r' and read 'hinted' (a setting is rw, read as config, "
            "or marked setting: true)",
        ),
        (
            "setpoint",
            "it is Motor's 'setpoint': writing it moves something, so it is never "
            "a setting",
        ),
        ("note", "its blueprint says setting: false"),
    ],
)
async def test_a_signal_that_is_not_a_setting_is_refused_with_why(
    mock_lab: LoadedBeamline, signal: str, why: str
):
    assert await problems(mock_lab, f"x: {{{signal}: 1.0}}") == [
        f"s.yaml:4:7: devices.x.{signal}: x.{signal} is not a setting: {why}"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("velocity: fast", "x.velocity: expected float, got 'fast' (str)"),
        ("velocity: [1.0]", "x.velocity: expected float, got [1.0] (list)"),
        ("velocity: true", "x.velocity: expected float, got True (bool)"),
        (
            "mode: Medium",
            "x.mode: expected one of ['Coarse', 'Fine'] (StageAxisMode), "
            "got 'Medium' (str)",
        ),
        ("profile: 3.0", "x.profile: expected a 1-D array of float64, got shape ()"),
        (
            "profile: [a, b]",
            "x.profile: could not convert string to float: np.str_('a')",
        ),
    ],
)
async def test_a_value_of_the_wrong_type_is_refused_at_its_line(
    mock_lab: LoadedBeamline, entry: str, message: str
):
    (problem,) = await problems(mock_lab, f"x:\n  {entry}\n")
    assert problem.startswith("s.yaml:5:")
    assert problem.endswith(message)


async def test_a_device_the_beamline_does_not_have_is_refused(
    mock_lab: LoadedBeamline,
):
    assert await problems(mock_lab, "z: {velocity: 1.0}") == [
        "s.yaml:4:3: devices.z: there is no device 'z' to restore"
    ]


async def test_a_device_asked_for_that_the_file_does_not_hold_is_refused(
    mock_lab: LoadedBeamline,
):
    settings = parse_settings(settings_text("x: {velocity: 1.0}"), "s.yaml")
    with pytest.raises(BlueprintError, match="no settings are saved for 'y'"):
        await check_settings(settings, mock_lab.devices, whole=False)


async def test_every_problem_of_a_file_is_reported_at_once(mock_lab: LoadedBeamline):
    found = await problems(
        mock_lab,
        """\
        x: {velocity: fast, readback: 1.0}
        y: {acceleration: 0.1, mode: Medium}
        z: {velocity: 1.0}
        """,
    )
    assert [p.split(": ")[0] for p in found] == [
        "s.yaml:4:17",
        "s.yaml:4:23",
        "s.yaml:5:32",
        "s.yaml:6:3",
    ]


def test_a_bad_file_is_refused_by_the_command_line_and_the_ioc_is_untouched(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = beamline_file(
        tmp_path, f'x: {{blueprint: StageAxis, with: {{prefix: "{axis}"}}}}'
    )
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    saved = tmp_path / "bad.yaml"
    saved.write_text(settings_text("x: {velocity: 1.0, high_limit: high}"))

    done = blueprint_cli("settings", "apply", saved, beamline)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"{saved}:4:34: devices.x.high_limit: x.high_limit: expected float, "
        "got 'high' (str)\n"
    )
    done = blueprint_cli("settings", "diff", saved, beamline)
    assert done.returncode == 2
    assert RE(bps.rd(bl.x.velocity)).plan_result == 5.0

    with pytest.raises(BlueprintError, match="bad.yaml:4:34"):
        RE(apply_settings(saved, bl))
    assert RE(bps.rd(bl.x.velocity)).plan_result == 5.0


def test_a_file_that_is_not_yaml_is_refused_with_its_position(tmp_path: Path):
    saved = tmp_path / "broken.yaml"
    saved.write_text(HEAD + "  x: {velocity: [1.0}\n")
    done = blueprint_cli("settings", "apply", saved, tmp_path / "nowhere.yaml")
    assert done.returncode == 2
    assert done.stderr.startswith(f"{saved}:4:21: invalid YAML")
