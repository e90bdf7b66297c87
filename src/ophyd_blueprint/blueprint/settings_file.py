"""Settings files: what the devices of a beamline were set to, as YAML data.

A file names its beamline, when, where and by whom it was saved, then device
-> signal path -> value (enums by label, arrays as lists, tables as column ->
list). It is read with the same positions, and the same ``file:line:col``
problems, as blueprints; this module knows nothing of devices.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML

from .positions import Origin, Positions
from .problems import BlueprintError
from .shape_errors import shape_problems
from .yaml_reader import parse_yaml, parse_yaml_bytes, read_bounded

__all__ = [
    "SETTINGS_SCHEMA",
    "SettingValue",
    "SettingsFile",
    "dump_settings",
    "load_settings",
    "parse_settings",
]

SETTINGS_SCHEMA = "settings.schema.json"
"""The schema's file name in ``schemas/``."""


def _value(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "setting_value",
            "expected a string, number, boolean, list, or mapping of column -> list",
        ) from None


SettingValue = Annotated[
    str | int | float | bool | list[Any] | dict[str, list[Any]],
    WrapValidator(_value),
]
"""One saved value: a scalar, an enum's label, an array as a list, a table as
column -> list."""


class SettingsFile(BaseModel):
    """Saved settings of some devices of one beamline."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )
    _origin: Origin | None = PrivateAttr(default=None)

    beamline: str = Field(alias="settings")
    """Name of the beamline the settings were saved from."""
    saved_at: Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d")]
    """When: ISO 8601 date and time, e.g. `2025-06-01T10:32:05+02:00`."""
    host: str | None = None
    """Computer the settings were saved on."""
    user: str | None = None
    """Who saved them."""
    beamline_file: str | None = None
    """The beamline file the devices were loaded from."""
    devices: dict[str, dict[str, SettingValue]] = Field(
        default_factory=dict[str, dict[str, SettingValue]]
    )
    """Device name -> signal path in the device (dotted for children, e.g.
    `cam.acquire_time`) -> value."""

    @property
    def origin(self) -> Origin:
        """Where the file was read from; an empty origin if built in code."""
        return self._origin or Origin("<memory>", Positions())

    def set_origin(self, origin: Origin) -> None:
        """Record where this file was read (done once, by the loader)."""
        self._origin = origin


def load_settings(path: str | Path) -> SettingsFile:
    """Read a settings file; BlueprintError lists every problem with its
    ``file:line:col``. OSError if the file cannot be read."""
    return parse_settings(read_bounded(Path(path)), str(path))


def parse_settings(text: str | bytes, file: str = "<string>") -> SettingsFile:
    """Like `load_settings`, from text or UTF-8 bytes."""
    if isinstance(text, bytes):
        data, positions = parse_yaml_bytes(text, file)
    else:
        data, positions = parse_yaml(text, file)
    origin = Origin(file, positions)
    if not isinstance(data, dict) or "settings" not in data:
        message = "expected a mapping with a 'settings:' key"
        if isinstance(data, dict) and ("beamline" in data or "blueprint" in data):
            kind = "beamline" if "beamline" in data else "blueprint"
            message += f" (this is a {kind} file, not saved settings)"
        raise BlueprintError([origin.problem(message)])
    try:
        settings = SettingsFile.model_validate(data)
    except ValidationError as error:
        raise BlueprintError(shape_problems(error, SettingsFile, origin)) from None
    settings.set_origin(origin)
    return settings


def dump_settings(settings: SettingsFile, schema: str | None = None) -> str:
    """The YAML text of `settings`, after a ``$schema`` line naming `schema`
    (a path relative to where the file is written) when given.

    Each device is a block of ``signal: value`` lines; lists (a table's
    columns too) are written inline. ruamel's C emitter, not its round-trip
    one: a few times faster for a PandA's 170 settings, the same text.
    """
    data = settings.model_dump(by_alias=True, exclude_none=True)
    data["devices"] = {name: dict(values) for name, values in settings.devices.items()}
    yaml: Any = YAML(typ="safe", pure=False)  # ruamel's dump is untyped
    yaml.default_flow_style = None  # a list of scalars inline, the rest in blocks
    yaml.width = 4096
    yaml.sort_base_mapping_type_on_output = False  # keys as saved
    yaml.representer.add_representer(str, _one_line)
    stream = io.StringIO()
    if schema is not None:
        stream.write(f"# yaml-language-server: $schema={schema}\n")
    yaml.dump(data, stream)
    return stream.getvalue()


def _one_line(representer: Any, text: str) -> Any:
    """A string on one line: one with line breaks in double quotes (``\\n``)."""
    style = '"' if "\n" in text or "\r" in text else None
    return representer.represent_scalar("tag:yaml.org,2002:str", text, style=style)
