"""The command line explains itself: version, help on every option, folders."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import ophyd_blueprint
from ophyd_blueprint.cli.main import build_parser, main

ROOT = Path(__file__).parents[2]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (choices,) = [
        a.choices
        for a in parser._actions  # argparse keeps its subcommands only here
        if isinstance(a, argparse._SubParsersAction)
    ]
    found: dict[str, argparse.ArgumentParser] = dict(choices)
    for name, sub in list(found.items()):
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                found |= {f"{name} {n}": p for n, p in action.choices.items()}
    return found


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]):
    from importlib.metadata import version

    assert ophyd_blueprint.__version__ == version("ophyd-blueprint")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"blueprint {version('ophyd-blueprint')}"


def test_every_option_and_argument_of_every_command_says_what_it_does():
    silent = [
        f"{command} {'/'.join(action.option_strings) or action.dest}"
        for command, parser in subcommands().items()
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert silent == []


def test_tree_of_a_folder_shows_every_file_in_it(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["tree", str(ROOT / "devices")]) == 0
    out = capsys.readouterr().out
    for name in ("PeakDetector", "SimDetector", "Slits", "TangoMotor"):
        assert f"{name} blueprint" in out
    assert "not found" not in out  # children found anywhere in the folder


def test_tree_of_a_blueprint_whose_child_is_elsewhere_says_where_to_look(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # a child blueprint neither beside the file nor shipped
    (tmp_path / "stage.yaml").write_text(
        "blueprint: Stage\nchildren:\n"
        "  x: {blueprint: LabAxis, with: {prefix: 'L:X'}}\n"
    )
    assert main(["tree", str(tmp_path / "stage.yaml")]) == 0
    assert "LabAxis (blueprint not found; add its folder with -b)" in (
        capsys.readouterr().out
    )


def test_connect_finds_blueprints_in_the_folders_given_with_b(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # a blueprint of the lab's own, under a name nothing ships
    motor = (ROOT / "devices" / "epics" / "sim_motor.yaml").read_text()
    (tmp_path / "lab_axis.yaml").write_text(
        motor.replace("blueprint: SimMotor", "blueprint: LabAxis")
    )
    beamline = tmp_path / "lab" / "lab.yaml"
    beamline.parent.mkdir()
    beamline.write_text(
        "beamline: lab\ndevices:\n  x: {blueprint: LabAxis, with: {prefix: 'L:X'}}\n"
    )
    assert main(["connect", str(beamline), "--mock"]) == 2  # LabAxis not found
    capsys.readouterr()
    assert main(["connect", str(beamline), "--mock", "-b", str(tmp_path)]) == 0
    assert "x: connected" in capsys.readouterr().out


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """``blueprint schema | head -1``: the pipe closes before the output is
    written; the command stops with no traceback and no ignored exception."""
    import subprocess
    import sys

    cli = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", cli, "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is written
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "BrokenPipeError" not in error, error
    assert "Traceback" not in error, error
