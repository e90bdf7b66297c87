"""``blueprint demo``: embedded servers, the demo beamline, real scans."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from .command import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the demo: an EPICS IOC and a Tango server, a YAML beamline, scans",
    )
    parser.add_argument("--beamline", type=Path, default=None)
    parser.add_argument("--points", type=int, default=11)
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    from ophyd_blueprint.demo import DEMO_BEAMLINE, run_demo

    events = run_demo(args.beamline or DEMO_BEAMLINE, points=args.points)
    return 0 if events else 1
