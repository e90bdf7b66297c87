"""``blueprint stubs SRC... -o MODULE.py [--check]``: typed modules for IDEs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .command import Subparsers

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``stubs`` to the command line."""
    parser = subparsers.add_parser(
        "stubs",
        help="write a typed Python module for a beamline or blueprints",
        description="Write a typed module: one class per blueprint and, for a "
        "beamline, a typed load(). With --check, write nothing: exit 1 with a "
        "diff if MODULE is stale, 0 if fresh. Exit 2 on errors in the files.",
    )
    parser.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SRC",
        help="one beamline file, or blueprint files (or the name of a shipped "
        "blueprint or beamline)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="MODULE",
        help="the Python module to write (or, with --check, to compare)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if MODULE is not up to date"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate (or check) the module; return the exit code."""
    from ophyd_blueprint.blueprint import BlueprintError
    from ophyd_blueprint.stubs import generate_stubs, stale_diff

    from .named import NotFoundError, files_of

    output: Path = args.output
    try:
        text = generate_stubs(files_of(args.sources), output)
    except NotFoundError as error:
        print(f"blueprint stubs: {error}", file=sys.stderr)
        return 2
    except BlueprintError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"blueprint stubs: {error}", file=sys.stderr)
        return 2
    if args.check:
        diff = stale_diff(output, text)
        if diff:
            print(diff, end="")
            print(f"{output} is stale; run without --check to update it")
            return 1
        print(f"{output} is up to date")
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0
