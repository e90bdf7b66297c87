"""Validate a set of blueprint and beamline files, reporting every problem."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .beamline_checks import check_beamline
from .checks import check_blueprint
from .library import referenced_names, yaml_files
from .loader import Document, load_for_checks
from .models import Blueprint
from .problems import Problem
from .recovery import Partial, without_follow_ons
from .roles import LogicRoles
from .schemes import KnownSchemes
from .shipped import with_shipped

__all__ = ["validate_files"]


def validate_files(
    paths: Iterable[str | Path],
    *,
    search_paths: Iterable[str | Path] | None = None,
    known_schemes: KnownSchemes | None = None,
    logic_roles: LogicRoles | None = None,
) -> list[Problem]:
    """Every problem in ``paths``, sorted; files are blueprints or beamlines.

    A directory stands for the ``*.yaml`` files under it (see
    `yaml_files`); a file is checked with the blueprints it uses (extends,
    or has as children or devices), not with unrelated files beside it.
    Blueprints are resolved in ``search_paths`` (default: the directories of
    the blueprint files given) and a beamline in its own ``blueprints``, then
    in the shipped blueprints.
    Logic bindings are checked only when ``logic_roles`` is given. Sources
    may use the schemes of the installed transports and those of
    ``known_schemes``. OSError if a file cannot be read.
    """
    known_schemes = KnownSchemes() if known_schemes is None else known_schemes
    problems: list[Problem] = []
    documents: list[Document] = []
    partials: dict[int, Partial] = {}
    for path in yaml_files(paths):
        document, partial, found = load_for_checks(path)
        problems += found
        if document is not None:
            documents.append(document)
            if partial is not None:
                partials[id(document)] = partial
    blueprints = [d for d in documents if isinstance(d, Blueprint)]
    if search_paths is None:
        search_paths = {Path(b.origin.file).parent for b in blueprints}
    files = [Path(b.origin.file) for b in blueprints]
    library = with_shipped([*search_paths, *files])
    given = {b.name for b in blueprints}
    used = library.used_by(
        [name for b in blueprints for name in referenced_names(b)], problems
    )
    problems += library.problems_of(given | set(used))
    for name in sorted(used.keys() - given):
        blueprint = used[name]
        if blueprint is not None:
            problems += check_blueprint(
                blueprint,
                library,
                known_schemes=known_schemes,
                logic_roles=logic_roles,
            )
    for document in documents:
        if isinstance(document, Blueprint):
            found = check_blueprint(
                document,
                library,
                known_schemes=known_schemes,
                logic_roles=logic_roles,
            )
        else:
            found = check_beamline(
                document, known_schemes=known_schemes, logic_roles=logic_roles
            )
        partial = partials.get(id(document))
        problems += found if partial is None else without_follow_ons(found, partial)
    return sorted(set(problems))
