"""JSON Schemas of the blueprint, beamline and settings files, generated from
the models."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import Beamline, Blueprint
from .settings_file import SETTINGS_SCHEMA, SettingsFile

__all__ = ["SCHEMA_FILES", "schema_texts", "stale_schemas", "write_schemas"]

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "blueprint.schema.json": Blueprint,
    "beamline.schema.json": Beamline,
    SETTINGS_SCHEMA: SettingsFile,
}
"""File name -> model, as YAML files name them in their first line."""


def schema_texts() -> dict[str, str]:
    """File name -> schema text, exactly as written to disk."""
    texts: dict[str, str] = {}
    for name, model in SCHEMA_FILES.items():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(by_alias=True),
        }
        texts[name] = json.dumps(schema, indent=2) + "\n"
    return texts


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in schema_texts().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path) -> list[Path]:
    """Schema files in ``directory`` that are missing or differ from the models."""
    stale: list[Path] = []
    for name, text in schema_texts().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale
