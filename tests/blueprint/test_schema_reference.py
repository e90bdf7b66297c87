"""The YAML reference pages say what the schemas say."""

from __future__ import annotations

import json
from pathlib import Path

from ophyd_blueprint.blueprint.schema_reference import schema_markdown

SCHEMAS = Path(__file__).parents[2] / "schemas"


def test_every_key_of_every_object_is_a_row_of_its_section() -> None:
    schema = json.loads((SCHEMAS / "blueprint.schema.json").read_text())
    page = schema_markdown(schema, "Blueprint files")
    sections = page.split("\n## ")
    assert [s.splitlines()[0] for s in sections[1:]] == list(schema["$defs"])
    for section, definition in zip(sections[1:], schema["$defs"].values(), strict=True):
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == list(definition["properties"])


def test_a_row_gives_type_default_and_description() -> None:
    schema = {
        "description": "A thing.",
        "properties": {
            "name": {"type": "string", "description": "Its name."},
            "mode": {"enum": ["a", "b"], "default": "a", "description": "x|y"},
            "parts": {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/Part"}, {"type": "null"}]},
            },
        },
        "required": ["name"],
        "$defs": {"Part": {"description": "A part.", "additionalProperties": {}}},
    }
    assert schema_markdown(schema, "Things") == (
        "# Things\n\nA thing.\n\n"
        "| key | type | default | description |\n|---|---|---|---|\n"
        "| `name` | str | required | Its name. |\n"
        '| `mode` | one of `a`, `b` | `"a"` | x\\|y |\n'
        "| `parts` | list of ([Part](#part) or null) |  |  |\n"
        "\n## Part\n\nA part.\n"
    )
