"""The README's "Write a blueprint, validate it, get editor completion" works."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from ophyd_blueprint.cli.main import main

ROOT = Path(__file__).parents[2]
TITLE = "### Write a blueprint, validate it, get editor completion"


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(TITLE)
    return text[start : text.index("\n### ", start + 1)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), re.DOTALL)


def validate_commands() -> list[list[str]]:
    return [
        shlex.split(line, comments=True)[1:]
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith(".venv/bin/blueprint validate")
    ]


def test_the_section_shows_validate_on_folders_and_as_json() -> None:
    commands = validate_commands()
    assert any((ROOT / arg).is_dir() for command in commands for arg in command)
    assert any("--format" in command for command in commands)


@pytest.mark.parametrize("argv", validate_commands(), ids=" ".join)
def test_the_validate_commands_pass_on_the_shipped_files(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(argv) == 0


def test_the_example_problem_is_what_validate_prints_for_that_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    [printed] = blocks("text")
    file = printed.split(":")[0]
    shutil.copytree(ROOT / "devices", tmp_path / "devices")
    copy = tmp_path / file
    good = "dtype: float, access: r, read: normal"
    assert copy.read_text().count(good) == 1
    copy.write_text(copy.read_text().replace(good, good.replace("float", "flaot")))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "devices"]) == 1
    assert capsys.readouterr().out == printed


def test_the_vs_code_settings_map_the_shipped_files_to_existing_schemas() -> None:
    [settings] = blocks("json")
    mapping: dict[str, list[str]] = json.loads(settings)["yaml.schemas"]
    for schema, globs in mapping.items():
        assert (ROOT / schema).is_file()
        kind = Path(schema).name.split(".")[0]
        matched = {path for pattern in globs for path in ROOT.glob(pattern)}
        assert matched, globs
        for path in matched:
            assert f"{kind}:" in path.read_text(encoding="utf-8")


def test_the_schema_line_shown_resolves_from_a_shipped_blueprint() -> None:
    [blueprint] = blocks("yaml")
    [line] = re.findall(r"# yaml-language-server: \$schema=(\S+)", blueprint)
    assert (ROOT / "devices" / "epics" / line).resolve().is_file()
