from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import schema_texts, stale_schemas
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.logic import logic_roles

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


def test_validate_a_missing_path_is_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert main(["validate", str(good), str(tmp_path / "nope")]) == 2
    assert capsys.readouterr() == (
        "",
        f"blueprint validate: no such file or directory: {tmp_path / 'nope'}\n",
    )


def test_validate_a_missing_search_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert main(["validate", "-b", str(tmp_path / "lib"), str(good)]) == 2
    assert capsys.readouterr().err == (
        f"blueprint validate: no such file or directory: {tmp_path / 'lib'}\n"
    )


def test_validate_a_folder_without_yaml_files_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("no yaml here")
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"blueprint validate: no *.yaml files in {tmp_path}\n"
    )


def test_validate_an_unreadable_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "looks_like.yaml"
    (folder / "inner").mkdir(parents=True)
    assert main(["validate", str(tmp_path / "looks_like.yaml" / "inner")]) == 2
    assert capsys.readouterr().err.startswith("blueprint validate: ")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert "the following arguments are required: PATH" in capsys.readouterr().err
    assert main(["validate", "--format", "xml", "x.yaml"]) == 2


def test_validate_a_folder_checks_every_yaml_file_under_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "sub" / "deeper" / "bad.yaml").write_text(BAD)
    (tmp_path / "sub" / "panda.pvi.device.yaml").write_text("label: not ours\n")
    (tmp_path / ".hidden" / "x.yaml").write_text("not: ours\n")
    (tmp_path / "sub" / "readme.txt").write_text("not yaml")
    assert main(["validate", str(tmp_path)]) == 1
    bad = tmp_path / "sub" / "deeper" / "bad.yaml"
    assert capsys.readouterr().out == (
        f"{bad}:3:25: signals.x.dtype: unknown dtype 'floatt'; did you mean 'float'?\n"
    )
    bad.write_text(GOOD.replace("Good", "AlsoGood"))
    assert main(["validate", str(tmp_path), str(tmp_path / "good.yaml")]) == 0
    assert capsys.readouterr().out == "2 file(s) OK\n"


def test_validate_a_beamline_checks_the_blueprints_it_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "devices").mkdir()
    bad = tmp_path / "devices" / "bad.yaml"
    bad.write_text(BAD)
    (tmp_path / "devices" / "unused.yaml").write_text(
        BAD.replace("Bad", "Unused").replace("floatt", "intt")
    )
    beamline = tmp_path / "bl.yaml"
    beamline.write_text(
        "beamline: bl\nblueprints: [devices]\ndevices:\n  b: {blueprint: Bad}\n"
    )
    assert main(["validate", str(beamline)]) == 1
    assert capsys.readouterr().out == (
        f"{bad}:3:25: signals.x.dtype: unknown dtype 'floatt'; did you mean 'float'?\n"
    )


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
        f"run: blueprint schema -o {tmp_path}"
    )


def test_schema_o_writes_every_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "-o", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == (
        f"wrote {tmp_path / 'out' / 'blueprint.schema.json'}\n"
        f"wrote {tmp_path / 'out' / 'beamline.schema.json'}\n"
        f"wrote {tmp_path / 'out' / 'settings.schema.json'}\n"
    )
    assert stale_schemas(tmp_path / "out", logic_roles()) == []


@pytest.mark.parametrize("kind", ["blueprint", "beamline"])
def test_schema_without_options_prints_a_schema_and_writes_nothing(
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["schema"] if kind == "blueprint" else ["schema", kind]
    assert main(argv) == 0
    assert capsys.readouterr().out == schema_texts(logic_roles())[f"{kind}.schema.json"]
    assert list(tmp_path.iterdir()) == []


def test_schema_kind_with_a_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "beamline", "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "blueprint schema: KIND is only for printing\n"
    assert main(["schema", "-o", str(tmp_path), "--check", str(tmp_path)]) == 2


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
