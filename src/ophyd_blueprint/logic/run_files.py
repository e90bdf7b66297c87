"""The HDF5 files of one run, and the stream documents that describe them.

A writer puts a run's frames in one file, or in several when a paused scan
resumes into a new one (see `Writer.resume`). `RunFiles` keeps them in order:
each file's path, the run's frame it starts at, and its frame count once it
was closed early. `RunFiles.stream_docs` gives each file's StreamResources
(once, one per dataset the writer names) and, for the run's frames since the
last call, StreamDatum whose indices count that file's own rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from event_model import (
    ComposeStreamResourceBundle,
    StreamRange,
    compose_stream_resource,
)

if TYPE_CHECKING:
    from bluesky.protocols import StreamAsset

__all__ = ["Dataset", "RunFile", "RunFiles"]


@dataclass(frozen=True)
class Dataset:
    """One dataset of every file: its data key and StreamResource parameters
    (``dataset``, the path in the file; ``chunk_shape``)."""

    data_key: str
    parameters: dict[str, Any]


@dataclass
class RunFile:
    """One file of the run: where, the run's frame it starts at, its frames
    once closed early (None while written), its StreamResources once made."""

    path: Path
    first: int
    frames: int | None = None
    bundles: list[ComposeStreamResourceBundle] = field(
        default_factory=list[ComposeStreamResourceBundle]
    )


class RunFiles:
    """A run's files in order, and how many of its frames were described."""

    def __init__(self) -> None:
        self.files: list[RunFile] = []
        self._described = 0

    def clear(self) -> None:
        """A new run: no files, no frames described."""
        self.files = []
        self._described = 0

    def add(self, path: Path, first: int) -> None:
        """The run's next file, which takes its frames from `first` on."""
        self.files.append(RunFile(path, first))

    @property
    def last(self) -> RunFile | None:
        return self.files[-1] if self.files else None

    @property
    def frames_before(self) -> int:
        """The run's frames in the files before the last one."""
        return self.files[-1].first if self.files else 0

    def pending(self, frames: int) -> bool:
        """Whether the run's first `frames` frames have some not described."""
        return bool(self.files) and frames > self._described

    def stream_docs(
        self, frames: int, datasets: Sequence[Dataset]
    ) -> Iterator[StreamAsset]:
        """StreamResources (each file's first time, one per dataset) and
        StreamDatum for the run's frames up to `frames` not yet described."""
        if not self.pending(frames):
            return
        for file in self.files:
            end = frames if file.frames is None else file.first + file.frames
            start, stop = max(self._described, file.first), min(frames, end)
            if stop <= start:
                continue
            if not file.bundles:
                for dataset in datasets:
                    bundle = compose_stream_resource(
                        mimetype="application/x-hdf5",
                        uri=f"file://localhost{file.path}",
                        data_key=dataset.data_key,
                        parameters=dataset.parameters,
                    )
                    file.bundles.append(bundle)
                    yield "stream_resource", bundle.stream_resource_doc
            indices = StreamRange(start=start - file.first, stop=stop - file.first)
            for bundle in file.bundles:
                datum = bundle.compose_stream_datum(indices=indices, validate=False)
                yield "stream_datum", datum
        self._described = frames
