from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from ophyd_blueprint.blueprint import stale_schemas, validate_files
from ophyd_blueprint.blueprint.yaml_reader import read_yaml
from ophyd_blueprint.cli.validate import logic_roles

ROOT = Path(__file__).parents[2]
SCHEMAS = ROOT / "schemas"
SHIPPED = sorted([*ROOT.glob("devices/**/*.yaml"), *ROOT.glob("beamlines/*.yaml")])


def test_schema_files_are_up_to_date() -> None:
    stale = stale_schemas(SCHEMAS, logic_roles())
    assert stale == [], "run: blueprint schema --write schemas"


def test_there_are_shipped_files_to_check() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in SHIPPED}
    assert {"devices/epics/motor.yaml", "beamlines/demo.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_file_names_its_schema_and_matches_it(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    data, _ = read_yaml(path)
    assert isinstance(data, dict)
    kind = "blueprint" if "blueprint" in data else "beamline"
    schema_path = SCHEMAS / f"{kind}.schema.json"
    relative = Path(os.path.relpath(schema_path, path.parent)).as_posix()
    assert first_line == f"# yaml-language-server: $schema={relative}"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))  # what editors read
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(data)))


def test_shipped_files_pass_every_check() -> None:
    problems = validate_files(SHIPPED, logic_roles=logic_roles())
    assert [str(problem) for problem in problems] == []


def test_the_docs_list_every_shipped_blueprint() -> None:
    """docs/index.md's "Shipped blueprints" names each one a user can ask for."""
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    section = index.split("## Shipped blueprints", 1)[1].split("\n## ", 1)[0]
    shipped = {
        str(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["blueprint"])
        for path in ROOT.glob("devices/**/*.yaml")
    }
    missing = sorted(name for name in shipped if f"`{name}`" not in section)
    assert missing == [], f"docs/index.md does not list {missing}"
