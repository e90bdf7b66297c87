"""What a subcommand module provides to :mod:`.main`."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Handler", "Subparsers"]

Handler = Callable[[Namespace], int]
"""Runs a parsed subcommand; returns the exit code. Set as ``handler`` default."""


class Subparsers(Protocol):
    """The object ``ArgumentParser.add_subparsers()`` returns."""

    def add_parser(self, name: str, **kwargs: Any) -> ArgumentParser: ...
