"""Save, change, diff, apply, diff again: on the real IOC and Tango server, from
the command line and from plans in a RunEngine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import numpy as np
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.blueprint.settings_file import load_settings
from ophyd_blueprint.plans import apply_settings, ensure_connected, save_settings
from ophyd_blueprint.testing.tango_server import TangoServer

from .conftest import beamline_file, blueprint_cli


def lab(tmp_path: Path, axis: str, tango: TangoServer) -> Path:
    trl = tango.device("motor2").removesuffix("#dbase=no")
    return beamline_file(
        tmp_path,
        f"""\
        x: {{blueprint: StageAxis, with: {{prefix: "{axis}"}}}}
        tm: {{blueprint: TangoMotor, with: {{trl: "{trl}", options: "#dbase=no"}}}}
        """,
    )


def test_round_trip_from_the_command_line(
    RE: RunEngine, axis: str, tango_server: TangoServer, tmp_path: Path
):
    beamline = lab(tmp_path, axis, tango_server)
    saved = tmp_path / "settings" / "lab.yaml"
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    RE(bps.mv(bl.tm.velocity, 4.5))

    done = blueprint_cli("settings", "save", beamline, "-o", saved)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"saved 7 settings of 2 devices to {saved}\n"
    settings = load_settings(saved)
    assert settings.beamline == "lab"
    assert settings.beamline_file == str(beamline)
    assert settings.devices == {
        "x": {
            "velocity": 5.0,
            "acceleration": 0.5,
            "high_limit": 10.0,
            "low_limit": -10.0,
            "mode": "Coarse",
            "profile": [],
        },
        "tm": {"velocity": 4.5},
    }

    RE(bps.mv(bl.x.velocity, 2.0, bl.x.mode, "Fine", bl.tm.velocity, 3.25))
    RE(bps.mv(bl.x.profile, np.array([1.0, 2.5])))
    done = blueprint_cli("settings", "diff", saved, beamline)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        "signal       saved     now",
        "x.velocity   5.0       2.0",
        'x.mode       "Coarse"  "Fine"',
        "x.profile    []        [1.0, 2.5]",
        "tm.velocity  4.5       3.25",
        f"{saved}: 4 of 7 settings differ",
    ]
    done = blueprint_cli("settings", "diff", saved, beamline, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["same"] is False
    assert report["differences"][3] == {
        "device": "tm",
        "signal": "velocity",
        "saved": 4.5,
        "now": 3.25,
        "in_file": True,
    }

    done = blueprint_cli("settings", "apply", saved, beamline)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"restored 7 of 7 settings of 2 devices from {saved}\n"
    assert read(RE, bl.x.velocity) == 5.0
    assert read(RE, bl.x.mode) == "Coarse"
    assert list(read(RE, bl.x.profile)) == []
    assert read(RE, bl.tm.velocity) == 4.5

    done = blueprint_cli("settings", "diff", saved, beamline)
    assert (done.returncode, done.stdout) == (0, f"{saved}: 7 settings as saved\n")


def test_devices_without_settings_are_named_and_counted_as_apply_counts(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = beamline_file(
        tmp_path,
        f"""\
        x: {{blueprint: StageAxis, with: {{prefix: "{axis}"}}}}
        readout: {{blueprint: Readout}}
        """,
    )
    saved = tmp_path / "lab-settings.yaml"

    done = blueprint_cli("settings", "save", beamline, "-o", saved)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == (
        f"saved 6 settings of 1 device to {saved} (readout has none)\n"
    )
    assert load_settings(saved).devices["readout"] == {}
    done = blueprint_cli("settings", "apply", saved, beamline)
    assert done.stdout == f"restored 6 of 6 settings of 1 device from {saved}\n"


def read(RE: RunEngine, signal: Any) -> Any:
    return RE(bps.rd(signal)).plan_result


def test_round_trip_in_a_run_engine(
    RE: RunEngine, axis: str, tango_server: TangoServer, tmp_path: Path
):
    bl = load_beamline(lab(tmp_path, axis, tango_server))
    RE(ensure_connected(*bl))
    path = tmp_path / "saved.yaml"
    RE(bps.mv(bl.x.velocity, 3.0, bl.tm.velocity, 6.0))

    saved = RE(save_settings(bl, path)).plan_result
    assert saved.devices["x"]["velocity"] == 3.0
    assert load_settings(path).devices == saved.devices

    RE(bps.mv(bl.x.velocity, 8.0, bl.x.acceleration, 1.5, bl.tm.velocity, 1.0))
    RE(bps.mv(bl.x.mode, "Fine"))
    report = RE(apply_settings(path, bl)).plan_result
    assert report.ok
    assert [(r.device, r.path, r.outcome) for r in report.results] == [
        ("x", "velocity", "restored"),
        ("x", "high_limit", "restored"),
        ("x", "low_limit", "restored"),
        ("x", "mode", "restored"),
        ("x", "profile", "restored"),
        ("x", "acceleration", "restored"),
        ("tm", "velocity", "restored"),
    ]
    assert read(RE, bl.x.velocity) == 3.0
    assert read(RE, bl.x.acceleration) == 0.5
    assert read(RE, bl.x.mode) == "Coarse"
    assert read(RE, bl.tm.velocity) == 6.0


def test_some_devices_of_a_file_are_restored_in_a_run_engine(
    RE: RunEngine, axis: str, tango_server: TangoServer, tmp_path: Path
):
    bl = load_beamline(lab(tmp_path, axis, tango_server))
    RE(ensure_connected(*bl))
    path = tmp_path / "saved.yaml"
    RE(save_settings(bl, path))
    before = read(RE, bl.tm.velocity)
    RE(bps.mv(bl.x.velocity, 7.0, bl.tm.velocity, before + 1))

    report = RE(apply_settings(path, [bl.x])).plan_result
    assert {r.device for r in report.results} == {"x"}
    assert read(RE, bl.x.velocity) == 5.0
    assert read(RE, bl.tm.velocity) == before + 1  # not asked for: left alone
