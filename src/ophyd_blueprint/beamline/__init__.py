"""Beamline trees: load, build, connect in parallel, report."""

from .discovered import DiscoveredDevice, forget_discovered
from .loaded import LoadedBeamline, load_beamline
from .report import ConnectionReport, DeviceConnection

__all__ = [
    "ConnectionReport",
    "DeviceConnection",
    "DiscoveredDevice",
    "LoadedBeamline",
    "forget_discovered",
    "load_beamline",
]
