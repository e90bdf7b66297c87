"""``blueprint serve BEAMLINE``: the beamline in a bluesky-queueserver RE Manager."""

from __future__ import annotations

import signal
import sys
import threading
from argparse import Namespace
from pathlib import Path
from types import FrameType

from .command import Subparsers
from .validate import logic_roles

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    """Add ``serve`` to the command line."""
    parser = subparsers.add_parser(
        "serve",
        help="run a beamline in bluesky-queueserver, documents to Tiled",
        description="Check the beamline file (its problems as `validate` lists "
        "them, exit 1), then start Redis and a bluesky-queueserver RE Manager on "
        "127.0.0.1 whose worker loads the beamline when its environment opens: "
        "devices = the beamline's, plans = bluesky.plans and "
        "ophyd_blueprint.plans. Runs until Ctrl-C, SIGTERM or SIGHUP, then "
        "stops them all.",
    )
    parser.add_argument(
        "beamline", type=Path, metavar="BEAMLINE", help="the beamline file"
    )
    parser.add_argument(
        "--tiled",
        metavar="URL",
        default=None,
        help="send every document to this Tiled server (default: the beamline's "
        "`tiled` key; API key from TILED_API_KEY)",
    )
    parser.add_argument(
        "--port",
        type=int,
        metavar="N",
        default=0,
        help="0MQ control port clients connect to (default: a free one)",
    )
    parser.add_argument(
        "--info-port",
        type=int,
        metavar="N",
        default=0,
        help="0MQ port the console output is published on (default: a free one)",
    )
    parser.add_argument(
        "--redis-port",
        type=int,
        metavar="N",
        default=0,
        help="port of the Redis it starts (default: a free one)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        default=None,
        help="keep the queueserver's files and logs here (default: a temporary "
        "directory, removed at the end)",
    )
    parser.set_defaults(handler=run)


def run(args: Namespace) -> int:
    """Validate, then serve until Ctrl-C or SIGTERM; the exit code."""
    from ophyd_blueprint.blueprint import (
        Beamline,
        BlueprintError,
        load_document,
        validate_files,
    )
    from ophyd_blueprint.builder import BuildError
    from ophyd_blueprint.serve import ServeOptions, serve

    from .named import NotFoundError, files_of

    try:  # a path, or the name of a shipped beamline (`blueprint serve demo`)
        [path] = files_of([args.beamline])
    except NotFoundError as error:
        print(f"blueprint serve: {error}", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"blueprint serve: no such file: {path}", file=sys.stderr)
        return 2
    problems = validate_files([path], logic_roles=logic_roles())
    if problems:
        for problem in problems:
            print(problem)
        return 1
    if not isinstance(load_document(path), Beamline):
        print(
            f"blueprint serve: {path} is a blueprint, not a beamline", file=sys.stderr
        )
        return 2
    options = ServeOptions(
        beamline=path,
        tiled=args.tiled,
        port=args.port,
        info_port=args.info_port,
        redis_port=args.redis_port,
        workdir=args.workdir,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {
        sig: signal.signal(sig, request_stop)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        return serve(options, stop)
    except (OSError, BuildError) as error:
        print(f"blueprint serve: {error}", file=sys.stderr)
        return 1
    except BlueprintError as error:
        for problem in error.problems:
            print(problem)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
