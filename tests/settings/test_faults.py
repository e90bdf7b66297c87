"""Faults during a restore: a server refusing a write, a device that does not
connect. The report says what was written and what was not."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline, signal_rw
from ophyd_blueprint.blueprint.settings_file import load_settings
from ophyd_blueprint.plans import ensure_connected, save_settings
from ophyd_blueprint.testing.tango_server import TangoServer

from .conftest import beamline_file, blueprint_cli


def read(RE: RunEngine, signal: Any) -> Any:
    return RE(bps.rd(signal)).plan_result


def axis_entry(name: str, prefix: str) -> str:
    return f'{name}: {{blueprint: StageAxis, with: {{prefix: "{prefix}"}}}}\n'


def test_a_write_refused_mid_restore_reports_what_was_and_was_not_written(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = beamline_file(tmp_path, axis_entry("x", axis))
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    saved = tmp_path / "saved.yaml"
    RE(save_settings(bl, saved))
    RE(bps.mv(bl.x.velocity, 2.0, bl.x.high_limit, 20.0))
    RE(bps.mv(bl.x.acceleration, 0.7))
    # an operator disables puts to the velocity record: the IOC refuses them
    disable = signal_rw(int, f"ca://{axis}VELO.DISP")
    RE(ensure_connected(disable))
    RE(bps.mv(disable, 1))

    done = blueprint_cli("settings", "apply", saved, beamline)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("x.velocity failed: ")
    assert lines[1:] == [
        "x.acceleration not written: the restore of x stopped when velocity failed",
        f"restored 4 of 6 settings of 1 device from {saved}",
    ]
    assert read(RE, bl.x.high_limit) == 10.0  # written with velocity, restored
    assert read(RE, bl.x.velocity) == 2.0
    assert read(RE, bl.x.acceleration) == 0.7  # after the failure: untouched


def test_a_value_the_tango_server_refuses_fails_and_the_rest_is_restored(
    RE: RunEngine, axis: str, tango_server: TangoServer, tmp_path: Path
):
    trl = tango_server.device("motor2").removesuffix("#dbase=no")
    tm = f'tm: {{blueprint: TangoMotor, with: {{trl: "{trl}", options: "#dbase=no"}}}}'
    beamline = beamline_file(tmp_path, axis_entry("x", axis) + tm)
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    saved = tmp_path / "saved.yaml"
    RE(save_settings(bl, saved))
    before = read(RE, bl.tm.velocity)
    # edited by hand: a velocity of the right type that the server refuses
    saved.write_text(saved.read_text().replace(f"velocity: {before}", "velocity: -1.0"))
    RE(bps.mv(bl.x.high_limit, 30.0))

    done = blueprint_cli("settings", "apply", saved, beamline, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    outcomes = {(r["device"], r["signal"]): r for r in report["results"]}
    assert outcomes["tm", "velocity"]["outcome"] == "failed"
    assert "below the minimum authorized" in outcomes["tm", "velocity"]["detail"]
    assert outcomes["x", "high_limit"]["outcome"] == "restored"
    assert report["ok"] is False
    assert read(RE, bl.tm.velocity) == before
    assert read(RE, bl.x.high_limit) == 10.0


def ghost_beamline(tmp_path: Path, axis: str) -> Path:
    """Axis `x`, and `ghost` on records no IOC serves."""
    ghost = f"GHOST{secrets.token_hex(3)}:"
    return beamline_file(
        tmp_path, axis_entry("x", axis) + axis_entry("ghost", ghost), timeout=1.0
    )


def test_a_device_that_does_not_connect_is_named_and_nothing_is_written(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = ghost_beamline(tmp_path, axis)
    bl = load_beamline(beamline)
    RE(ensure_connected(bl.x))
    saved = tmp_path / "saved.yaml"
    RE(save_settings([bl.x], saved))
    text = saved.read_text()
    saved.write_text(text + text[text.index("  x:") :].replace("  x:", "  ghost:"))
    RE(bps.mv(bl.x.velocity, 2.0))

    done = blueprint_cli("settings", "apply", saved, beamline)
    assert (done.returncode, done.stdout) == (2, "")
    err = done.stderr.splitlines()
    assert err[0].startswith("blueprint settings: ghost did not connect: ghost: ")
    assert err[1:] == [
        "blueprint settings: nothing was written; with --partial, the other devices are"
    ]
    assert read(RE, bl.x.velocity) == 2.0

    done = blueprint_cli("settings", "apply", saved, beamline, "--partial")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ghost not restored: did not connect: ghost: ")
    assert lines[1] == f"restored 6 of 6 settings of 1 device from {saved}"
    assert read(RE, bl.x.velocity) == 5.0


def test_save_and_diff_name_a_device_that_does_not_connect(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = ghost_beamline(tmp_path, axis)
    saved = tmp_path / "saved.yaml"

    done = blueprint_cli("settings", "save", beamline, "-o", saved)
    assert done.returncode == 2
    assert "ghost did not connect" in done.stderr
    assert not saved.exists()

    done = blueprint_cli("settings", "save", beamline, "-o", saved, "--partial")
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"saved 6 settings of 1 device to {saved}"
    assert done.stdout.splitlines()[1].startswith("ghost not saved: did not connect")
    assert list(load_settings(saved).devices) == ["x"]

    text = saved.read_text()
    saved.write_text(text + text[text.index("  x:") :].replace("  x:", "  ghost:"))
    done = blueprint_cli("settings", "diff", saved, beamline)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ghost not compared: did not connect: ghost: ")
    assert lines[1] == f"{saved}: 6 settings as saved"


def test_save_of_devices_by_name(RE: RunEngine, axis: str, tmp_path: Path):
    beamline = ghost_beamline(tmp_path, axis)
    saved = tmp_path / "x.yaml"
    done = blueprint_cli("settings", "save", beamline, "x", "-o", saved)
    assert (done.returncode, done.stderr) == (0, "")
    assert list(load_settings(saved).devices) == ["x"]

    done = blueprint_cli("settings", "save", beamline, "z", "-o", saved)
    assert done.returncode == 2
    assert done.stderr == (
        f"blueprint settings: {beamline} has no device 'z'; it has: x, ghost\n"
    )
