"""The frames the simulated detector takes: a pattern tests can predict.

Frame ``uid`` (1, 2, 3, ... as areaDetector's ``UniqueId``) of a detector of
``width`` x ``height`` is a ramp over the image shifted by the frame number,
plus a spot whose brightness follows the sample position the detector looked
at (0 when it has none). A test computes the same array and compares it with
what the HDF5 file holds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["DTYPE", "sim_frame", "spot_brightness", "spot_intensity"]

DTYPE = np.uint16
"""areaDetector ``DataType`` UInt16: the only type the simulation produces."""


def spot_intensity(x: float, y: float) -> float:
    """The brightness (0..1000) of the sample at position (x, y).

    Two rings and a gradient, so a fly-scan map of it shows a picture.
    """
    r1 = np.hypot(x - 0.6, y - 0.4)
    r2 = np.hypot(x - 1.4, y - 0.6)
    rings = np.exp(-(((r1 - 0.25) / 0.06) ** 2)) + np.exp(-(((r2 - 0.2) / 0.05) ** 2))
    return float(np.clip(800.0 * rings + 100.0 * x, 0.0, 1000.0))


def sim_frame(
    uid: int, width: int, height: int, position: tuple[float, float] | None = None
) -> npt.NDArray[np.uint16]:
    """Frame `uid` of a `width` x `height` detector looking at `position`."""
    ys, xs = np.indices((height, width), dtype=np.int64)
    ramp = (xs * 3 + ys * 5 + uid * 7) % 1000
    if position is not None:
        cy, cx = height // 2, width // 2
        spot = ((xs - cx) ** 2 + (ys - cy) ** 2) <= 4
        ramp = ramp + spot * round(spot_intensity(*position))
    return ramp.astype(DTYPE)


def spot_brightness(image: npt.NDArray[np.integer], uid: int) -> float:
    """What `spot_intensity` was for frame `uid` taken as `image`: its centre
    pixel less the ramp (how a map is read back from the detector's file)."""
    height, width = image.shape[-2:]
    cy, cx = height // 2, width // 2
    return float(int(image[cy, cx]) - (cx * 3 + cy * 5 + uid * 7) % 1000)
