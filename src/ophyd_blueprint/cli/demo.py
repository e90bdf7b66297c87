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
    parser.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="PNG",
        help="where to save the plot of the scans (default: in the temp directory)",
    )
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    from ophyd_blueprint.demo import DEMO_BEAMLINE, DEMO_PLOT, run_demo

    events = run_demo(
        args.beamline or DEMO_BEAMLINE,
        points=args.points,
        plot=args.plot or DEMO_PLOT,
    )
    return 0 if events else 1
