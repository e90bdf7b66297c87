"""The demo's scans as one PNG (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MATPLOTLIB_MISSING", "Scan", "have_matplotlib", "plot_scans"]

MATPLOTLIB_MISSING = (
    "matplotlib is not installed, so the demo saves no plot; "
    "install it with: pip install matplotlib  (or the project's [dev] extra)"
)

Scan = tuple[str, str, str, Sequence[Mapping[str, Any]]]
"""(title, x data key, y data key, event data of each point)."""


def have_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def plot_scans(scans: Sequence[Scan], path: Path) -> Path:
    """One panel per scan, y against x, saved as PNG at `path`; returns it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(
        1, len(scans), figsize=(4.5 * len(scans), 3.8), squeeze=False
    )
    for ax, (title, x, y, points) in zip(axes[0], scans, strict=True):
        ax.plot([p[x] for p in points], [p[y] for p in points], "o-")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(alpha=0.3)
    # suptitle() and savefig() take **kwargs that matplotlib leaves untyped
    untyped: Any = figure
    untyped.suptitle("ophyd-blueprint demo: a YAML beamline scanned by bluesky")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    untyped.savefig(path, format="png", dpi=100)
    pyplot.close(figure)
    return path
