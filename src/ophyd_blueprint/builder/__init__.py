"""The generic builder: blueprint models become typed asyncio devices."""

from .datatypes import enum_class, signal_datatype
from .device import (
    FILES_FROM,
    BlueprintDevice,
    BuildError,
    Discover,
    DiscoveredBlueprintDevice,
    build_device,
    device_class,
    found_through_pvi,
)

__all__ = [
    "FILES_FROM",
    "BlueprintDevice",
    "BuildError",
    "Discover",
    "DiscoveredBlueprintDevice",
    "build_device",
    "device_class",
    "enum_class",
    "found_through_pvi",
    "signal_datatype",
]
