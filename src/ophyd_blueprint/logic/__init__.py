"""Behaviour attached to built devices by composition, found by name.

A logic class receives already-built signals by role and never constructs a
source; see `Logic`. Classes are registered in the entry-point group
``ophyd_blueprint.logic`` and imported only when a blueprint names them.
"""

from .base import READABLE, TRIGGER, WRITABLE, Logic, SettingsRules, fire, role
from .registry import get_logic, logic_names, logic_roles

__all__ = [
    "READABLE",
    "TRIGGER",
    "WRITABLE",
    "Logic",
    "SettingsRules",
    "fire",
    "get_logic",
    "logic_names",
    "logic_roles",
    "role",
]
