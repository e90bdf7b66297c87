"""Python names for what YAML declares: enum and table classes, enum members.

The builder makes these classes at run time and the stub generator writes
them for type checkers; both take the names from here, so they agree.
"""

from __future__ import annotations

import re

from .models import Signal

__all__ = ["datatype_class_name", "enum_members", "pascal_case"]


def pascal_case(name: str) -> str:
    """``"image_mode"`` -> ``ImageMode``; ``"demo-2"`` -> ``Demo2``."""
    words = re.split(r"[_\W]+", name)
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def datatype_class_name(blueprint: str, signal: str, declared: Signal) -> str:
    """The class name of a signal's enum or table: `enum_name`, or Blueprint+Signal."""
    return declared.enum_name or blueprint + pascal_case(signal)


def _member_name(label: str) -> str:
    name = re.sub(r"\W+", "_", label.strip()).strip("_").upper() or "EMPTY"
    return f"_{name}" if name[0].isdigit() else name


def enum_members(choices: list[str]) -> list[tuple[str, str]]:
    """``(MEMBER, "label")`` per choice: ``"closed now"`` -> ``CLOSED_NOW``."""
    members: dict[str, str] = {}
    for label in choices:
        key = _member_name(label)
        while key in members:
            key += "_"
        members[key] = label
    return list(members.items())
