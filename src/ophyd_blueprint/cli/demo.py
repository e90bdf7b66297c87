"""``blueprint demo``: embedded servers, the demo beamlines, real step and fly scans."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from .command import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the demo: an EPICS IOC and a Tango server, a YAML beamline, "
        "scans; then a fly scan on a simulated PMAC, PandA and camera, and its map",
    )
    parser.add_argument(
        "--beamline",
        type=Path,
        default=None,
        metavar="FILE",
        help="the beamline to scan (default: the shipped beamlines/demo.yaml)",
    )
    parser.add_argument(
        "--points",
        type=int,
        default=11,
        metavar="N",
        help="points of the first scan, x from 0 to 1 (default: 11)",
    )
    parser.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="PNG",
        help="where to save the plot of the scans (default: in the temp directory)",
    )
    parser.add_argument(
        "--map",
        type=Path,
        default=None,
        metavar="PNG",
        help="where to save the fly scan's map, the camera's intensity over x and "
        "y (default: in the temp directory)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="only run the demo servers, until Ctrl-C or SIGTERM (also in the "
        "background); prints the export lines that point CA/PVA clients at "
        "them and DEMO_TANGO_PORT, then '# ready'",
    )
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    from ophyd_blueprint.demo import (
        DEMO_BEAMLINE,
        DEMO_MAP,
        DEMO_PLOT,
        run_demo,
        serve_demo,
    )

    if args.serve:
        serve_demo(out=lambda text: print(text, file=sys.stderr, flush=True))
        return 0
    events = run_demo(
        args.beamline or DEMO_BEAMLINE,
        points=args.points,
        plot=args.plot or DEMO_PLOT,
        fly_map=args.map or DEMO_MAP,
    )
    return 0 if events else 1
