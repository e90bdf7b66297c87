"""The fly scan's map, read back from the HDF5 files its documents point to.

Each frame is a point: where the PandA captured x and y (its datasets ``x``
and ``y``) and how bright the camera saw the sample there. The simulated
camera's frames are a moving background pattern plus a spot as bright as
the sample under the beam; the intensity is the spot's (its centre pixel
less the pattern, which `sim_frames.spot_brightness` knows), as a real
detector's region of interest less its dark image would be.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ophyd_blueprint.testing.sim_frames import spot_brightness

__all__ = ["FlyMap", "read_fly_map"]

UNIQUE_IDS = "/entry/instrument/NDAttributes/NDArrayUniqueId"
"""Where areaDetector's HDF5 writer keeps each frame's ``UniqueId``."""

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class FlyMap:
    """Intensity over the captured positions, one value per frame."""

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    intensity: npt.NDArray[np.float64]
    files: tuple[Path, ...]

    def brightest(self) -> tuple[float, float, float]:
        """(x, y, intensity) of the brightest frame."""
        n = int(np.argmax(self.intensity))
        return float(self.x[n]), float(self.y[n]), float(self.intensity[n])


def read_fly_map(
    resources: Sequence[Doc], datums: Sequence[Doc], timeout: float = 10.0
) -> FlyMap:
    """The map of a run whose StreamResource documents are `resources`
    (data keys ``panda-x``, ``panda-y`` and ``det``) and StreamDatum
    documents `datums`; each file is waited for (at most `timeout` s) until
    it holds the frames its documents reference."""
    x = _values(resources, datums, "panda-x", timeout)
    y = _values(resources, datums, "panda-y", timeout)
    intensity = _values(resources, datums, "det", timeout)
    if not len(x) == len(y) == len(intensity):
        raise ValueError(
            f"the files hold {len(x)} x, {len(y)} y and {len(intensity)} frames"
        )
    files = tuple(dict.fromkeys(_path(r) for r in resources))
    return FlyMap(x, y, intensity, files)


def _values(
    resources: Sequence[Doc], datums: Sequence[Doc], key: str, timeout: float
) -> npt.NDArray[np.float64]:
    """`key`'s values over its resources in order (one per frame): the
    dataset itself, or a camera frame's spot brightness."""
    parts: list[npt.NDArray[np.float64]] = []
    for resource in (r for r in resources if r["data_key"] == key):
        frames = sum(
            int(d["indices"]["stop"]) - int(d["indices"]["start"])
            for d in datums
            if d["stream_resource"] == resource["uid"]
        )
        dataset = str(resource["parameters"]["dataset"])
        parts.append(_read(_path(resource), dataset, frames, timeout))
    return np.concatenate(parts) if parts else np.zeros(0)


def _read(
    path: Path, dataset: str, frames: int, timeout: float
) -> npt.NDArray[np.float64]:
    """The first `frames` values of `dataset` once the file holds them (the
    IOCs write SWMR and close their files a little after the run ends)."""
    h5py: Any = importlib.import_module("h5py")  # ships no type information
    deadline = time.monotonic() + timeout
    while True:
        try:
            with h5py.File(path, "r", swmr=True) as f:
                data: Any = f[dataset]
                if len(data) >= frames:
                    if data.ndim == 1:
                        return np.asarray(data[:frames], dtype=np.float64)
                    uids: Any = f[UNIQUE_IDS]
                    return np.asarray(
                        [spot_brightness(data[n], int(uids[n])) for n in range(frames)]
                    )
                held = len(data)
        except (OSError, KeyError) as error:
            held = f"not readable yet ({error})"
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{path}: {dataset} holds {held}, not {frames} frames, "
                f"{timeout:g} s after the run"
            )
        time.sleep(0.05)  # polls the file: h5py has no change notification


def _path(resource: Doc) -> Path:
    return Path(str(resource["uri"]).removeprefix("file://localhost"))
