"""``blueprint diff FILE.yaml URI``: has the device drifted from its frozen file?

Added, removed and changed signals (access, dtype, enum choices). Live PVI
signals have no dtype unless ``--type-live`` fetches their PVs for it: a
signal without dtype matches any, and a note says how many were compared so.
Exit 0 the same, 1 drift, 2 error (the file or the device could not be read).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from .command import Subparsers, add_live_source_options
from .introspect import macros_of

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``diff`` to the command line."""
    parser = subparsers.add_parser(
        "diff",
        help="compare a frozen blueprint with the live device",
        description="Compare FILE (a blueprint written by 'blueprint introspect', "
        "its sub-device blueprints beside it) with URI as it is now. Exit 0 "
        "same, 1 drift, 2 error.",
    )
    parser.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="the frozen blueprint, as 'blueprint introspect' wrote it",
    )
    parser.add_argument(
        "uri",
        metavar="URI",
        help="the live device: pva://PVI-PV, tango://..., or a .pvi.device.yaml file",
    )
    add_live_source_options(
        parser,
        macro_help="PVI files: a value for $(NAME) (repeatable)",
        type_live_help="type live PVI signals (and a PVI file's) from their PVs, "
        "so that their dtypes are compared too",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: the added, removed and changed signals, for CI",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load both sides, print the drift, return the exit code."""
    from ophyd_blueprint.blueprint import (
        BlueprintError,
        BlueprintLibrary,
        load_blueprint,
    )
    from ophyd_blueprint.introspect import (
        IntrospectionError,
        drift,
        introspect,
        signal_facts,
    )

    path: Path = args.file
    try:
        frozen = load_blueprint(path)
        library = BlueprintLibrary([path.parent, path])
        before = signal_facts(frozen, library)
        found = asyncio.run(
            introspect(
                args.uri,
                timeout=args.timeout,
                macros=macros_of(args.macro),
                type_live=args.type_live,
            )
        )
    except (BlueprintError, IntrospectionError, OSError, ValueError, KeyError) as e:
        print(f"blueprint diff: {e}", file=sys.stderr)
        return 2
    result = drift(before, signal_facts(found.root, found.blueprints))
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2))
    else:
        for line in result.lines():
            print(line)
        note = result.note()
        if note is not None:
            print(f"note: {note}")
        if result.same:
            print(f"{path} matches {args.uri}")
    return 0 if result.same else 1
