"""The three parts a file-writing detector is composed of, as interfaces.

A detector blueprint lists one logic of each kind beside ``detector.FileDetector``
(which gives bluesky its verbs): how exposures are started (`Triggering`), how
an acquisition is armed and stopped (`Arming`), and where frames go
(`Writer`). Each part knows only its own signals; the detector combines them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from ophyd_blueprint.core import AsyncStatus, SignalR, TriggerInfo, wait_for_value

from .base import Logic
from .run_files import RunFiles

if TYPE_CHECKING:
    from bluesky.protocols import StreamAsset
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "Arming",
    "DetectorError",
    "RunFileWriter",
    "Triggering",
    "Writer",
    "counting_from_zero",
    "retrieved",
]


def retrieved(status: AsyncStatus) -> None:
    """Mark a finished busy put's error as seen: whoever waits on the
    operation reports it; asyncio would log it again as never retrieved."""
    status.exception()


class DetectorError(RuntimeError):
    """A detector that cannot do what the scan asks, named with the facts."""


async def counting_from_zero(name: str, captured: SignalR[Any], timeout: float) -> None:
    """Wait until a writer that opened a new file counts its frames from 0
    (the file plugin or IOC restarts its count once it captures again)."""
    try:
        await wait_for_value(captured, 0, timeout)
    except TimeoutError:
        raise DetectorError(
            f"{name}: {captured.source} did not start again from 0 within "
            f"{timeout:g} s of a new file"
        ) from None


class Triggering(Logic, ABC):
    """Sets a detector up for a `TriggerInfo`: mode, exposure, period, frames."""

    @abstractmethod
    async def prepare_trigger(self, info: TriggerInfo) -> None:
        """Write the settings for `info`; `DetectorError` if it cannot be done."""

    @abstractmethod
    def frame_time(self, info: TriggerInfo) -> float | None:
        """Seconds one frame is expected to take (None: unknown, e.g. external)."""

    @abstractmethod
    def deadtime(self, livetime: float) -> float:
        """The shortest time between exposures of `livetime` seconds."""


class Arming(Logic, ABC):
    """Starts and stops an acquisition."""

    @abstractmethod
    async def arm(self) -> AsyncStatus:
        """Start acquiring; returns once it runs, with a status done when it ends."""

    @abstractmethod
    async def disarm(self) -> None:
        """Stop acquiring and wait until the detector is idle."""

    @abstractmethod
    async def state(self) -> str:
        """A short account of the detector's state, for errors."""


class Writer(Logic, ABC):
    """Puts frames into files and describes them as stream assets."""

    @abstractmethod
    async def open(self, name: str, data_dir: Path) -> None:
        """Start a new file in `data_dir`, for data keys starting with `name`."""

    @abstractmethod
    async def datakeys(self, name: str) -> dict[str, DataKey]:
        """The data keys of what is written (``external: STREAM:``)."""

    @property
    @abstractmethod
    def frames_written(self) -> SignalR[int]:
        """Counts the frames in the current file."""

    @property
    def frames_before(self) -> int:
        """Frames of the run in files before the current one (see `resume`)."""
        return 0

    async def frames_in_all(self) -> int | None:
        """Once the acquisition has ended: the frames the current file will
        hold when the server has written all it received, or None when the
        writer cannot tell (the default). Told, a detector whose capture ended
        short fails as soon as those are written, not after its exposure
        timeout."""
        return None

    async def resume(self, name: str, data_dir: Path, first: int) -> None:
        """Before the open file takes more frames after a stop (a paused scan
        resumed at the run's frame `first`). A writer whose server cannot add
        frames to a file after a new arm starts the run's next file here, its
        first frame `first`; by default nothing."""

    @abstractmethod
    def collect_stream_docs(self, name: str, frames: int) -> AsyncIterator[StreamAsset]:
        """StreamResource (first time, for each file) and StreamDatum up to
        `frames`, the run's frames so far."""

    @abstractmethod
    async def close(self) -> None:
        """Finish the file (the frames written so far stay referenced)."""

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    def where(self) -> dict[str, Any]:
        """Facts for errors: the file, the directory, the records."""


class RunFileWriter(Writer, ABC):
    """A writer whose server writes the files: it keeps the run's files in
    order (`RunFiles`) and reads the current file's frame count from its
    ``num_captured`` role."""

    directory_role: ClassVar[str]
    """The role the data directory is written to, named in errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._files = RunFiles()

    @property
    def frames_written(self) -> SignalR[int]:
        return cast(SignalR[int], self.bound["num_captured"])

    @property
    def frames_before(self) -> int:
        return self._files.frames_before

    def where(self) -> dict[str, Any]:
        return {
            "file": str(last.path) if (last := self._files.last) else None,
            self.directory_role: self.bound[self.directory_role].source,
            "frames_written": self.frames_written.source,
        }

    async def open(self, name: str, data_dir: Path) -> None:
        self._files.clear()
        await self._start_file(name, data_dir, 0)

    @abstractmethod
    async def _start_file(self, name: str, data_dir: Path, first: int) -> None:
        """Point the server at a new file in `data_dir`, the run's frames from
        `first` on, start capturing, and add the file to ``self._files``."""
