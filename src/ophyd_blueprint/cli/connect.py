"""``blueprint connect BEAMLINE``: what is alive, and why the rest is not."""

from __future__ import annotations

import asyncio
import json
import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING

from .command import Subparsers

if TYPE_CHECKING:
    from ophyd_blueprint.beamline import ConnectionReport, LoadedBeamline

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``connect`` to the command line."""
    parser = subparsers.add_parser(
        "connect",
        help="connect every device of a beamline file and report",
        description="Connect every device of a beamline file at once and report "
        "what is alive, and why the rest is not, by device and by server. "
        "Exit 0 if all connected, 1 if some failed, 2 if the file is bad.",
    )
    parser.add_argument(
        "beamline", type=Path, metavar="FILE", help="the beamline file to connect"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds per device (default: the beamline's defaults.timeout)",
    )
    parser.add_argument(
        "-b",
        "--blueprints",
        action="append",
        type=Path,
        metavar="PATH",
        help="also look for blueprints here (repeatable; after the beamline's "
        "own `blueprints:`)",
    )
    parser.add_argument("--mock", action="store_true", help="connect mocks only")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: the report as an object, for scripts",
    )
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    """Load, connect with a spinner on stderr, print the report; exit code."""
    from rich.console import Console

    from ophyd_blueprint.beamline import load_beamline
    from ophyd_blueprint.blueprint import BlueprintError
    from ophyd_blueprint.builder import BuildError

    try:
        beamline = load_beamline(
            args.beamline, mock=args.mock, blueprints=args.blueprints or ()
        )
    except (OSError, BuildError) as error:
        print(f"blueprint connect: {error}", file=sys.stderr)
        return 2
    except BlueprintError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    status = Console(stderr=True)
    count = len(beamline.devices)
    with status.status(f"connecting {count} devices of {beamline.name} ..."):
        report = asyncio.run(_connect(beamline, args.timeout))
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report)
    return 0 if report.ok else 1


async def _connect(beamline: LoadedBeamline, timeout: float | None) -> ConnectionReport:
    return await beamline.connect(timeout=timeout)
