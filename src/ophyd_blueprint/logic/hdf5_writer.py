"""``detector.HDF5Writer``: areaDetector's NDFileHDF5 plugin as a stream writer.

`open` points the plugin at a new file in the run's data directory (a unique
name, never an existing file), checks that the IOC can write there
(``FilePathExists_RBV``) before anything is acquired, and starts a Stream
capture (SWMR, lazy open). Frames then count up in ``NumCaptured_RBV``; each
``collect_stream_docs`` gives a StreamResource for the file (once) and a
StreamDatum for the frames written since the last call.

A paused fly scan resumes from the first frame every detector wrote: the file
takes the rest of the run, unless it holds frames from that one on (it
finished a frame in flight that another detector did not); a file cannot
drop them, so `resume` closes it there (its frames beyond are never
referenced) and starts the run's next file, as ``panda.HDF5Writer`` does at
every resume: otherwise the frame would be in the file twice.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ophyd_blueprint.core import AsyncStatus, SignalR, wait_for_value

from .base import READABLE, WRITABLE, SettingsRules, role
from .detector_parts import (
    DetectorError,
    RunFileWriter,
    counting_from_zero,
    retrieved,
)
from .run_files import Dataset

if TYPE_CHECKING:
    from bluesky.protocols import StreamAsset
    from event_model.documents.event_descriptor import DataKey

__all__ = ["DATASET", "HDF5Writer"]

DATASET = "/entry/data/data"
"""Where areaDetector's HDF5 plugin puts frames, by default."""
RW = READABLE & WRITABLE
INT = frozenset({"int"})
BOOL = frozenset({"bool"})
STR = frozenset({"str"})
ENUM = frozenset({"enum", "str"})
NUMPY_OF_DATA_TYPE = {
    "Int8": "|i1",
    "UInt8": "|u1",
    "Int16": "<i2",
    "UInt16": "<u2",
    "Int32": "<i4",
    "UInt32": "<u4",
    "Int64": "<i8",
    "UInt64": "<u8",
    "Float32": "<f4",
    "Float64": "<f8",
}


class HDF5Writer(RunFileWriter):
    """Writes frames with an NDFileHDF5 plugin, in Stream mode, one file per run.

    ``with:`` `dataset` (default ``/entry/data/data``), `create_directory`
    (areaDetector's ``CreateDirectory``: 0 never creates the data directory;
    the default -8 creates up to 8 missing levels), `timeout` (seconds for
    the plugin to answer, default 10).
    """

    roles = (
        role("file_path", RW, STR, doc="FilePath, read via FilePath_RBV"),
        role("file_path_exists", READABLE, BOOL, doc="FilePathExists_RBV"),
        role("file_name", RW, STR),
        role("file_template", RW, STR),
        role("auto_increment", RW, BOOL),
        role("file_write_mode", RW, ENUM),
        role("num_capture", RW, INT),
        role("num_captured", READABLE, INT, doc="frames written"),
        role("capture", RW, BOOL, doc="Capture (busy), read via Capture_RBV"),
        role("create_directory", RW, INT),
        role("lazy_open", RW, BOOL),
        role("swmr_mode", RW, BOOL, required=False),
        role("enable_callbacks", RW, ENUM, required=False),
        role("width", READABLE, INT, doc="frame width: the driver's ArraySizeX"),
        role("height", READABLE, INT, doc="frame height: the driver's ArraySizeY"),
        role("data_type", READABLE, ENUM, required=False, doc="DataType_RBV"),
        role("chunk_frames", RW, INT, required=False, doc="NumFramesChunks"),
        role(
            "wait_for_plugins",
            RW,
            BOOL,
            required=False,
            doc="the driver's WaitForPlugins: set, an acquisition ends once "
            "every frame is in the file",
        ),
    )
    params = {"dataset": str, "create_directory": int, "timeout": float}
    settings = SettingsRules(never=frozenset({"capture"}))
    directory_role = "file_path"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._capture: AsyncStatus | None = None
        self._chunk: tuple[int, ...] = ()

    @property
    def dataset(self) -> str:
        return str(self.config.get("dataset", DATASET))

    @property
    def is_open(self) -> bool:
        return self._capture is not None

    async def resume(self, name: str, data_dir: Path, first: int) -> None:
        """The file takes the frames from `first` on, unless it has some of
        them already: then the run's next file does (see the module)."""
        last = self._files.last
        if self._capture is None or last is None:
            return
        count = int(await self.frames_written.get_value())
        if last.first + count <= first:
            return
        await self.close()
        last.frames = max(0, first - last.first)
        await self._start_file(name, data_dir, first)
        await counting_from_zero(name, self.frames_written, self._timeout)

    async def _start_file(self, name: str, data_dir: Path, first: int) -> None:
        if not data_dir.is_absolute():
            raise DetectorError(f"{name}: data_dir {data_dir} is not absolute")
        depth = int(self.config.get("create_directory", -8))
        await asyncio.gather(
            self._rw("create_directory").set(depth),
            self._rw("file_write_mode").set("Stream"),
            self._rw("auto_increment").set(False),
            self._rw("num_capture").set(0),
            self._rw("lazy_open").set(True),
            self._rw("file_template").set("%s%s.h5"),
            *self._optional_writes(),
        )
        path_record = self._rw("file_path")
        await path_record.set(f"{data_dir}/", timeout=self._timeout)
        if not await self._r("file_path_exists").get_value():
            raise DetectorError(
                f"{name}: the IOC cannot write to {data_dir}: "
                f"{self._r('file_path_exists').source} is false after "
                f"{path_record.backend.source(path_record.name, False)} was set to it"
                + (" (CreateDirectory 0: not created)" if depth == 0 else "")
            )
        stem = f"{name}-{uuid.uuid4().hex[:12]}"
        await self._rw("file_name").set(stem)
        width, height, chunk = await asyncio.gather(
            self._r("width").get_value(),
            self._r("height").get_value(),
            self._optional_value("chunk_frames", 1),
        )
        self._chunk = (max(1, int(chunk)), int(height), int(width))
        capture = self._rw("capture")
        self._capture = capture.set(True, wait=True, timeout=math.inf)
        self._capture.add_callback(retrieved)  # a failure is reported where seen
        try:
            await self._until(capture, True, f"{capture.source} to be 1")
        except BaseException:
            self._capture.cancel()
            self._capture = None
            raise
        self._files.add(data_dir / f"{stem}.h5", first)

    def _optional_writes(self) -> list[AsyncStatus]:
        writes: list[AsyncStatus] = []
        if "swmr_mode" in self.bound:
            writes.append(self._rw("swmr_mode").set(True))
        if "enable_callbacks" in self.bound:
            writes.append(self._rw("enable_callbacks").set("Enable"))
        if "wait_for_plugins" in self.bound:
            writes.append(self._rw("wait_for_plugins").set(True))
        return writes

    async def frames_in_all(self) -> int | None:
        """Once the acquisition has ended: the frames in the file, when the
        driver waits for its plugins (``wait_for_plugins`` bound and set):
        its acquisition then ends only once the plugin has written them."""
        if "wait_for_plugins" not in self.bound:
            return None
        if not await self._rw("wait_for_plugins").get_value():
            return None
        # asked afresh: the count's monitor may not have caught up yet
        return int(await self.frames_written.get_value(cached=False))

    async def _optional_value(self, name: str, default: Any) -> Any:
        signal = self.bound.get(name)
        if signal is None:
            return default
        return await cast(SignalR[Any], signal).get_value()

    async def _until(self, signal: SignalR[Any], value: Any, what: str) -> None:
        """Wait for `signal` to read `value`, failing at once if the capture fails."""
        capture = self._capture
        waiting = asyncio.ensure_future(wait_for_value(signal, value, None))
        tasks = [waiting] if capture is None else [waiting, capture.task]
        try:
            finished, _ = await asyncio.wait(
                tasks, timeout=self._timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiting.cancel()
        if waiting in finished:
            waiting.result()
            return
        if capture is not None and capture.done:
            error = capture.exception()
            raise DetectorError(
                f"{self.device.name}: the file plugin stopped capturing "
                f"({self.bound['capture'].source}): {error or 'capture ended'}"
            )
        raise DetectorError(
            f"{self.device.name}: waited {self._timeout:g} s for {what}; "
            "the file plugin did not answer"
        )

    async def datakeys(self, name: str) -> dict[str, DataKey]:
        width, height, data_type = await asyncio.gather(
            self._r("width").get_value(),
            self._r("height").get_value(),
            self._optional_value("data_type", "UInt16"),
        )
        key: DataKey = {
            "source": self.bound["file_path"].source,
            "shape": [int(height), int(width)],
            "dtype": "array",
            "dtype_numpy": NUMPY_OF_DATA_TYPE.get(str(data_type), "<u2"),
            "external": "STREAM:",
        }
        return {name: key}

    async def collect_stream_docs(
        self, name: str, frames: int
    ) -> AsyncIterator[StreamAsset]:
        dataset = Dataset(name, {"dataset": self.dataset, "chunk_shape": self._chunk})
        for doc in self._files.stream_docs(frames, [dataset]):
            yield doc

    async def close(self) -> None:
        capture = self._capture
        self._capture = None  # the file stays known: its frames can still be collected
        if capture is None:
            return
        if not capture.done:
            await self._rw("capture").set(False, timeout=self._timeout)
            await capture.wait(self._timeout)
