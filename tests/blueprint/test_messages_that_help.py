"""Mistakes a newcomer makes first, and messages that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ophyd_blueprint.cli.main import main


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["validate", str(path)]) == 1
    return capsys.readouterr().out.splitlines()


def test_an_indentation_mistake_says_to_check_the_indentation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "m.yaml"
    path.write_text(
        "blueprint: M\nsignals:\n  a: {source: X, dtype: float}\n"
        "   b: {source: Y, dtype: float}\n"
    )
    (line,) = validate(path, capsys)
    assert line.endswith(
        "check the indentation of line 4: the keys of one mapping start in the "
        "same column"
    )


def test_yes_for_a_boolean_says_write_true(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "b.yaml"
    path.write_text("beamline: b\ndevices:\n  y: {blueprint: M, mock: yes}\n")
    (line,) = validate(path, capsys)
    assert line.endswith(
        "devices.y.mock: input should be a valid boolean, got 'yes'; "
        "write true or false"
    )


def test_an_unknown_scheme_in_a_prefix_is_one_line_naming_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    signals = "".join(
        f"  s{i}: {{source: '{{{{prefix}}}}S{i}', dtype: float}}\n" for i in range(10)
    )
    (tmp_path / "ten.yaml").write_text(
        f"blueprint: Ten\nparams:\n  prefix: {{type: str}}\nsignals:\n{signals}"
    )
    beamline = tmp_path / "bl.yaml"
    beamline.write_text(
        "beamline: b\nblueprints: [.]\ndevices:\n"
        "  t: {blueprint: Ten, with: {prefix: 'ftp://T:'}}\n"
    )
    (line,) = validate(beamline, capsys)
    assert line.endswith(
        "devices.t.with: 10 signals of Ten (s0, s1, s2, +7 more): unknown URI "
        "scheme 'ftp' from these params; known: ca, mock, pva, soft, tango"
    )


def test_an_unknown_logic_lists_the_registered_ones_and_how_to_add_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "t.yaml"
    path.write_text(
        "blueprint: T\nsignals:\n  t: {source: X, dtype: float}\n"
        "logic:\n  - use: temperature.Controller\n"
    )
    (line,) = validate(path, capsys)
    assert "unknown logic 'temperature.Controller'; registered: " in line
    assert "detector.Triggered, " in line
    assert "motion.Motor" in line
    assert "entry point in the group 'ophyd_blueprint.logic'" in line
