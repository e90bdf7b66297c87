"""What the coupled tests check: documents valid as they come, the files the
IOCs wrote read back, and captured positions inside their frames' windows."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from scanspec.core import Path as ScanPath

from ophyd_blueprint.testing.sim_frames import spot_brightness

from ..runs import Docs

TIMEOUT = 10.0
SLACK = 2e-4
"""Motor units a captured position may lie outside its window: the encoder's
count (1e-4) and its sampling (the simulated PandA samples every 1 ms, the
sequencer's position condition is met within a sample)."""


def resources(docs: Docs, key: str) -> list[dict[str, Any]]:
    """The stream resources of data key `key`, in order."""
    return [r for r in docs["stream_resource"] if r["data_key"] == key]


def ranges(
    docs: Docs, key: str, resource: dict[str, Any] | None = None
) -> list[tuple[int, int]]:
    """The frame ranges of `key`'s StreamDatum documents, in order (those of
    one of its stream resources if `resource` is given)."""
    uids = {r["uid"] for r in resources(docs, key) if resource in (None, r)}
    return [
        (d["indices"]["start"], d["indices"]["stop"])
        for d in docs["stream_datum"]
        if d["stream_resource"] in uids
    ]


def assert_contiguous(docs: Docs, key: str, frames: int) -> None:
    """`key`'s frames, each once: in each of its stream resources (files) the
    StreamDatum indices run from 0 without a gap or an overlap, the events
    they belong to (``seq_nums``) follow on from file to file, and all
    together they are `frames`."""
    total = 0
    seq_nums: list[tuple[int, int]] = []
    for resource in resources(docs, key):
        datums = [
            d for d in docs["stream_datum"] if d["stream_resource"] == resource["uid"]
        ]
        found = [(d["indices"]["start"], d["indices"]["stop"]) for d in datums]
        assert found, f"no StreamDatum for {key} in {resource['uri']}"
        assert found[0][0] == 0, found
        assert all(a[1] == b[0] for a, b in itertools.pairwise(found)), found
        total += found[-1][1]
        seq_nums += [(d["seq_nums"]["start"], d["seq_nums"]["stop"]) for d in datums]
    assert total == frames, f"{key}: {total} frames referenced, not {frames}"
    assert seq_nums[0][0] == 1, seq_nums
    assert all(a[1] == b[0] for a, b in itertools.pairwise(seq_nums)), seq_nums


def read_back(resource: dict[str, Any], dataset: str, rows: int) -> np.ndarray:
    """`dataset` of the resource's file once it holds `rows` values (the
    pandablocks-ioc writes SWMR and closes the file a little later)."""
    path = Path(resource["uri"].removeprefix("file://localhost"))
    deadline = time.monotonic() + TIMEOUT
    found: Any = None
    while True:
        try:
            with h5py.File(path, "r", swmr=True) as f:
                found = np.asarray(f[dataset][()])
            if len(found) >= rows:
                return found
        except (OSError, KeyError):
            found = None
        if time.monotonic() > deadline:
            raise AssertionError(f"{path}: {dataset} is {found} after {TIMEOUT} s")
        time.sleep(0.05)


def panda_positions(docs: Docs, dataset: str) -> np.ndarray:
    """`dataset` (``x``) as the PandA captured it, over every resource of the
    run in order, each resource's rows as its StreamDatum say."""
    key = f"panda-{dataset}"
    parts: list[np.ndarray] = []
    for resource in resources(docs, key):
        rows = [
            d["indices"]["stop"] - d["indices"]["start"]
            for d in docs["stream_datum"]
            if d["stream_resource"] == resource["uid"]
        ]
        name = resource["parameters"].get("dataset", f"/{dataset}")
        parts.append(read_back(resource, name, sum(rows))[: sum(rows)])
    return np.concatenate(parts) if parts else np.zeros(0)


def assert_inside_windows(spec: Any, axis: Any, positions: np.ndarray) -> None:
    """Each captured position lies inside its frame's window on `axis`."""
    frames = ScanPath(spec.calculate()).consume(len(positions))
    lower = np.asarray(frames.lower[axis])
    upper = np.asarray(frames.upper[axis])
    low, high = np.minimum(lower, upper), np.maximum(lower, upper)
    outside = np.flatnonzero((positions < low - SLACK) | (positions > high + SLACK))
    assert not len(outside), (
        f"frames {outside[:5]} captured at {positions[outside[:5]]}, "
        f"outside [{low[outside[:5]]}, {high[outside[:5]]}]"
    )


def detector_brightness(resource: dict[str, Any], frames: int) -> np.ndarray:
    """The spot's brightness in each of the first `frames` frames of the
    simulated detector's file (`resource`)."""
    read_back(resource, "/entry/instrument/NDAttributes/NDArrayUniqueId", frames)
    path = Path(resource["uri"].removeprefix("file://localhost"))
    with h5py.File(path, "r", swmr=True) as f:
        data: Any = f["/entry/data/data"]
        uids: Any = f["/entry/instrument/NDAttributes/NDArrayUniqueId"]
        return np.asarray(
            [spot_brightness(data[n], int(uids[n])) for n in range(frames)]
        )
