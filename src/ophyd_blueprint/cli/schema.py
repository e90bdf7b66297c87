"""``blueprint schema --write DIR | --check DIR``: the JSON Schemas for editors."""

from __future__ import annotations

import argparse
from pathlib import Path

from .command import Subparsers

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``schema`` to the command line."""
    parser = subparsers.add_parser(
        "schema",
        help="write or check the JSON Schemas of blueprint and beamline files",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="DIR", help="write them here")
    action.add_argument(
        "--check", type=Path, metavar="DIR", help="exit 1 if those here are stale"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write or check the schemas; return the exit code."""
    from ophyd_blueprint.blueprint import stale_schemas, write_schemas

    if args.write is not None:
        for path in write_schemas(args.write):
            print(f"wrote {path}")
        return 0
    stale = stale_schemas(args.check)
    for path in stale:
        print(f"{path} is stale; run: blueprint schema --write {args.check}")
    return 1 if stale else 0
