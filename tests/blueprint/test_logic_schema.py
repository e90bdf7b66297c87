"""What an editor reading the shipped schemas knows of a logic entry: the
registered classes, each one's roles and parameters, and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from ophyd_blueprint.blueprint import schema_texts
from ophyd_blueprint.logic import logic_names, logic_roles

SCHEMAS = Path(__file__).parents[2] / "schemas"


def schema(kind: str = "blueprint") -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))


def errors(document: dict[str, Any], kind: str = "blueprint") -> list[str]:
    validator = jsonschema.Draft202012Validator(schema(kind))
    return sorted(error.message for error in validator.iter_errors(document))


def motor(**entry: Any) -> dict[str, Any]:
    return {
        "blueprint": "Axis",
        "signals": {"sp": {"source": "SP", "access": "rw"}, "rbv": {"source": "RBV"}},
        "logic": [{"use": "motion.Motor", **entry}],
    }


def test_use_offers_every_registered_class_with_what_it_does() -> None:
    use = schema()["$defs"]["LogicEntry"]["properties"]["use"]
    offered = {option["const"]: option["description"] for option in use["anyOf"][:-1]}
    assert sorted(offered) == logic_names()
    assert offered["motion.Motor"].startswith("Moves `setpoint`")
    assert use["anyOf"][-1] == {"type": "string"}, "a class of your own still fits"


def test_a_well_bound_entry_fits() -> None:
    entry = {"bind": {"setpoint": "sp", "readback": "rbv"}, "with": {"tolerance": 1}}
    assert errors(motor(**entry)) == []


def test_an_unknown_role_or_parameter_and_a_missing_role_are_flagged() -> None:
    entry = {"bind": {"setpoint": "sp", "readbak": "rbv"}, "with": {"tolerence": 1}}
    found = errors(motor(**entry))
    assert "'readback' is a required property" in found
    assert any("'readbak' was unexpected" in message for message in found)
    assert any("'tolerence' was unexpected" in message for message in found)


def test_a_parameter_of_the_wrong_type_is_flagged_unless_templated() -> None:
    bind = {"setpoint": "sp", "readback": "rbv"}
    assert errors(motor(bind=bind, **{"with": {"tolerance": "small"}})) != []
    assert errors(motor(bind=bind, **{"with": {"tolerance": "{{tol}}"}})) == []
    expression = "{{ 0.1 if fast else 0.2 }}"
    assert errors(motor(bind=bind, **{"with": {"tolerance": expression}})) == []


def test_a_template_that_renders_text_is_flagged_for_a_number_as_validate_does() -> (
    None
):
    bind = {"setpoint": "sp", "readback": "rbv"}
    for text in ("{% if fast %}0.1{% else %}0.2{% endif %}", "{{a}}.{{b}}"):
        assert errors(motor(bind=bind, **{"with": {"tolerance": text}})) != [], text


def test_roles_are_described_with_the_access_and_dtype_they_need() -> None:
    bind = schema()["$defs"]["MotionMotorBind"]
    assert bind["required"] == ["setpoint", "readback"]
    assert "access r, rw" in bind["properties"]["readback"]["description"]


def test_a_beamline_entry_adding_logic_is_checked_alike() -> None:
    beamline = {
        "beamline": "bl",
        "devices": {
            "panda": {
                "blueprint": "PandA",
                "with": {"prefix": "P:"},
                "logic": [{"use": "trigger.PandaSeqTable", "with": {"tabel": "t"}}],
            }
        },
    }
    found = errors(beamline, "beamline")
    assert any("'tabel' was unexpected" in message for message in found)


def test_without_the_registry_the_schema_is_the_models_alone() -> None:
    plain = json.loads(schema_texts()["blueprint.schema.json"])
    assert "allOf" not in plain["$defs"]["LogicEntry"]
    assert json.loads(schema_texts(logic_roles())["blueprint.schema.json"]) == schema()
