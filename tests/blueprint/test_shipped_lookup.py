"""Shipped blueprints and beamlines are found by name, after one's own files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import (
    SHIPPED_BEAMLINES,
    SHIPPED_BLUEPRINTS,
    SHIPPED_SCHEMAS,
    beamline_library,
    load_beamline_model,
    named_file,
    validate_files,
    with_shipped,
)
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.stubs import generate_stubs

from .conftest import Write

ROOT = Path(__file__).parents[2]
OWN_MOTOR = (
    "blueprint: SimMotor\nparams:\n  prefix: {type: str}\n"
    "signals:\n  position: {source: '{{prefix}}', dtype: float}\n"
)


def test_in_a_checkout_the_shipped_folders_are_the_top_level_ones() -> None:
    assert SHIPPED_BLUEPRINTS == ROOT / "devices"
    assert SHIPPED_SCHEMAS == ROOT / "schemas"
    assert (SHIPPED_BEAMLINES / "demo.yaml").resolve() == ROOT / "beamlines/demo.yaml"


def test_a_beamline_without_blueprint_folders_uses_shipped_blueprints(
    write: Write,
) -> None:
    path = write(
        "lab.yaml",
        "beamline: lab\ndevices:\n"
        "  x: {blueprint: SimMotor, with: {prefix: 'LAB:X'}}\n"
        "  det: {blueprint: SimDetector, with: {prefix: 'LAB:DET:'}}\n",
    )
    assert validate_files([path]) == []
    library = beamline_library(load_beamline_model(path))
    shipped = ROOT / "devices/epics/adcore/sim_detector.yaml"
    assert library.path_of("SimDetector") == shipped


def test_a_beamline_s_own_blueprint_takes_the_place_of_a_shipped_one(
    write: Write,
) -> None:
    own = write("devices/motor.yaml", OWN_MOTOR)
    path = write(
        "lab.yaml",
        "beamline: lab\nblueprints: [devices]\ndevices:\n"
        "  x: {blueprint: SimMotor, with: {prefix: 'LAB:X'}}\n",
    )
    library = beamline_library(load_beamline_model(path))
    assert library.path_of("SimMotor") == own
    assert library.problems == []
    assert "SimDetector" in library  # the shipped names it does not define


def test_a_shipped_folder_listed_by_a_beamline_is_indexed_once() -> None:
    library = with_shipped([ROOT / "devices"])
    assert library.problems == []
    assert library.path_of("SimMotor") == ROOT / "devices/epics/sim_motor.yaml"


def test_two_own_files_of_one_name_are_still_a_problem(write: Write) -> None:
    first = write("own/a/motor.yaml", OWN_MOTOR)
    write("own/b/motor.yaml", OWN_MOTOR)
    library = with_shipped([first.parents[1]])
    assert [p.message for p in library.problems] == [
        "blueprint 'SimMotor' is defined twice"
    ] * 2


def test_names_are_blueprints_then_shipped_beamlines(write: Write) -> None:
    own = write("mine/motor.yaml", OWN_MOTOR)
    assert named_file("SimMotor") == ROOT / "devices/epics/sim_motor.yaml"
    assert named_file("SimMotor", [own.parent]) == own
    assert named_file("demo") == ROOT / "beamlines/demo.yaml"
    assert named_file("../demo") is None
    assert named_file("NoSuchThing") is None


def test_validate_takes_a_shipped_blueprint_by_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing here: the names are not paths
    assert main(["validate", "SimDetector", "demo"]) == 0
    assert capsys.readouterr().out == "2 file(s) OK\n"


def test_validate_finds_a_name_in_the_blueprint_folders_first(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    own = write("mine/motor.yaml", OWN_MOTOR.replace("float", "flot"))
    assert main(["validate", "-b", str(own.parent), "SimMotor"]) == 1
    assert capsys.readouterr().out.startswith(f"{own}:5:")


def test_an_unknown_name_is_a_usage_error_with_a_suggestion(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "SimDetectr"]) == 2
    assert capsys.readouterr().err == (
        "blueprint validate: no such file or directory, nor blueprint or "
        "beamline: SimDetectr; did you mean 'SimDetector'?\n"
    )


def test_stubs_of_a_shipped_blueprint_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["stubs", "SimDetector", "-o", "det.py"]) == 0
    text = (tmp_path / "det.py").read_text()
    assert "class SimDetector(" in text
    assert "class NDFileHDF5(" in text  # its children's blueprints, shipped too


def test_stubs_of_a_beamline_using_shipped_blueprints(write: Write) -> None:
    path = write(
        "lab.yaml",
        "beamline: lab\ndevices:\n  x: {blueprint: SimMotor, with: {prefix: 'X'}}\n",
    )
    text = generate_stubs([path], path.with_name("lab_devices.py"))
    assert "class SimMotor(" in text
    assert "x: SimMotor" in text
