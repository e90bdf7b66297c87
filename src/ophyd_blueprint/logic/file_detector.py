"""``detector.FileDetector``: bluesky's detector verbs, from three composed parts.

A device whose blueprint lists a `Triggering`, an `Arming` and a `Writer`
logic beside this one is a file-writing detector: `Triggerable` (step scans,
one frame per trigger), `Preparable` and `Flyable` (fly scans), and
`WritesStreamAssets` (StreamResource / StreamDatum documents pointing into its
files). One file per stage, i.e. per run; `complete` reports frames written of
frames expected and fails, naming the detector and both counts, when no frame
arrives in time, or as soon as an acquisition that ended short has all its
frames in the file (when the writer can tell: `Writer.frames_in_all`).

A device that is a trigger source too (a PandA) lists trigger-source parts
(`TriggerSource`) beside them: `prepare` takes a `TriggerInfo` to the
detector's parts and anything else (a scanspec path, position-compare
settings, a table) to the trigger source that accepts it; `kickoff` arms the
capture (if prepared) before starting the source, `complete` waits for both
and `stop` stops both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from bluesky.protocols import StreamAsset
from event_model.documents.event_descriptor import DataKey

from ophyd_blueprint.core import (
    AsyncStatus,
    StandardReadable,
    TriggerInfo,
    WatchableAsyncStatus,
    WatcherUpdate,
    observe_value,
    wait_for_value,
)

from .base import Logic
from .detector_parts import Arming, DetectorError, Triggering, Writer
from .trigger_source import TriggerSource, source_for, trigger_sources

__all__ = ["FileDetector"]

PartT = TypeVar("PartT", bound=Logic)
STEP = TriggerInfo(number_of_events=1)
"""What a step scan's `trigger` prepares: one internal frame per trigger."""


class FileDetector(Logic):
    """Stage, trigger, prepare, kickoff, complete and collect a file-writing detector.

    ``with:`` `data_dir` (where files go; a beamline's ``defaults.data_dir``
    gives it to every detector), `exposure_timeout` (seconds a frame may be
    late before the scan fails, default 10).
    """

    exposes = (
        "stage",
        "unstage",
        "trigger",
        "prepare",
        "kickoff",
        "complete",
        "stop",
        "describe",
        "describe_collect",
        "collect_asset_docs",
        "get_index",
        "get_deadtime",
    )
    params = {"data_dir": str, "exposure_timeout": float}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._info: TriggerInfo | None = None
        self._run_frames = 0
        """Frames of the run, as first prepared (a resumed run asks for the rest)."""
        self._start = 0
        self._kicked = False
        self._acquisition: AsyncStatus | None = None
        self._arming_kickoff: AsyncStatus | None = None
        """The last kickoff that armed: `_acquisition` is its, once it is done."""
        self._last_index = 0
        self._source: TriggerSource | None = None
        self._source_kicked = False
        self._completing: WatchableAsyncStatus[int] | None = None

    # -- the parts -----------------------------------------------------------

    def _part(self, kind: type[PartT]) -> PartT:
        found = [
            logic
            for logic in getattr(self.device, "logic", [])
            if isinstance(logic, kind)
        ]
        if len(found) != 1:
            raise DetectorError(
                f"{self.device.name}: detector.FileDetector needs exactly one "
                f"{kind.__name__} logic beside it in the blueprint, found "
                f"{len(found)}"
            )
        return found[0]

    @property
    def triggering(self) -> Triggering:
        return self._part(Triggering)

    @property
    def arming(self) -> Arming:
        return self._part(Arming)

    @property
    def writer(self) -> Writer:
        return self._part(Writer)

    @property
    def name(self) -> str:
        return self.device.name

    def _data_dir(self) -> Path:
        data_dir = self.config.get("data_dir")
        if not data_dir:
            raise DetectorError(
                f"{self.name} has no data directory: set defaults.data_dir in the "
                "beamline file (or data_dir in the detector logic's with:)"
            )
        return Path(str(data_dir))

    def _exposure_timeout(self, info: TriggerInfo) -> float:
        if info.exposure_timeout is not None:
            return info.exposure_timeout
        return float(self.config.get("exposure_timeout", 10.0))

    # -- stage / unstage -----------------------------------------------------

    def stage(self) -> AsyncStatus:
        """Stop anything running and open the run's new file.

        Done before the run starts, so a data directory the IOC cannot write
        stops the scan before any document is emitted.
        """
        return AsyncStatus(self._stage(), name=self.name)

    async def _stage(self) -> None:
        self._info = None
        self._kicked = False
        self._source, self._source_kicked = None, False
        await self.arming.disarm()
        await self.writer.open(self.name, self._data_dir())
        if isinstance(self.device, StandardReadable):
            await StandardReadable.stage(self.device)

    def unstage(self) -> AsyncStatus:
        """Stop acquiring and close the file, whatever happened before."""
        return AsyncStatus(self._unstage(), name=self.name)

    async def _unstage(self) -> None:
        self._info = None
        self._kicked = False
        self._source, self._source_kicked = None, False
        results = await asyncio.gather(
            self.arming.disarm(),
            self.writer.close(),
            *(part.halt() for part in trigger_sources(self.device)),
            return_exceptions=True,
        )
        if isinstance(self.device, StandardReadable):
            await StandardReadable.unstage(self.device)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    # -- prepare / kickoff / complete ----------------------------------------

    def prepare(self, value: Any) -> AsyncStatus:
        """Set the detector up for a `TriggerInfo` and open the run's file if
        not open; anything else prepares the trigger source that takes it."""
        if isinstance(value, TriggerInfo):
            return AsyncStatus(self._prepare(value), name=self.name)
        return AsyncStatus(self._prepare_source(value), name=self.name)

    async def _prepare_source(self, value: Any) -> None:
        source = source_for(self.device, value)
        self._source, self._source_kicked = None, False
        await source.prepare_source(value)
        self._source = source

    async def _prepare(self, info: TriggerInfo) -> None:
        if self._acquisition is not None and not self._acquisition.done:
            await self.arming.disarm()
        writer = self.writer
        if not writer.is_open:
            await writer.open(self.name, self._data_dir())
        elif self._info is not None:  # the rest of the run: a resumed scan
            first = self._run_frames - info.number_of_events
            await writer.resume(self.name, self._data_dir(), first)
        else:
            self._run_frames = info.number_of_events
        await self.triggering.prepare_trigger(info)
        self._start = await writer.frames_written.get_value()
        self._info = info

    def kickoff(self) -> AsyncStatus:
        """Start acquiring the prepared frames, then the prepared trigger
        source; done once both run. Kicked off again (as detector and as
        trigger of one scan), it starts only what is not running yet."""
        arm = self._info is not None and not self._kicked
        source = self._source if not self._source_kicked else None
        if self._info is None and self._source is None:
            raise DetectorError(f"{self.name}: kickoff before prepare")
        if arm or source is not None:
            self._completing = None
        self._kicked |= arm
        self._source_kicked |= source is not None
        status = AsyncStatus(self._kickoff(arm, source), name=self.name)
        if arm:
            self._arming_kickoff = status
        return status

    async def _kickoff(self, arm: bool, source: TriggerSource | None) -> None:
        if arm:
            self._acquisition = await self.arming.arm()
        if source is not None:
            await source.start()

    def complete(self) -> WatchableAsyncStatus[int]:
        """Done when every prepared frame is written and the trigger source
        has finished; reports frames written. Asked again for the same
        kickoff (as detector and as trigger), it gives the same status."""
        info = self._info
        source = self._source if self._source_kicked else None
        if (info is None or not self._kicked) and source is None:
            if self._completing is not None:
                return self._completing
            raise DetectorError(f"{self.name}: complete before kickoff")
        if info is not None and self._kicked:
            self._kicked = False
        else:
            info = None
        self._source_kicked = False
        self._completing = WatchableAsyncStatus(
            self._progress(info, source, self._arming_kickoff), name=self.name
        )
        return self._completing

    async def _progress(
        self,
        info: TriggerInfo | None,
        source: TriggerSource | None,
        armed: AsyncStatus | None,
    ) -> AsyncIterator[WatcherUpdate[int]]:
        finished = None if source is None else asyncio.ensure_future(source.finished())
        try:
            if info is not None:
                async for update in self._captured(info, armed):
                    yield update
            if finished is not None:
                await finished
        finally:
            if finished is not None and not finished.done():
                finished.cancel()

    async def _captured(
        self, info: TriggerInfo, armed: AsyncStatus | None
    ) -> AsyncIterator[WatcherUpdate[int]]:
        target = info.number_of_events
        written = 0
        async for written in self._frames(info, target, armed):
            yield WatcherUpdate(
                current=written,
                initial=0,
                target=target,
                name=self.name,
                unit="frames",
                fraction=written / target if target else None,
            )
        await self._acquisition_over(info, written, target)

    async def _frames(
        self, info: TriggerInfo, target: int, armed: AsyncStatus | None
    ) -> AsyncIterator[int]:
        """Frames written since prepare, each time it grows, until `target`,
        or until all an acquisition that ended short took are written (then
        a `DetectorError` saying so, without waiting out the timeout)."""
        frame_time = self.triggering.frame_time(info) or 0.0
        wait = frame_time + self._exposure_timeout(info)
        counter = self.writer.frames_written
        ended = AsyncStatus(self._frames_in_all(armed), name=self.name)
        goal: int | None = None
        written = 0
        try:
            async for value in observe_value(counter, timeout=wait, done_status=ended):
                written = self._written(value)
                yield written
                if target and written >= target:
                    return
            in_all: int | None = ended.task.result()
            goal = target
            if in_all is not None:
                goal = min(target, max(0, in_all - self._start))
            if written < goal:
                async for value in observe_value(counter, timeout=wait):
                    written = self._written(value)
                    yield written
                    if written >= goal:
                        break
        except TimeoutError:
            raise DetectorError(
                f"{self.name}: {written} of {target} frames written; no new frame "
                f"within {wait:g} s ({await self.arming.state()}; frames counted "
                f"by {counter.source})"
            ) from None
        finally:
            ended.cancel()
        if written < target:
            raise DetectorError(
                f"{self.name}: {written} of {target} frames written; the "
                f"acquisition ended after {goal} ({await self.arming.state()}; "
                f"frames counted by {counter.source})"
            )

    def _written(self, value: int) -> int:
        """Frames written since prepare, from the file's count `value`."""
        self._last_index = self.writer.frames_before + value
        return value - self._start

    async def _frames_in_all(self, armed: AsyncStatus | None) -> int | None:
        """Once the acquisition the kickoff `armed` started has ended, the
        frames its file will hold, as far as the writer can tell; None when it
        cannot, when nothing was armed or when it failed (the frames then get
        their timeout). A kickoff not waited for may still be arming."""
        if armed is None:
            return None
        await asyncio.wait([armed.task])  # cancelled, this leaves it be
        acquisition = self._acquisition
        if armed.exception() is not None or acquisition is None:
            return None
        await asyncio.wait([acquisition.task])  # cancelled, this leaves it be
        if acquisition.exception() is not None:
            return None
        try:
            return await self.writer.frames_in_all()
        except Exception:  # a server that stops answering: the timeout says it
            return None

    async def _acquisition_over(
        self, info: TriggerInfo, written: int, target: int
    ) -> None:
        acquisition = self._acquisition
        if acquisition is None:
            return
        wait = (self.triggering.frame_time(info) or 0.0) + self._exposure_timeout(info)
        try:
            await acquisition.wait(wait)
        except TimeoutError:
            raise DetectorError(
                f"{self.name}: all {written} of {target} frames written, but the "
                f"acquisition did not end within {wait:g} s "
                f"({await self.arming.state()})"
            ) from None

    def stop(self, success: bool = False) -> AsyncStatus:
        """Stop the trigger sources and the acquisition now; a `complete` in
        progress ends (failed).

        The run's file stays open: what was written is still collected, and a
        new `prepare` and `kickoff` add frames to it (a paused fly scan resumed).
        """
        return AsyncStatus(self._stop(), name=self.name)

    async def _stop(self) -> None:
        self._kicked = self._source_kicked = False
        completing, self._completing = self._completing, None
        if completing is not None and not completing.done:
            completing.cancel()
        # the trigger sources before the capture: disarmed while its own
        # trigger still ran, it would miss an edge the detectors it triggers
        # took, and a paused scan resumed from its count would give them that
        # frame twice
        results = await asyncio.gather(
            *(part.halt() for part in trigger_sources(self.device)),
            return_exceptions=True,
        )
        results += await asyncio.gather(self.arming.disarm(), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    # -- step scans ------------------------------------------------------------

    def trigger(self) -> AsyncStatus:
        """Take one frame into the run's file; done when it is written."""
        return AsyncStatus(self._trigger(), name=self.name)

    async def _trigger(self) -> None:
        if self._info != STEP:
            await self._prepare(STEP)
        counter = self.writer.frames_written
        before = await counter.get_value()
        started = time.monotonic()
        acquisition = await self.arming.arm()
        wait = (self.triggering.frame_time(STEP) or 0.0) + self._exposure_timeout(STEP)
        try:
            await acquisition.wait(wait)
            left = max(0.0, wait - (time.monotonic() - started))
            await wait_for_value(counter, lambda n: n > before, left + 1.0)
        except TimeoutError:
            raise DetectorError(
                f"{self.name}: the frame was not written within {wait:g} s "
                f"({await self.arming.state()}; {counter.source} is "
                f"{await counter.get_value()}, was {before})"
            ) from None

    # -- documents -------------------------------------------------------------

    async def describe(self) -> dict[str, DataKey]:
        """The device's read signals and its files' data keys."""
        own: dict[str, DataKey] = {}
        if isinstance(self.device, StandardReadable):
            own = await StandardReadable.describe(self.device)
        return {**own, **await self.writer.datakeys(self.name)}

    async def describe_collect(self) -> dict[str, DataKey]:
        return await self.writer.datakeys(self.name)

    async def collect_asset_docs(
        self, index: int | None = None
    ) -> AsyncIterator[StreamAsset]:
        """StreamResource (once per file) and StreamDatum up to `index` frames."""
        frames = index if index is not None else await self.get_index()
        async for doc in self.writer.collect_stream_docs(self.name, frames):
            yield doc

    def get_deadtime(self, livetime: float) -> float:
        """The shortest time between frames of `livetime` seconds (readout)."""
        return self.triggering.deadtime(livetime)

    async def get_index(self) -> int:
        """Frames in the run's files so far (the last count seen, if the IOC is gone).

        After a failure the plan can still collect what was written before it.
        """
        try:
            written = await asyncio.wait_for(
                self.writer.frames_written.get_value(), 1.0
            )
        except Exception:
            return self._last_index
        self._last_index = self.writer.frames_before + written
        return self._last_index

    def use_mock(self) -> None:
        """A mock detector writes nothing: its verbs need a real (or simulated) IOC."""
