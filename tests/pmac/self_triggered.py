"""A detector that is its own trigger device, as a PandA is: the simulated
areaDetector (external edges) plus a trigger source that pulses
``cam1:SimTrigger`` of it and of other detectors once per frame of the path.

Prepared with a `TriggerInfo` (its detector part) and with the path (a
``Spec``, or a `FlyPath` to resume at a frame), it fires one edge per frame
from the path's start at the frame duration once kicked off; `stop` stops
firing first, then its acquisition. Every verb the plan sends is counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scanspec.core import Path as ScanPath

from ophyd_blueprint import AsyncStatus, FlyPath, TriggerInfo, path_of


class SelfTriggered:
    """`detector` (a `SimDetectorExternal`), gating itself and `others`."""

    def __init__(self, detector: Any, others: Sequence[Any] = ()) -> None:
        self.detector = detector
        self.outputs = [d.sim_trigger for d in (detector, *others)]
        self.calls: Counter[str] = Counter()
        self.fired = 0
        self._path: FlyPath | None = None
        self._firing: asyncio.Task[None] | None = None
        self._edge: asyncio.Future[None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.detector, name)

    @property
    def name(self) -> str:
        return str(self.detector.name)

    @property
    def parent(self) -> Any:
        return None

    def stage(self) -> Any:
        self.calls["stage"] += 1
        return self.detector.stage()

    def unstage(self) -> Any:
        self.calls["unstage"] += 1
        return self.detector.unstage()

    def prepare(self, value: Any) -> Any:
        if isinstance(value, TriggerInfo):
            self.calls["prepare detector"] += 1
            return self.detector.prepare(value)
        self.calls["prepare path"] += 1
        self._path = path_of(value)
        return AsyncStatus(asyncio.sleep(0), name=self.name)

    def kickoff(self) -> Any:
        self.calls["kickoff"] += 1
        return AsyncStatus(self._kickoff(), name=self.name)

    async def _kickoff(self) -> None:
        path = self._path
        assert path is not None, "prepared with a path"
        await self.detector.kickoff()
        self._firing = asyncio.ensure_future(self._fire(path))

    async def _fire(self, path: FlyPath) -> None:
        """One edge per frame from the path's start, a frame duration apart."""
        period = float(path.spec.duration())
        frames = int(ScanPath(path.spec.calculate()).end_index)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n in range(frames - path.start):
            await asyncio.sleep(max(0.0, start + n * period - loop.time()))
            # an edge reaches every detector or none, as a TTL fan-out does:
            # a stop meanwhile waits for it (`edge_given`)
            self._edge = asyncio.ensure_future(self._edge_to_all())
            await asyncio.shield(self._edge)

    async def _edge_to_all(self) -> None:
        await asyncio.gather(*(output.set(1) for output in self.outputs))
        self.fired += 1

    async def edge_given(self) -> None:
        """Once the edge being given (if any) has reached every detector."""
        if self._edge is not None:
            await asyncio.wait([self._edge])

    def complete(self) -> Any:
        self.calls["complete"] += 1
        return AsyncStatus(self._complete(), name=self.name)

    async def _complete(self) -> None:
        firing = self._firing
        assert firing is not None, "kicked off"
        await asyncio.gather(firing, self.detector.complete())

    def stop(self, success: bool = False) -> Any:
        self.calls["stop"] += 1
        return AsyncStatus(self._stop(), name=self.name)

    async def _stop(self) -> None:
        await self._stop_firing()
        await self.detector.stop()

    async def _stop_firing(self) -> None:
        """Cancel the edges still to come and wait until they have stopped."""
        firing, self._firing = self._firing, None
        if firing is not None:
            firing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await firing
