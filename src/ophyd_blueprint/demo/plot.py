"""The demo's PNGs: its step scans, and its fly scan's map (matplotlib, Agg
backend: no display needed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fly_map import FlyMap

__all__ = [
    "MATPLOTLIB_MISSING",
    "Image",
    "Scan",
    "have_matplotlib",
    "plot_map",
    "plot_scans",
]

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
    return _save(
        figure, path, "ophyd-blueprint demo: a YAML beamline scanned by bluesky"
    )


def plot_map(fly_map: FlyMap, path: Path, title: str) -> Path:
    """The camera's intensity over the captured x and y, PNG at `path`: the
    frames' values interpolated between the points (a triangulation, so any
    path draws), each point marked."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(9.0, 5.2))
    ax: Any = axes  # its methods take **kwargs that matplotlib leaves untyped
    shown: Any = ax.tripcolor(
        fly_map.x, fly_map.y, fly_map.intensity, shading="gouraud", cmap="inferno"
    )
    ax.scatter(fly_map.x, fly_map.y, s=1, c="white", alpha=0.35)
    ax.set_aspect("equal")
    ax.set_xlabel("x, as the PandA captured it (INENC1)")
    ax.set_ylabel("y (INENC2)")
    ax.set_title(title, fontsize=9)
    untyped_figure: Any = figure  # colorbar takes untyped **kwargs
    untyped_figure.colorbar(shown, ax=ax, label="camera intensity at the spot")
    return _save(
        figure, path, "ophyd-blueprint demo: a fly scan's map, read from its files"
    )


def _save(figure: Any, path: Path, title: str) -> Path:
    """Title `figure`, save it as a PNG at `path` and close it."""
    from matplotlib import pyplot

    # suptitle() and savefig() take **kwargs that matplotlib leaves untyped
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100)
    pyplot.close(figure)
    return path
