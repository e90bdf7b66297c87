"""``blueprint``: validate, export schemas, and more.

Each subcommand is a module ``ophyd_blueprint.cli.<name>`` with
``register(subparsers)``; add one by adding its name to ``SUBCOMMANDS``.
Subcommand modules import heavy code inside their handlers, so that
``blueprint validate`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .command import Handler

__all__ = ["SUBCOMMANDS", "main"]

SUBCOMMANDS: tuple[str, ...] = (
    "validate",
    "schema",
    "tree",
    "connect",
    "demo",
    "stubs",
    "introspect",
    "diff",
    "settings",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand registered."""
    from ophyd_blueprint import __version__

    parser = argparse.ArgumentParser(
        prog="blueprint", description="Devices as data for bluesky."
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__package__}.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for usage errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    handler: Handler = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe is handled below
    except BrokenPipeError:
        # the reader went away (`blueprint tree FILE | head`): stop quietly
        _discard_stdout()
        return 1
    return code


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a file (a test's captured stdout)
        pass
