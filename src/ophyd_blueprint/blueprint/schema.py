"""JSON Schemas of the blueprint, beamline and settings files, generated from
the models (and, given the registered logic classes, from their roles and
parameters)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .checks import param_json_type
from .models import Beamline, Blueprint
from .roles import LogicInfo, LogicRoles
from .schema_reference import TEMPLATE_PATTERN
from .settings_file import SETTINGS_SCHEMA, SettingsFile

__all__ = ["SCHEMA_FILES", "schema_texts", "stale_schemas", "write_schemas"]

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "blueprint.schema.json": Blueprint,
    "beamline.schema.json": Beamline,
    SETTINGS_SCHEMA: SettingsFile,
}
"""File name -> model, as YAML files name them in their first line."""

_TEMPLATE = {"type": "string", "pattern": TEMPLATE_PATTERN}
"""A templated value: its type is known once rendered."""


def schema_texts(logic: LogicRoles | None = None) -> dict[str, str]:
    """File name -> schema text, exactly as written to disk.

    With `logic` (the registry's `logic_roles()`), a logic entry's ``use``
    offers every registered class and its ``bind`` and ``with`` take that
    class's roles and parameters, each described: what an editor completes.
    """
    texts: dict[str, str] = {}
    for name, model in SCHEMA_FILES.items():
        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(by_alias=True),
        }
        if logic is not None and "LogicEntry" in schema.get("$defs", {}):
            _describe_logic(schema["$defs"], logic)
        texts[name] = json.dumps(schema, indent=2) + "\n"
    return texts


def _describe_logic(defs: dict[str, Any], logic: LogicRoles) -> None:
    """Each registered class's roles and parameters, into `defs`."""
    entry: dict[str, Any] = defs["LogicEntry"]
    info = logic if isinstance(logic, LogicInfo) else None
    names = sorted(logic)
    entry["properties"]["use"] = {
        **entry["properties"]["use"],
        "anyOf": [
            *(
                {"const": name, "description": info.doc_of(name) if info else ""}
                for name in names
            ),
            {"type": "string"},
        ],
    }
    cases: list[dict[str, Any]] = []
    for name in names:
        title = "".join(part[:1].upper() + part[1:] for part in name.split("."))
        bind = defs[f"{title}Bind"] = _roles(name, logic)
        then: dict[str, Any] = {
            "properties": {"bind": {"$ref": f"#/$defs/{title}Bind"}}
        }
        if bind["required"]:
            then["required"] = ["bind"]
        if info is not None:
            defs[f"{title}With"] = _params(name, info.params_of(name))
            then["properties"]["with"] = {"$ref": f"#/$defs/{title}With"}
        cases.append(
            {
                "if": {"properties": {"use": {"const": name}}, "required": ["use"]},
                "then": then,
            }
        )
    entry["allOf"] = cases
    entry["description"] += (
        " The roles and parameters of each registered class are below, named "
        "after it (`motion.Motor`: MotionMotorBind, MotionMotorWith)."
    )


def _roles(name: str, logic: LogicRoles) -> dict[str, Any]:
    roles = logic[name]
    properties: dict[str, Any] = {}
    for spec in roles:
        wants = f"access {', '.join(sorted(spec.access))}"
        if spec.dtypes is not None:
            wants += f"; dtype {', '.join(sorted(spec.dtypes))}"
        doc = f"{spec.doc} ({wants})" if spec.doc else wants
        properties[spec.name] = {"type": "string", "description": doc}
    return {
        "description": f"The roles of `{name}`: signal paths bound to each.",
        "type": "object",
        "properties": properties,
        "required": [spec.name for spec in roles if spec.required],
        "additionalProperties": False,
    }


def _params(name: str, params: Mapping[str, type]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for param, kind in params.items():
        json_type = param_json_type(kind)
        if json_type is None:
            properties[param] = {}
        elif json_type == "string":  # a template is a string too
            properties[param] = {"type": "string"}
        else:
            properties[param] = {"anyOf": [{"type": json_type}, _TEMPLATE]}
    return {
        "description": f"The parameters of `{name}`.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def write_schemas(directory: Path, logic: LogicRoles | None = None) -> list[Path]:
    """Write every schema into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in schema_texts(logic).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path, logic: LogicRoles | None = None) -> list[Path]:
    """Schema files in ``directory`` that are missing or differ from the models."""
    stale: list[Path] = []
    for name, text in schema_texts(logic).items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale
