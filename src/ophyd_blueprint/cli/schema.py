"""``blueprint schema [KIND] [-o DIR | --check DIR]``: the JSON Schemas for editors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .command import Subparsers

__all__ = ["register"]

_KINDS = ("blueprint", "beamline", "settings")


def register(subparsers: Subparsers) -> None:
    """Add ``schema`` to the command line."""
    parser = subparsers.add_parser(
        "schema",
        help="print, write or check the JSON Schemas of blueprint, beamline and "
        "settings files",
        description="With no option, print the JSON Schema of KIND files to "
        "stdout (nothing is written): a logic entry's roles and parameters are "
        "those of the logic classes installed. With -o DIR, write "
        "blueprint.schema.json, beamline.schema.json and settings.schema.json "
        "into DIR (the shipped "
        "ones: -o schemas). "
        "With --check DIR, exit 1 if those in DIR differ from the models.",
    )
    parser.add_argument(
        "kind",
        nargs="?",
        choices=_KINDS,
        metavar="KIND",
        help="blueprint (default), beamline or settings; only when printing",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "-o",
        "--write",
        dest="write",
        type=Path,
        metavar="DIR",
        help="write every schema into DIR",
    )
    action.add_argument(
        "--check", type=Path, metavar="DIR", help="exit 1 if those in DIR are stale"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print, write or check the schemas; return the exit code."""
    from ophyd_blueprint.blueprint import schema_texts, stale_schemas, write_schemas
    from ophyd_blueprint.logic import logic_roles

    logic = logic_roles()  # the registered classes' roles and parameters

    write: Path | None = args.write
    check: Path | None = args.check
    kind: str | None = args.kind
    if kind is not None and (write or check):
        print("blueprint schema: KIND is only for printing", file=sys.stderr)
        return 2
    if write is not None:
        for path in write_schemas(write, logic):
            print(f"wrote {path}")
        return 0
    if check is not None:
        stale = stale_schemas(check, logic)
        for path in stale:
            print(f"{path} is stale; run: blueprint schema -o {check}")
        return 1 if stale else 0
    sys.stdout.write(schema_texts(logic)[f"{kind or 'blueprint'}.schema.json"])
    return 0
