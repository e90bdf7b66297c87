"""What a subcommand module provides to `main`."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Handler", "Subparsers", "add_live_source_options"]

Handler = Callable[[Namespace], int]
"""Runs a parsed subcommand; returns the exit code. Set as ``handler`` default."""


class Subparsers(Protocol):
    """The object ``ArgumentParser.add_subparsers()`` returns."""

    def add_parser(self, name: str, **kwargs: Any) -> ArgumentParser: ...


def add_live_source_options(
    parser: ArgumentParser, *, macro_help: str, type_live_help: str
) -> None:
    """``--timeout``, ``-m/--macro`` and ``--type-live``: how a command that
    reads a live device (or a PVI file) reaches it."""
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for the live device (default: 10)",
    )
    parser.add_argument(
        "-m",
        "--macro",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=macro_help,
    )
    parser.add_argument("--type-live", action="store_true", help=type_live_help)
