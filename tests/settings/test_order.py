"""The order logic declares is the order written, and the real IOC needs it: an
axis's acceleration time is clipped to at least velocity / 10, so one written
before a lower velocity does not hold."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import pytest
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.plans import (
    SettingsNotRestoredError,
    apply_settings,
    ensure_connected,
    save_settings,
)

from .conftest import beamline_file, blueprint_cli


def read(RE: RunEngine, signal: Any) -> Any:
    return RE(bps.rd(signal)).plan_result


def test_the_ioc_clips_an_acceleration_written_before_a_lower_velocity(
    RE: RunEngine, axis: str, tmp_path: Path
):
    bl = load_beamline(
        beamline_file(
            tmp_path, f'x: {{blueprint: StageAxis, with: {{prefix: "{axis}"}}}}'
        )
    )
    RE(ensure_connected(*bl))
    assert (read(RE, bl.x.velocity), read(RE, bl.x.acceleration)) == (5.0, 0.5)
    RE(bps.mv(bl.x.acceleration, 0.1))  # the wrong order, by hand
    RE(bps.mv(bl.x.velocity, 1.0))
    assert read(RE, bl.x.acceleration) == 0.5
    RE(bps.mv(bl.x.acceleration, 0.1))  # the right one
    assert read(RE, bl.x.acceleration) == 0.1


def test_apply_writes_velocity_first_so_the_ioc_takes_both(
    RE: RunEngine, axis: str, tmp_path: Path
):
    beamline = beamline_file(
        tmp_path, f'x: {{blueprint: StageAxis, with: {{prefix: "{axis}"}}}}'
    )
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    RE(bps.mv(bl.x.velocity, 1.0))
    RE(bps.mv(bl.x.acceleration, 0.1))
    saved = tmp_path / "slow.yaml"
    RE(save_settings(bl, saved))
    RE(bps.mv(bl.x.velocity, 5.0))
    RE(bps.mv(bl.x.acceleration, 0.5))

    done = blueprint_cli("settings", "apply", saved, beamline, "--dry-run")
    assert done.returncode == 0
    assert "x: 1. velocity: 5.0 -> 1.0" in done.stdout.splitlines()
    assert "x: 2. acceleration: 0.5 -> 0.1" in done.stdout.splitlines()
    assert read(RE, bl.x.velocity) == 5.0  # a dry run writes nothing

    done = blueprint_cli("settings", "apply", saved, beamline)
    assert (done.returncode, done.stdout) == (
        0,
        f"restored 6 of 6 settings of 1 device from {saved}\n",
    )
    assert (read(RE, bl.x.velocity), read(RE, bl.x.acceleration)) == (1.0, 0.1)


def test_a_restore_in_the_wrong_order_is_caught_when_it_reads_back(
    RE: RunEngine, axis: str, tmp_path: Path, backwards_logic: None
):
    (tmp_path / "bp").mkdir()
    (tmp_path / "bp" / "backwards.yaml").write_text(
        textwrap.dedent(
            """\
            blueprint: BackwardsAxis
            params: {prefix: {type: str}}
            signals:
              velocity: {source: "{{prefix}}VELO", dtype: float, access: rw,
                         read: config}
              acceleration: {source: "{{prefix}}ACCL", dtype: float, access: rw,
                             read: config}
            logic:
              - use: example.Backwards
                bind: {velocity: velocity, acceleration: acceleration}
            """
        )
    )
    beamline = beamline_file(
        tmp_path, f'x: {{blueprint: BackwardsAxis, with: {{prefix: "{axis}"}}}}'
    )
    beamline.write_text(
        beamline.read_text().replace(
            "blueprints: [", f"blueprints: [{tmp_path / 'bp'}, "
        )
    )
    bl = load_beamline(beamline)
    RE(ensure_connected(*bl))
    RE(bps.mv(bl.x.velocity, 1.0))
    RE(bps.mv(bl.x.acceleration, 0.1))
    saved = tmp_path / "slow.yaml"
    RE(save_settings(bl, saved))
    RE(bps.mv(bl.x.velocity, 5.0))
    RE(bps.mv(bl.x.acceleration, 0.5))

    with pytest.raises(SettingsNotRestoredError) as caught:
        RE(apply_settings(saved, bl, verify_timeout=0.5))
    report = caught.value.report
    assert [str(r) for r in report.not_restored] == [
        "x.acceleration differs: written, but it reads back 0.5"
    ]
    assert [r.path for r in report.restored] == ["velocity"]
    assert str(report).splitlines()[-1] == (
        f"restored 1 of 2 settings of 1 device from {saved}"
    )
