"""``blueprint validate PATH...``: report every problem in blueprints and beamlines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .command import Subparsers

if TYPE_CHECKING:
    from ophyd_blueprint.blueprint import RoleSpec

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``validate`` to the command line."""
    parser = subparsers.add_parser(
        "validate",
        help="check blueprint and beamline files",
        description="Check blueprint and beamline files and report every problem, "
        "one per line as FILE:LINE:COL: WHERE: WHAT. A folder stands for the "
        "*.yaml files under it (recursively; hidden folders and PVI's "
        "*.pvi.device.yaml files are skipped); a name that is not a path stands "
        "for the file of that blueprint (in -b folders, then shipped) or shipped "
        "beamline. A beamline is checked with the blueprints it uses, found in "
        "its own blueprints folders, then in the shipped ones. Exit 0 if no "
        "problem, 1 if problems, 2 if a path does not exist or cannot be read.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="blueprint or beamline files, or folders of them",
    )
    parser.add_argument(
        "-b",
        "--blueprints",
        action="append",
        type=Path,
        metavar="PATH",
        help="where blueprints are found, before the shipped ones (repeatable; "
        "default: the directories of the blueprint files given)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: a list of {path, line, col, where, message, suggestion}",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate, print the problems, return the exit code."""
    from ophyd_blueprint.blueprint import validate_files, yaml_files

    from .named import NotFoundError, files_of

    search_paths: list[Path] | None = args.blueprints
    for path in search_paths or []:
        if not path.exists():
            return _usage_error(f"no such file or directory: {path}")
    try:
        paths = files_of(args.paths, search_paths or [])
    except NotFoundError as error:
        return _usage_error(str(error))
    files = yaml_files(paths)
    if not files:
        return _usage_error(f"no *.yaml files in {', '.join(map(str, paths))}")
    try:
        problems = validate_files(
            files, search_paths=search_paths, logic_roles=logic_roles()
        )
    except OSError as error:
        return _usage_error(f"cannot read {error.filename}: {error.strerror}")
    if args.format == "json":
        print(json.dumps([problem.as_dict() for problem in problems], indent=2))
    else:
        for problem in problems:
            print(problem)
        if not problems:
            print(f"{len(files)} file(s) OK")
    return 1 if problems else 0


def _usage_error(message: str) -> int:
    print(f"blueprint validate: {message}", file=sys.stderr)
    return 2


def logic_roles() -> Mapping[str, Sequence[RoleSpec]]:
    """Roles of every registered logic class, so bindings are checked too.

    Imported here, not at module level, so that the command line starts fast.
    """
    from ophyd_blueprint.logic import logic_roles as registered

    return registered()
