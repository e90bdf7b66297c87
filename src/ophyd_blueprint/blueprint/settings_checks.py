"""Checks of a blueprint's ``settings:`` against the signals it declares.

``discovered: rw`` needs a ``pvi:``; and where every signal of the device is
declared (no ``pvi:`` or ``tango:`` anywhere in its tree), each pattern of
``include``, ``exclude`` and ``first`` must match one of them: a pattern
that matches nothing is a typo that would leave settings out silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase

from .extends import lookup
from .models import Blueprint
from .problems import Problem, did_you_mean
from .rendering import vector_indices

__all__ = ["check_settings"]

_PATTERN_LISTS = ("include", "exclude", "first")


def check_settings(
    blueprint: Blueprint, merged: Blueprint, library: Mapping[str, Blueprint]
) -> list[Problem]:
    """Problems of the ``settings:`` written in `blueprint` (`merged`: with
    its bases), at their lines."""
    settings = blueprint.settings
    if settings is None:
        return []
    origin = blueprint.origin
    problems: list[Problem] = []
    if settings.discovered != "none" and merged.pvi is None:
        message = (
            f"discovered: {settings.discovered} needs the blueprint's pvi: (without "
            "it no signal is discovered)"
        )
        problems.append(origin.problem(message, "settings", "discovered"))
    paths = declared_paths(merged, library)
    if paths is None:
        return problems
    for key in _PATTERN_LISTS:
        patterns: list[str] = getattr(settings, key)
        for index, pattern in enumerate(patterns):
            if any(fnmatchcase(path, pattern) for path in paths):
                continue
            message = f"{pattern!r} matches no signal of {blueprint.name}"
            problems.append(
                origin.problem(
                    message,
                    "settings",
                    key,
                    index,
                    suggestion=did_you_mean(pattern, paths),
                )
            )
    return problems


def declared_paths(
    device: Blueprint,
    library: Mapping[str, Blueprint],
    within: tuple[str, ...] = (),
) -> list[str] | None:
    """Every signal path of `device` (``cam.gain``, ``seq.1.table``: children
    and vector items by name and index); None if part of its tree is found
    only when it connects (``pvi:``, ``tango:``) or is not a known blueprint."""
    if device.pvi is not None:
        return None
    paths = list(device.signals)
    for name, child in device.children.items():
        kind = child.blueprint
        if kind is None or kind in within:
            return None
        found = lookup(library, kind, [])  # unknown or broken: said where checked
        if found is None:
            return None
        below = declared_paths(found, library, (*within, kind))
        if below is None:
            return None
        items = (
            [f"{name}.{i}" for i in vector_indices(child)]
            if child.vector is not None
            else [name]
        )
        paths += [f"{item}.{path}" for item in items for path in below]
    return paths
