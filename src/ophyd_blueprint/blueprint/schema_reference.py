"""A JSON schema of ours rendered as a Markdown reference page.

The documentation site builds its YAML reference from ``schemas/*.json`` with
this, so the page says what the schema says: every key, its type, default and
description, each object (``$defs``) in a section of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .templating import EXPRESSION_PATTERN

__all__ = ["TEMPLATE_PATTERN", "schema_markdown"]

Schema = Mapping[str, Any]
TEMPLATE_PATTERN = f"^{EXPRESSION_PATTERN}$"
"""The pattern of a string the schema takes as a template (typed once
rendered): one lone ``{{expr}}``, as `render_value` keeps its type."""


def schema_markdown(schema: Schema, title: str) -> str:
    """The page for `schema` (a parsed JSON schema), headed `title`."""
    lines = [f"# {title}", "", _text(schema.get("description", "")), ""]
    lines += _object(schema)
    definitions = cast("Mapping[str, Schema]", schema.get("$defs", {}))
    for name, definition in definitions.items():
        lines += ["", f"## {name}", "", _text(definition.get("description", ""))]
        lines += ["", *_object(definition)]
    return "\n".join(lines).rstrip() + "\n"


def _object(schema: Schema) -> list[str]:
    """The table of an object's keys; a map's value type; else nothing."""
    properties = cast("Mapping[str, Schema]", schema.get("properties", {}))
    if not properties:
        values = schema.get("additionalProperties")
        return [f"A map of names to {_type(values)}."] if values else []
    required = set(cast("Sequence[str]", schema.get("required", ())))
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    for key, spec in properties.items():
        default = "required" if key in required else _default(spec)
        description = _text(spec.get("description", "")).replace("\n", " ")
        rows.append(f"| `{key}` | {_type(spec)} | {default} | {description} |")
    return rows


def _type(spec: Any) -> str:
    """A schema's type in a few words, with links to the objects it uses."""
    if not isinstance(spec, Mapping) or not spec:
        return "any"
    spec = cast("Schema", spec)
    if "$ref" in spec:
        name = str(spec["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in spec:
        options = cast("Sequence[Schema]", spec["anyOf"])
        return " or ".join(_type(option) for option in options)
    if "enum" in spec:
        return "one of " + ", ".join(f"`{value}`" for value in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type")
    if kind == "array":
        return f"list of {_inner(spec.get('items'))}"
    if kind == "object":
        values = spec.get("additionalProperties")
        return f"map of {_inner(values)}" if values else "map"
    words = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
    text = words.get(str(kind), str(kind))
    if spec.get("pattern") == TEMPLATE_PATTERN:
        return "a template (`{{name}}`)"
    if "pattern" in spec:
        text += f" matching `{spec['pattern']}`"
    return text


def _inner(spec: Any) -> str:
    """A type inside ``list of`` or ``map of``: alternatives in parentheses."""
    text = _type(spec)
    return f"({text})" if " or " in text else text


def _default(spec: Schema) -> str:
    if "default" not in spec:
        return ""
    default = spec["default"]
    return "" if default in (None, [], {}) else f"`{json.dumps(default)}`"


def _text(description: Any) -> str:
    """A description as Markdown: the schema's text, table pipes escaped."""
    return str(description).replace("|", "\\|")
