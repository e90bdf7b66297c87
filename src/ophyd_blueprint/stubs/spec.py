"""What a generated module declares, as plain data ready for the template."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Attribute",
    "DeviceClass",
    "EnumClass",
    "Loader",
    "Method",
    "ModuleSpec",
    "TableClass",
]


@dataclass(frozen=True)
class Attribute:
    """``name: annotation`` with an optional docstring."""

    name: str
    annotation: str
    doc: str | None = None


@dataclass(frozen=True)
class Method:
    """A method forwarded by the builder from a logic class."""

    name: str
    parameters: list[str]
    """``self`` first, then e.g. ``timeout: float | None = None``."""
    returns: str
    is_async: bool
    doc: str | None


@dataclass(frozen=True)
class DeviceClass:
    """The type of the devices built from one blueprint."""

    name: str
    doc: str
    attributes: list[Attribute]
    methods: list[Method]


@dataclass(frozen=True)
class EnumClass:
    """An enum with the builder's name, members and labels."""

    name: str
    base: str
    members: list[tuple[str, str]]
    doc: str = field(compare=False)


@dataclass(frozen=True)
class TableClass:
    """A table with the builder's name and columns."""

    name: str
    columns: list[Attribute]
    column_dtypes: list[tuple[str, str]]
    doc: str = field(compare=False)
    blueprint: str = field(compare=False)
    """The first blueprint and signal with this table: the builder makes one
    class per name and columns, so any of them gives it."""
    signal: str = field(compare=False)


@dataclass(frozen=True)
class Loader:
    """The beamline's typed class and ``load()``."""

    name: str
    doc: str
    devices: list[Attribute]
    path: str
    """The beamline file relative to the generated module, with ``/``."""


@dataclass(frozen=True)
class ModuleSpec:
    """Everything one generated module declares, in the order it is written."""

    doc: str
    enums: list[EnumClass]
    tables: list[TableClass]
    devices: list[DeviceClass]
    loader: Loader | None
