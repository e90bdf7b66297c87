"""ophyd-blueprint: asyncio devices for bluesky, where devices are data.

Everything public is importable from here: the runtime core (signals,
devices, status, datatypes, mocks; see `ophyd_blueprint.core`) and the
declarative layer (blueprints, beamlines, the builder, logic).
"""

from . import core
from .beamline import ConnectionReport, LoadedBeamline, load_beamline
from .blueprint import Beamline, Blueprint, BlueprintError, load_blueprint
from .build import build_device
from .core import *  # noqa: F403  (the core's public names, listed in core.__all__)
from .logic import Logic

__all__ = [
    "Beamline",
    "Blueprint",
    "BlueprintError",
    "ConnectionReport",
    "LoadedBeamline",
    "Logic",
    "build_device",
    "load_beamline",
    "load_blueprint",
]
__all__ += core.__all__
