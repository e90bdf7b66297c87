"""Resolve ``extends``: a blueprint with everything inherited merged in."""

from __future__ import annotations

from collections.abc import Mapping

from .models import Blueprint, LogicEntry
from .problems import BlueprintError, Problem

__all__ = ["extends_chain", "lookup", "resolve_extends"]


def extends_chain(
    blueprint: Blueprint, library: Mapping[str, Blueprint]
) -> list[Blueprint]:
    """``blueprint`` followed by its bases, nearest first.

    BlueprintError if a base is unknown or the chain comes back on itself.
    """
    chain = [blueprint]
    while (base_name := chain[-1].extends) is not None:
        current = chain[-1]
        if base_name in {b.name for b in chain}:
            names = " -> ".join([*(b.name for b in chain), base_name])
            message = f"extends cycle: {names}"
            raise BlueprintError([blueprint.origin.problem(message, "extends")])
        if base_name not in library:
            message = f"unknown blueprint {base_name!r}"
            raise BlueprintError([current.origin.problem(message, "extends")])
        chain.append(library[base_name])
    return chain


def resolve_extends(
    blueprint: Blueprint, library: Mapping[str, Blueprint]
) -> Blueprint:
    """``blueprint`` with its bases merged in and ``extends`` cleared.

    ``params``, ``signals`` and ``children`` are merged by key, the derived
    entry replacing the base entry whole; ``logic`` entries replace the base
    entry with the same ``use`` and are otherwise appended; ``doc``, ``pvi``
    and ``settings`` are the nearest ones given. Each entry keeps the origin
    of the file it came from.
    """
    chain = extends_chain(blueprint, library)
    if len(chain) == 1:
        return blueprint
    bases = list(reversed(chain))
    logic: dict[str, LogicEntry] = {}
    for b in bases:
        logic.update((entry.use, entry) for entry in b.logic)
    return blueprint.model_copy(
        update={
            "extends": None,
            "doc": next((b.doc for b in chain if b.doc is not None), None),
            "pvi": next((b.pvi for b in chain if b.pvi is not None), None),
            "settings": next(
                (b.settings for b in chain if b.settings is not None), None
            ),
            "params": {k: v for b in bases for k, v in b.params.items()},
            "signals": {k: v for b in bases for k, v in b.signals.items()},
            "children": {k: v for b in bases for k, v in b.children.items()},
            "logic": list(logic.values()),
        }
    )


def lookup(
    library: Mapping[str, Blueprint], name: str, problems: list[Problem]
) -> Blueprint | None:
    """``library[name]`` with ``extends`` resolved, or None; load problems kept."""
    if name not in library:
        return None
    try:
        return resolve_extends(library[name], library)
    except BlueprintError as error:
        problems += error.problems
    return None
