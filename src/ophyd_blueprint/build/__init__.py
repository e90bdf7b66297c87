"""The generic builder: blueprint models become typed asyncio devices."""

from .datatypes import enum_class, enum_class_name, signal_datatype
from .device import BlueprintDevice, BuildError, Discover, build_device, device_class

__all__ = [
    "BlueprintDevice",
    "BuildError",
    "Discover",
    "build_device",
    "device_class",
    "enum_class",
    "enum_class_name",
    "signal_datatype",
]
