"""``blueprint validate`` over a corpus of bad files, each with its exact message.

Each ``tests/data/bad/NAME.yaml`` has ``NAME.expected``: what ``validate``
prints for it, with paths relative to ``tests/data/bad``. Files under
``lib/`` are blueprints the beamline cases use. Regenerating an ``.expected``
file is a decision to review, not a chore: read the message first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint.yaml_reader import MAX_BYTES
from ophyd_blueprint.cli.main import main

BAD = Path(__file__).parents[1] / "data" / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def expected(case: Path) -> str:
    return case.with_suffix(".expected").read_text(encoding="utf-8")


def relative(output: str) -> str:
    return output.replace(f"{BAD}{os.sep}", "")


def test_every_bad_file_has_its_expected_message() -> None:
    assert len(CASES) >= 40
    assert sorted(BAD.glob("*.expected")) == [c.with_suffix(".expected") for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_validate_reports_the_expected_problems_without_a_traceback(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(case)])
    out, err = capsys.readouterr()
    assert (relative(out), err, code) == (expected(case), "", 1)
    assert "Traceback" not in out


def test_validate_as_a_process_reports_every_problem_of_the_corpus_folder() -> None:
    blueprint = shutil.which("blueprint", path=Path(sys.executable).parent)
    assert blueprint is not None
    result = subprocess.run(
        [blueprint, "validate", str(BAD)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (1, "")
    assert "Traceback" not in result.stdout
    every_expected = {line for case in CASES for line in expected(case).splitlines()}
    assert set(relative(result.stdout).splitlines()) == every_expected


def test_a_file_over_the_size_limit_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.yaml"
    header = "blueprint: Huge\ndoc: "
    huge.write_text(header + "x" * (MAX_BYTES + 1 - len(header)) + "\n")
    assert main(["validate", str(huge)]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == (f"{huge}:1:1: file is larger than 2 MiB\n", "")
