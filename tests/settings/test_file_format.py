"""The settings file: YAML that round-trips every value, a schema, and problems
at file:line:col like blueprints."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ophyd_blueprint.blueprint import BlueprintError, schema_texts
from ophyd_blueprint.blueprint.settings_file import (
    SettingsFile,
    dump_settings,
    load_settings,
    parse_settings,
)
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.plans.settings import write_settings_file

ROOT = Path(__file__).parents[2]

TRICKY: dict[str, Any] = {
    "tenth": 0.1,
    "tiny": 1e-300,
    "huge": 1.5e300,
    "negative_zero": -0.0,
    "infinite": math.inf,
    "big_int": 2**62,
    "looks_like_a_number": "1.0",
    "looks_like_a_bool": "true",
    "looks_like_null": "null",
    "yes": "yes",
    "empty": "",
    "colon": "a: b",
    "hash": "# not a comment",
    "unicode": "Ångström µm",
    "label with spaces": "HIGH Gain",
    "two lines": "first\nsecond",
    "floats": [0.5, -1.25, 3.0],
    "strings": ["a", "b c", "1"],
    "empty_list": [],
    "table": {"x": [1, 2], "name": ["p", "q"]},
    "flag": False,
}


def settings_of(devices: dict[str, dict[str, Any]]) -> SettingsFile:
    return SettingsFile(
        settings="lab", saved_at="2025-06-01T10:32:05+02:00", devices=devices
    )


def test_every_kind_of_value_round_trips_through_the_yaml_text():
    text = dump_settings(settings_of({"det": TRICKY, "cam.1": {"gain": 2}}))
    loaded = parse_settings(text, "s.yaml")
    assert loaded.devices == {"det": TRICKY, "cam.1": {"gain": 2}}
    assert math.copysign(1, loaded.devices["det"]["negative_zero"]) == -1
    assert loaded.beamline == "lab"
    assert loaded.saved_at == "2025-06-01T10:32:05+02:00"


def test_a_string_of_two_lines_takes_one_line_of_the_file():
    text = dump_settings(settings_of({"d": {"note": "first\nsecond", "n": 1}}))
    assert '    note: "first\\nsecond"' in text.splitlines()


def test_nan_round_trips():
    loaded = parse_settings(dump_settings(settings_of({"d": {"v": math.nan}})))
    assert math.isnan(loaded.devices["d"]["v"])


def test_a_device_is_a_block_of_one_line_per_signal_with_lists_inline():
    text = dump_settings(
        settings_of({"x": {"velocity": 2.0, "profile": [1.0, 2.0]}}),
        schema="../schemas/settings.schema.json",
    )
    assert text.splitlines() == [
        "# yaml-language-server: $schema=../schemas/settings.schema.json",
        "settings: lab",
        "saved_at: '2025-06-01T10:32:05+02:00'",
        "devices:",
        "  x:",
        "    velocity: 2.0",
        "    profile: [1.0, 2.0]",
    ]


def test_a_written_file_names_the_shipped_schema_and_matches_it(tmp_path: Path):
    target = tmp_path / "deep" / "s.yaml"
    settings = settings_of({"x": TRICKY | {"infinite": 1.0}})
    write_settings_file(settings, target)
    first = target.read_text().splitlines()[0]
    schema = first.removeprefix("# yaml-language-server: $schema=")
    assert (target.parent / schema).resolve() == ROOT / "schemas/settings.schema.json"
    data = json.loads(json.dumps(load_settings(target).model_dump(by_alias=True)))
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_texts()[schema[-20:]])
    )
    validator.validate(data)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**data, "savedat": "yesterday"})


def test_blueprint_schema_prints_the_settings_schema(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["schema", "settings"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "SettingsFile"
    assert set(printed["required"]) == {"settings", "saved_at"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "settings: lab\nsaved_at: '2025-06-01T10:00'\ndevices:\n  x: {v: [1, 2}\n",
            "s.yaml:4:15: invalid YAML: did not find expected ',' or ']' "
            "(while parsing a flow sequence that starts at 4:10)",
        ),
        (
            "saved_at: '2025-06-01T10:00'\ndevices: {}\n",
            "s.yaml:1:1: expected a mapping with a 'settings:' key",
        ),
        (
            "beamline: lab\ndevices: {}\n",  # given where saved settings go
            "s.yaml:1:1: expected a mapping with a 'settings:' key "
            "(this is a beamline file, not saved settings)",
        ),
        (
            "settings: lab\ndevices: {}\n",
            "s.yaml:1:1: missing required key 'saved_at'",
        ),
        (
            "settings: lab\nsaved_at: yesterday\n",
            "s.yaml:2:11: saved_at: string should match pattern "
            "'^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d', got 'yesterday'",
        ),
        (
            "settings: lab\nsaved_at: '2025-06-01T10:00'\nsaved_by: me\n",
            "s.yaml:3:1: saved_by: unknown key 'saved_by'; did you mean 'saved_at'?",
        ),
        (
            "settings: lab\nsaved_at: '2025-06-01T10:00'\ndevices:\n"
            "  x:\n    velocity: 1.0\n    gain: ~\n",
            "s.yaml:6:11: devices.x.gain: expected a string, number, boolean, list, "
            "or mapping of column -> list, got None",
        ),
        (
            "settings: lab\nsaved_at: '2025-06-01T10:00'\ndevices:\n"
            "  x:\n    velocity: 1.0\n    velocity: 2.0\n",
            "s.yaml:6:5: duplicate key 'velocity' (first defined at 5:5)",
        ),
    ],
    ids=[
        "syntax",
        "not-settings",
        "a-beamline",
        "missing-key",
        "bad-time",
        "unknown-key",
        "null-value",
        "duplicate",
    ],
)
def test_a_bad_file_is_refused_at_its_line_and_column(text: str, expected: str):
    with pytest.raises(BlueprintError) as caught:
        parse_settings(text, "s.yaml")
    assert str(caught.value) == expected
