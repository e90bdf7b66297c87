"""``blueprint tree`` and ``blueprint connect``: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ophyd_blueprint.cli.main import main

from .conftest import FakeMotorIoc

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "beamlines" / "demo.yaml"
MOTOR = ROOT / "devices" / "epics" / "motor.yaml"


def blueprint_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a user runs it."""
    code = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("blueprint: Bad\nsignals:\n  a: {source: 'X', dtype: floaty}\n")
    return path


def test_tree_of_a_beamline_shows_rendered_sources_dtypes_and_access(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["tree", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "demo beamline, ca by default" in out
    assert "x SimMotor" in out
    assert "readback float r hinted ca://DEMO:X:RBV" in out
    assert "halt trigger x ca://DEMO:X:STOP" in out
    assert "total float r hinted pva://DEMO:DET:Total" in out
    assert "position float rw hinted tango://127.0.0.1:10000/test/motor/1/" in out
    assert "Position#dbase=no" in out  # never cut to the terminal width
    assert "slits SimMotor mock" in out
    assert "logic motion.Motor" in out


def test_tree_of_a_blueprint_file_shows_sources_as_written(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["tree", str(MOTOR)]) == 0
    out = capsys.readouterr().out
    assert "EpicsMotor blueprint; params: prefix" in out
    assert "done_moving bool r {{prefix}}.DMOV" in out
    assert "units str r config {{prefix}}.EGU" in out


def test_tree_of_a_bad_file_prints_its_problems_and_exits_2(
    bad_file: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["tree", str(bad_file)]) == 2
    err = capsys.readouterr().err
    assert f"{bad_file}:3:" in err
    assert "unknown dtype 'floaty'; did you mean 'float'?" in err
    assert "Traceback" not in err


def test_connect_a_bad_file_prints_its_problems_and_exits_2(
    bad_file: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["connect", str(bad_file)]) == 2
    captured = capsys.readouterr()
    assert "unknown dtype 'floaty'" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_connect_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["connect", str(tmp_path / "nope.yaml")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_connect_mock_connects_every_device_and_exits_0(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["connect", "--mock", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "5 of 5 devices connected"
    assert "x: connected (7 signals, mock)" in out


def write_beamline(folder: Path, devices: str) -> Path:
    path = folder / "bl.yaml"
    path.write_text(
        f"beamline: cli\nblueprints: [{ROOT / 'devices'}]\n"
        "defaults: {protocol: ca, timeout: 1.0}\n"
        "devices:\n" + textwrap.indent(textwrap.dedent(devices), "  ")
    )
    return path


def test_connect_exits_0_when_every_device_answers(
    fake_motor_ioc: FakeMotorIoc, tmp_path: Path
):
    path = write_beamline(
        tmp_path,
        f'm1: {{blueprint: EpicsMotor, with: {{prefix: "{fake_motor_ioc.pv("M1")}"}}}}',
    )
    done = blueprint_cli("connect", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "m1: connected (10 signals)" in done.stdout


def test_connect_json_reports_the_failures_and_exits_1(
    fake_motor_ioc: FakeMotorIoc, tmp_path: Path
):
    path = write_beamline(
        tmp_path,
        f"""\
        m1: {{blueprint: EpicsMotor, with: {{prefix: "{fake_motor_ioc.pv("M1")}"}}}}
        dead: {{blueprint: SimMotor, with: {{prefix: "NOBODY-CLI:X"}}}}
        """,
    )
    done = blueprint_cli("connect", str(path), "--format", "json", "--timeout", "0.5")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["connected"] == ["m1"]
    assert report["failed"] == ["dead"]
    assert report["by_server"] == {"ca NOBODY-CLI:X": ["dead"]}
    dead = report["devices"]["dead"]
    assert dead["summary"] == "dead: 7 of 7 PVs did not answer (IOC down?)"
    assert {f["kind"] for f in dead["failures"]} == {"no answer"}
