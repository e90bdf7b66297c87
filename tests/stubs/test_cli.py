"""``blueprint stubs``: deterministic, formatted text; --check and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.cli.main import main
from ophyd_blueprint.stubs import generate_stubs

from .conftest import DEMO, LAB, ROOT, Generated


def test_the_same_sources_give_the_same_bytes_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lab_devices.py"
    first = generate_stubs([LAB], out)
    monkeypatch.chdir(tmp_path)
    assert generate_stubs([LAB.resolve()], Path("lab_devices.py")) == first


def test_the_header_names_the_command_and_files_relative_to_the_module() -> None:
    text = generate_stubs([DEMO], DEMO.parent / "demo_devices.py")
    assert "``blueprint stubs demo.yaml -o demo_devices.py``" in text
    assert "../devices/epics/sim_motor.yaml" in text
    assert 'BEAMLINE = Path(__file__).parent.joinpath("demo.yaml")' in text


def test_a_module_far_from_its_beamline_stays_formatted_and_finds_it(
    tmp_path: Path,
) -> None:
    """CI checks out to a deeper path: the relative path must not break ruff."""
    deep = tmp_path.joinpath(*(f"level_{i}_of_a_deep_checkout" for i in range(6)))
    deep.mkdir(parents=True)
    module = deep / "lab_devices.py"
    module.write_text(generate_stubs([LAB], module), encoding="utf-8")
    text = module.read_text(encoding="utf-8")
    assert "BEAMLINE = Path(__file__).parent.joinpath(\n" in text
    _ruff_clean([module])
    namespace: dict[str, object] = {"__file__": str(module)}
    exec(compile(text, str(module), "exec"), namespace)
    beamline_path = namespace["BEAMLINE"]
    assert isinstance(beamline_path, Path)
    assert beamline_path.resolve() == LAB.resolve()


def test_generated_modules_are_ruff_formatted_and_lint_clean(
    generated: Generated,
) -> None:
    _ruff_clean([generated.module(n) for n in ("demo_devices", "lab_devices")])


def _ruff_clean(modules: list[Path]) -> None:
    """Formatted as ruff formats, and clean under its main rule sets."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff is not None, "ruff is a dev dependency"
    files = [str(module) for module in modules]
    options = ["--isolated", "--line-length", "88"]
    rules = "E,F,W,I,B,UP,SIM,RUF,C4,PIE,RET"
    subprocess.run([ruff, "format", "--check", *options, *files], check=True)
    subprocess.run([ruff, "check", *options, "--select", rules, *files], check=True)


def test_the_committed_demo_module_is_fresh(capsys: pytest.CaptureFixture[str]):
    module = ROOT / "beamlines" / "demo_devices.py"
    assert main(["stubs", str(DEMO), "-o", str(module), "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_of_a_stale_module_exits_1_with_a_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lab_devices.py"
    assert main(["stubs", str(LAB), "-o", str(out)]) == 0
    out.write_text(out.read_text().replace("level: SignalRW", "level: SignalR"))
    assert main(["stubs", str(LAB), "-o", str(out), "--check"]) == 1
    printed = capsys.readouterr().out
    assert "-        level: SignalR[float]" in printed
    assert "+        level: SignalRW[float]" in printed


def test_check_of_a_missing_module_exits_1(tmp_path: Path) -> None:
    assert main(["stubs", str(LAB), "-o", str(tmp_path / "no.py"), "--check"]) == 1


def test_bad_yaml_exits_2_with_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("blueprint: Bad\nsignals:\n  x: {source: a, dtype: double}\n")
    assert main(["stubs", str(bad), "-o", str(tmp_path / "bad.py")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "bad.py").exists()


def test_a_missing_source_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert main(["stubs", str(missing), "-o", str(tmp_path / "m.py")]) == 2


def test_blueprint_files_give_classes_and_no_loader(tmp_path: Path) -> None:
    device = ROOT / "devices" / "sim" / "scalar_detector.yaml"
    text = generate_stubs([device], tmp_path / "sim.py")
    assert "class SimScalarDetector(BlueprintDevice):" in text
    assert "class SimStatsChannel(BlueprintDevice):" in text
    assert "stats: DeviceVector[SimStatsChannel]" in text
    assert "image_mode: SignalRW[ImageMode]" in text
    assert "def load(" not in text


def test_two_enums_with_one_name_and_different_choices_is_an_error(
    tmp_path: Path,
) -> None:
    source = tmp_path / "two.yaml"
    source.write_text(
        "blueprint: Two\n"
        "signals:\n"
        "  a: {source: a, dtype: enum, choices: [X], enum_name: Mode}\n"
        "  b: {source: b, dtype: enum, choices: [Y], enum_name: Mode}\n"
    )
    assert main(["stubs", str(source), "-o", str(tmp_path / "two.py")]) == 2
