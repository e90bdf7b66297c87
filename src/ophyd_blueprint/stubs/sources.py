"""What stubs are made from: one beamline file, or blueprint files.

Files are read and checked by the blueprint layer; every problem is raised
at once as BlueprintError, so the command line reports ``path:line:col``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ophyd_blueprint.blueprint import (
    Beamline,
    Blueprint,
    BlueprintError,
    BlueprintLibrary,
    Problem,
    beamline_library,
    check_beamline,
    check_blueprint,
    load_document,
    resolve_extends,
    with_shipped,
)
from ophyd_blueprint.blueprint.extends import extends_chain
from ophyd_blueprint.logic import logic_roles

__all__ = ["StubSources", "read_sources"]


@dataclass(frozen=True)
class StubSources:
    """Checked blueprints (``extends`` merged in) and where they came from."""

    blueprints: dict[str, Blueprint]
    """Every blueprint the sources use, children's too, sorted by name."""
    files: list[Path]
    """Every file read, the given ones first."""
    beamline: Beamline | None


def read_sources(paths: Sequence[Path]) -> StubSources:
    """Load and check ``paths``: one beamline file, or blueprint files.

    OSError if a file cannot be read; BlueprintError lists every problem.
    """
    problems: list[Problem] = []
    beamlines: list[Beamline] = []
    given: list[Blueprint] = []
    for path in paths:
        try:
            document = load_document(path)
        except BlueprintError as error:
            problems += error.problems
            continue
        if isinstance(document, Beamline):
            beamlines.append(document)
        else:
            given.append(document)
    if beamlines and len(beamlines) + len(given) > 1:
        message = "stubs are made from one beamline file, or from blueprint files"
        problems.append(beamlines[0].origin.problem(message, "beamline"))
    if problems:
        raise BlueprintError(problems)
    roles = logic_roles()
    beamline = beamlines[0] if beamlines else None
    if beamline is not None:
        library = beamline_library(beamline)
        problems += check_beamline(beamline, library=library, logic_roles=roles)
        roots = [d.blueprint for d in beamline.devices.values() if d.blueprint]
    else:
        library = with_shipped([*dict.fromkeys(p.parent for p in paths), *paths])
        used = library.used_by([b.name for b in given], problems)
        problems += library.problems_of(used)
        for blueprint in given:
            problems += check_blueprint(blueprint, library, logic_roles=roles)
        roots = [b.name for b in given]
    if problems:
        raise BlueprintError(problems)
    blueprints = _used(roots, library)
    files = [library.path_of(name) for name in _with_bases(blueprints, library)]
    return StubSources(
        blueprints=dict(sorted(blueprints.items())),
        files=[*paths, *files],
        beamline=beamline,
    )


def _used(roots: list[str], library: BlueprintLibrary) -> dict[str, Blueprint]:
    """``roots`` and every blueprint their children use, extends merged in."""
    found: dict[str, Blueprint] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = resolve_extends(library[name], library)
        pending += [c.blueprint for c in found[name].children.values() if c.blueprint]
    return found


def _with_bases(
    blueprints: dict[str, Blueprint], library: BlueprintLibrary
) -> list[str]:
    names = {b.name for n in blueprints for b in extends_chain(library[n], library)}
    return sorted(names)
