"""Whether a generated module on disk is what the sources give now."""

from __future__ import annotations

import difflib
from pathlib import Path

__all__ = ["stale_diff"]


def stale_diff(path: Path, expected: str) -> str:
    """A unified diff from ``path`` to ``expected``; empty when they agree."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (generated)",
        )
    )
