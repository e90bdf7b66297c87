"""Beamline trees: load, build, connect in parallel, report."""

from .loaded import LoadedBeamline, load_beamline
from .report import ConnectionReport, DeviceConnection

__all__ = ["ConnectionReport", "DeviceConnection", "LoadedBeamline", "load_beamline"]
