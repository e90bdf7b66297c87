"""Introspection: live PVI (over PVA), PVI device files and Tango devices
become `Blueprint` models, which can be frozen to YAML and checked for drift.

    found = await introspect("pva://BL01:PANDA:PVI")
    freeze(found, "devices/panda.yaml")
    drift(signal_facts(frozen, library), signal_facts(found.root, found.blueprints))
"""

from .blueprints import Introspected, blueprint_name, to_blueprints
from .discovery import default_name, introspect
from .drift import Drift, SignalFacts, drift, signal_facts
from .errors import IntrospectionError
from .freeze import FreezeError, FrozenFiles, find_schema, freeze, to_yaml
from .pvi_file import PVI_FILE_SUFFIX, read_pvi_file
from .tree import FoundDevice, FoundSignal, snake_case

__all__ = [
    "PVI_FILE_SUFFIX",
    "Drift",
    "FoundDevice",
    "FoundSignal",
    "FreezeError",
    "FrozenFiles",
    "Introspected",
    "IntrospectionError",
    "SignalFacts",
    "blueprint_name",
    "default_name",
    "drift",
    "find_schema",
    "freeze",
    "introspect",
    "read_pvi_file",
    "signal_facts",
    "snake_case",
    "to_blueprints",
    "to_yaml",
]
