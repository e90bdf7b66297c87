"""What the pause tests share: documents checked as they come, a user who
pauses from another thread, and the run's file read back."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import h5py
import numpy as np
from bluesky.run_engine import RunEngine

from ..runs import Docs


def value(RE: RunEngine, signal: Any) -> Any:
    """The signal's value, read in the RunEngine's loop (also while paused)."""
    return asyncio.run_coroutine_threadsafe(signal.get_value(), RE.loop).result(10)


def resource(docs: Docs, key: str) -> dict[str, Any]:
    """The one stream resource of data key `key` (a detector's name)."""
    [found] = [r for r in docs["stream_resource"] if r["data_key"] == key]
    return found


def indices(docs: Docs, key: str) -> list[tuple[int, int]]:
    """The frame ranges of `key`'s StreamDatum documents, in order."""
    uid = resource(docs, key)["uid"]
    return [
        (d["indices"]["start"], d["indices"]["stop"])
        for d in docs["stream_datum"]
        if d["stream_resource"] == uid
    ]


def file_frames(docs: Docs, key: str = "det") -> tuple[int, np.ndarray[Any, Any]]:
    """Frames in `key`'s file of the run, and their NDArrayUniqueIds."""
    return frames_in(resource(docs, key))


def frames_in(found: dict[str, Any]) -> tuple[int, np.ndarray[Any, Any]]:
    """Frames in a stream resource's file, and their NDArrayUniqueIds."""
    path = found["uri"].removeprefix("file://localhost")
    with h5py.File(path, "r") as f:
        data: Any = f["/entry/data/data"]
        uids: Any = f["/entry/instrument/NDAttributes/NDArrayUniqueId"]
        return int(data.shape[0]), np.asarray(uids)


def resources(docs: Docs, key: str) -> list[dict[str, Any]]:
    """The stream resources of data key `key`, in order."""
    return [r for r in docs["stream_resource"] if r["data_key"] == key]


def assert_every_frame_once(docs: Docs, frames: int, key: str = "det") -> None:
    """`key`'s frames, each once: in each of its stream resources (one file;
    a file more after a pause where it had a frame another detector lacked,
    which stays unreferenced) the StreamDatum indices run from 0 without a
    gap or an overlap, the files hold those frames (the last exactly those),
    each once, and all together they are `frames`."""
    found = resources(docs, key)
    assert found, f"no stream resource for {key}"
    total = 0
    uids: list[np.ndarray[Any, Any]] = []
    for n, each in enumerate(found):
        ranges = [
            (d["indices"]["start"], d["indices"]["stop"])
            for d in docs["stream_datum"]
            if d["stream_resource"] == each["uid"]
        ]
        assert ranges[0][0] == 0
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges)), ranges
        referenced = ranges[-1][1]
        count, in_file = frames_in(each)
        if n == len(found) - 1:
            assert count == referenced, f"{key}: {count} frames in its last file"
        else:
            assert count >= referenced
        total += referenced
        uids.append(in_file[:referenced])
    assert total == frames
    assert np.all(np.diff(np.concatenate(uids)) > 0), "no frame written twice"
