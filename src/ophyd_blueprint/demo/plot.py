"""The demo's scans as one PNG (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MATPLOTLIB_MISSING", "Image", "Scan", "have_matplotlib", "plot_scans"]

MATPLOTLIB_MISSING = (
    "matplotlib is not installed, so the demo saves no plot; "
    "install it with: pip install matplotlib  (or the project's [dev] extra)"
)

Scan = tuple[str, str, str, Sequence[Mapping[str, Any]]]
"""(title, x data key, y data key, event data of each point)."""

Image = tuple[str, Any]
"""(title, a 2-D array): a detector frame to show beside the scans."""


def have_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def plot_scans(scans: Sequence[Scan], path: Path, image: Image | None = None) -> Path:
    """One panel per scan, y against x, and the image if given; PNG at `path`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    panels = len(scans) + (image is not None)
    figure, axes = pyplot.subplots(
        1, panels, figsize=(4.5 * panels, 3.8), squeeze=False
    )
    for ax, (title, x, y, points) in zip(axes[0], scans, strict=False):
        ax.plot([p[x] for p in points], [p[y] for p in points], "o-")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(alpha=0.3)
    if image is not None:
        title, frame = image
        ax = axes[0][-1]
        shown: Any = ax.imshow(frame, cmap="viridis")
        untyped_figure: Any = figure  # colorbar takes untyped **kwargs
        untyped_figure.colorbar(shown, ax=ax)
        ax.set_title(f"camera frame: {title}", fontsize=8)
    # suptitle() and savefig() take **kwargs that matplotlib leaves untyped
    untyped: Any = figure
    untyped.suptitle("ophyd-blueprint demo: a YAML beamline scanned by bluesky")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    untyped.savefig(path, format="png", dpi=100)
    pyplot.close(figure)
    return path
