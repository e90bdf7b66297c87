"""``panda.HDF5Writer``: pandablocks-ioc's DATA block writing a run's HDF5 file.

`open` points ``DATA:HDF_DIRECTORY`` at the run's data directory (checked by
``DATA:DIRECTORY_EXISTS``), names a new file, and starts ``DATA:CAPTURE``
(mode FOREVER). Each captured field with a dataset name is one dataset of the
file, listed by the IOC in ``DATA:DATASETS`` once capture starts (late: the
list is read when it is first needed and waited for if still empty); each
gets its own data key, StreamResource and StreamDatum. ``DATA:NUM_CAPTURED``
counts the frames of the current file.

A paused fly scan arms PCAP again when it resumes, and pandablocks-ioc
stops writing a file whose second arm brings different StartData (it always
does: the arm time differs; "Mismatched StartData"). So `resume` closes the
file and starts the next one: a run has one file per arm, each with its own
StreamResources, whose StreamDatum indices count that file's rows, while the
run's frame count goes on across them (`frames_before`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ophyd_blueprint.core import SignalR, observe_value, wait_for_value

from .base import READABLE, WRITABLE, SettingsRules, role
from .detector_parts import DetectorError, RunFileWriter, counting_from_zero
from .flags import FLAG_DTYPES, flag, is_on
from .run_files import Dataset

if TYPE_CHECKING:
    from bluesky.protocols import StreamAsset
    from event_model.documents.event_descriptor import DataKey

__all__ = ["FINISHED", "PandaHDF5Writer", "capture_finished"]

RW = READABLE & WRITABLE
INT = frozenset({"int"})
STR = frozenset({"str"})
ENUM = frozenset({"enum", "str"})
FINISHED = "Finished capture"
"""How pandablocks-ioc's DATA:STATUS begins once a capture's end reached it."""


def capture_finished(status: object) -> bool:
    """Whether pandablocks-ioc's DATA:STATUS `status` says a capture's end
    reached it."""
    return str(status).startswith(FINISHED)


CHUNK = (1024,)
"""The chunk shape reported for every dataset (one value per frame)."""


class PandaHDF5Writer(RunFileWriter):
    """The DATA block of pandablocks-ioc, one file per run and arm.

    ``with:`` `timeout` (seconds for the IOC to answer, default 10),
    `create_directory` (the IOC's ``CREATE_DIRECTORY``: directory levels it
    may create, default 8 when the role is bound).
    """

    roles = (
        role("hdf_directory", RW, STR, doc="DATA:HDF_DIRECTORY"),
        role("hdf_file_name", RW, STR, doc="DATA:HDF_FILE_NAME"),
        role("directory_exists", READABLE, FLAG_DTYPES, doc="DATA:DIRECTORY_EXISTS"),
        role("num_capture", RW, INT, doc="DATA:NUM_CAPTURE (0: until stopped)"),
        role("num_captured", READABLE, INT, doc="DATA:NUM_CAPTURED: frames written"),
        role("capture", RW, FLAG_DTYPES, doc="DATA:CAPTURE"),
        role("capture_mode", RW, ENUM, doc="DATA:CAPTURE_MODE"),
        role(
            "datasets",
            READABLE,
            frozenset({"table"}),
            doc="DATA:DATASETS, a table of name and dtype",
        ),
        role("create_directory", RW, INT, required=False),
        role(
            "status",
            READABLE,
            STR,
            required=False,
            doc="DATA:STATUS: says when the IOC has had a capture's end",
        ),
        role(
            "num_received",
            READABLE,
            INT,
            required=False,
            doc="DATA:NUM_RECEIVED: frames the IOC got for the current file",
        ),
    )
    params = {"timeout": float, "create_directory": int}
    settings = SettingsRules(never=frozenset({"capture"}))
    directory_role = "hdf_directory"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._capturing = False
        self._datasets: list[str] | None = None

    @property
    def is_open(self) -> bool:
        return self._capturing

    async def open(self, name: str, data_dir: Path) -> None:
        self._datasets = None
        await super().open(name, data_dir)

    async def resume(self, name: str, data_dir: Path, first: int) -> None:
        """Close the file (PCAP armed again would not be written to it) and
        start the run's next at frame `first`: the frames the last one got
        from `first` on (a frame in flight at the pause) are taken again."""
        last = self._files.last
        if not self._capturing or last is None:
            return
        await self.close()
        count = int(await self.frames_written.get_value())
        last.frames = max(0, min(count, first - last.first))
        await self._start_file(name, data_dir, last.first + last.frames)
        await counting_from_zero(name, self.frames_written, self._timeout)

    async def _start_file(self, name: str, data_dir: Path, first: int) -> None:
        if not data_dir.is_absolute():
            raise DetectorError(f"{name}: data_dir {data_dir} is not absolute")
        if "create_directory" in self.bound:
            depth = int(self.config.get("create_directory", 8))
            await self._rw("create_directory").set(depth, timeout=self._timeout)
        directory = self._rw("hdf_directory")
        await directory.set(str(data_dir), timeout=self._timeout)
        exists = self._r("directory_exists")
        try:
            await wait_for_value(exists, lambda v: is_on(exists, v), self._timeout)
        except TimeoutError:
            raise DetectorError(
                f"{name}: the PandA's IOC cannot write to {data_dir}: "
                f"{exists.source} stayed false after {directory.source} was set"
            ) from None
        file_name = f"{name}-{uuid.uuid4().hex[:12]}.h5"
        await self._rw("hdf_file_name").set(file_name, timeout=self._timeout)
        await self._rw("num_capture").set(0, timeout=self._timeout)
        await self._rw("capture_mode").set("FOREVER", timeout=self._timeout)
        capture = self._rw("capture")
        await capture.set(flag(capture, True), timeout=self._timeout)
        self._capturing = True
        self._files.add(data_dir / file_name, first)

    async def frames_in_all(self) -> int | None:
        """Once PCAP is no longer active: the frames the IOC got for the file,
        read when its status says the capture's end reached it (``status``
        and ``num_received`` bound; within `timeout`, else None)."""
        status, received = self.bound.get("status"), self.bound.get("num_received")
        if status is None or received is None:
            return None
        try:
            await wait_for_value(
                cast(SignalR[str], status),
                capture_finished,
                self._timeout,
            )
        except TimeoutError:
            return None
        return int(await cast(SignalR[int], received).get_value(cached=False))

    async def _dataset_names(self, name: str) -> list[str]:
        """The datasets the IOC writes, waited for until it has listed some."""
        if self._datasets is not None:
            return self._datasets
        signal = self._r("datasets")
        names: list[str] = []
        try:
            async for table in observe_value(signal, timeout=self._timeout):
                names = [str(n) for n in getattr(table, "name", [])]
                if names:
                    break
        except TimeoutError:
            raise DetectorError(
                f"{name}: the PandA captures no named dataset ({signal.source} "
                f"stayed empty for {self._timeout:g} s): give the fields to capture "
                "a CAPTURE mode and a DATASET name"
            ) from None
        self._datasets = names
        return names

    def _key(self, name: str, dataset: str) -> str:
        return f"{name}-{dataset}"

    async def datakeys(self, name: str) -> dict[str, DataKey]:
        source = self.bound["datasets"].source
        return {
            self._key(name, dataset): {
                "source": source,
                "shape": [],
                "dtype": "number",
                "dtype_numpy": "<f8",
                "external": "STREAM:",
            }
            for dataset in await self._dataset_names(name)
        }

    async def collect_stream_docs(
        self, name: str, frames: int
    ) -> AsyncIterator[StreamAsset]:
        if not self._files.pending(frames):
            return
        datasets = [
            Dataset(self._key(name, d), {"dataset": f"/{d}", "chunk_shape": CHUNK})
            for d in await self._dataset_names(name)
        ]
        for doc in self._files.stream_docs(frames, datasets):
            yield doc

    async def close(self) -> None:
        """Stop capturing: the IOC closes the file, its frames stay referenced."""
        if not self._capturing:
            return
        self._capturing = False
        capture = self._rw("capture")
        await capture.set(flag(capture, False), timeout=self._timeout)
