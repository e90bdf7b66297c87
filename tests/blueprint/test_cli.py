from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.cli.main import main

GOOD = "blueprint: Good\nsignals:\n  x: {source: X, dtype: int}\n"
BAD = "blueprint: Bad\nsignals:\n  x: {source: X, dtype: floatt}\n"


def test_validate_exits_0_when_all_files_are_good(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == "1 file(s) OK\n"


def test_validate_prints_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == (
        f"{path}:3:25: signals.x.dtype: unknown dtype 'floatt'; did you mean 'float'?\n"
    )


def test_validate_json_gives_the_same_problems_as_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    assert main(["validate", "--format", "json", str(path)]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {
            "path": str(path),
            "line": 3,
            "col": 25,
            "where": "signals.x.dtype",
            "message": "unknown dtype 'floatt'",
            "suggestion": "did you mean 'float'?",
        }
    ]


def test_validate_exits_2_for_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert "the following arguments are required: FILE" in capsys.readouterr().err


def test_schema_check_fails_on_stale_files_and_passes_after_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--check", str(tmp_path)]) == 1
    assert main(["schema", "--write", str(tmp_path)]) == 0
    assert main(["schema", "--check", str(tmp_path)]) == 0
    (tmp_path / "beamline.schema.json").write_text("{}\n")
    assert main(["schema", "--check", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{tmp_path / 'beamline.schema.json'} is stale; "
        f"run: blueprint schema --write {tmp_path}"
    )


def test_building_the_command_line_defers_subcommand_imports() -> None:
    code = (
        "import sys\n"
        "import ophyd_blueprint\n"
        "before = set(sys.modules)\n"
        "from ophyd_blueprint.cli.main import build_parser\n"
        "build_parser()\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(\n"
        "    ('ophyd_blueprint.blueprint', 'ophyd_blueprint.logic',\n"
        "     'ruamel', 'jinja2')\n"
        ")))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
