"""``blueprint connect BEAMLINE``: what is alive, and why the rest is not."""

from __future__ import annotations

import asyncio
from argparse import Namespace
from pathlib import Path

from .command import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "connect", help="connect every device of a beamline file and report"
    )
    parser.add_argument("beamline", type=Path)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--mock", action="store_true", help="connect mocks only")
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    from ophyd_blueprint.beamline import load_beamline
    from ophyd_blueprint.blueprint import BlueprintError

    try:
        beamline = load_beamline(args.beamline, mock=args.mock)
    except BlueprintError as error:
        print(error)
        return 1
    report = asyncio.run(beamline.connect(timeout=args.timeout))
    print(report)
    return 0 if report.ok else 1
