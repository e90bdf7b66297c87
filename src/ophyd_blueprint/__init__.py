"""ophyd-blueprint: asyncio devices for bluesky, where devices are data.

Everything public is importable from here: the runtime core (signals,
devices, status, datatypes, mocks; see `ophyd_blueprint.core`) and the
declarative layer (blueprints, beamlines, the builder, logic).

The declarative layer (pydantic, ruamel.yaml, jinja2, bluesky) and `Table` (a
pydantic model) are imported on first use of their names, so a process that
only uses signals and devices from code does not pay for them at import.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from . import core
from .core import *  # noqa: F403  (core.__all__: all its public names but Table)

if TYPE_CHECKING:
    from .beamline import ConnectionReport, LoadedBeamline, load_beamline
    from .blueprint import Beamline, Blueprint, BlueprintError, load_blueprint
    from .builder import build_device
    from .core import Table
    from .logic import Logic

_ON_FIRST_USE = {
    "Beamline": "blueprint",
    "Blueprint": "blueprint",
    "BlueprintError": "blueprint",
    "ConnectionReport": "beamline",
    "LoadedBeamline": "beamline",
    "Logic": "logic",
    "Table": "core",
    "build_device": "builder",
    "load_beamline": "beamline",
    "load_blueprint": "blueprint",
}

__all__ = [
    "Beamline",
    "Blueprint",
    "BlueprintError",
    "ConnectionReport",
    "LoadedBeamline",
    "Logic",
    "Table",
    "build_device",
    "load_beamline",
    "load_blueprint",
]
__all__ += core.__all__

__version__ = version("ophyd-blueprint")
"""The installed distribution's version (also ``blueprint --version``)."""


def __getattr__(name: str) -> Any:
    """A declarative-layer name or `Table`, imported on first use."""
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'ophyd_blueprint' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ON_FIRST_USE})
