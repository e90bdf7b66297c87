"""What the pause tests share: documents checked as they come, a user who
pauses from another thread, and the run's file read back."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

import event_model
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from event_model import DocumentNames


class Docs:
    """Every document of a run, checked against event-model's schemas."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        event_model.schema_validators[DocumentNames(name)].validate(doc)
        self.by_name.setdefault(name, []).append(doc)

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.by_name.get(name, [])


class Pauser:
    """Asks the RunEngine to pause (from another thread, as a user would) once
    the run has collected each of `after` frames (at the next checkpoint if
    `defer`, as a single Ctrl-C does); says when it asked."""

    def __init__(self, RE: RunEngine, *after: int, defer: bool = False) -> None:
        self.RE = RE
        self.after = list(after)
        self.defer = defer
        self.requested: float | None = None

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        if name != "stream_datum" or not self.after:
            return
        if doc["indices"]["stop"] >= self.after[0]:
            self.after.pop(0)
            threading.Thread(target=self._pause, daemon=True).start()

    def _pause(self) -> None:
        self.requested = time.monotonic()
        self.RE.request_pause(defer=self.defer)


def value(RE: RunEngine, signal: Any) -> Any:
    """The signal's value, read in the RunEngine's loop (also while paused)."""
    return asyncio.run_coroutine_threadsafe(signal.get_value(), RE.loop).result(10)


def paused_run(RE: RunEngine, plan: Any, docs: Docs, pauser: Pauser) -> float:
    """Run `plan` until `pauser` pauses it; seconds from the request to paused."""
    with pytest.raises(RunEngineInterrupted):
        RE(plan, [docs, pauser])
    paused = time.monotonic()
    assert RE.state == "paused"
    assert pauser.requested is not None
    return paused - pauser.requested


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
