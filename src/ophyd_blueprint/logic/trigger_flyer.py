"""``trigger.Flyer``: bluesky's fly verbs for a device that only triggers.

A device whose blueprint lists trigger-source parts (`TriggerSource`) and
this logic is `Preparable` and `Flyable`: `prepare(value)` goes to the part
that accepts `value`, `kickoff` starts it, `complete` waits for it and `stop`
(and unstage) stops every part. A device that is also a detector composes its
parts with ``detector.FileDetector`` instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ophyd_blueprint.core import AsyncStatus, StandardReadable

from .base import Logic
from .trigger_source import (
    TriggerSource,
    TriggerSourceError,
    source_for,
    trigger_sources,
)

__all__ = ["Flyer"]


class Flyer(Logic):
    """Prepare, kick off, complete and stop the device's trigger sources."""

    exposes = ("prepare", "kickoff", "complete", "stop", "unstage")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepared: TriggerSource | None = None
        self._running: TriggerSource | None = None

    def prepare(self, value: Any) -> AsyncStatus:
        """Have the part that accepts `value` write everything for it."""
        return AsyncStatus(self._prepare(value), name=self.device.name)

    async def _prepare(self, value: Any) -> None:
        source = source_for(self.device, value)
        self._prepared = None
        await source.prepare_source(value)
        self._prepared = source

    def kickoff(self) -> AsyncStatus:
        """Start the prepared part; done once it runs."""
        source = self._prepared
        if source is None:
            raise TriggerSourceError(f"{self.device.name}: kickoff before prepare")
        self._running = source
        return AsyncStatus(source.start(), name=self.device.name)

    def complete(self) -> AsyncStatus:
        """Done when the running part has given every trigger."""
        source = self._running
        if source is None:
            raise TriggerSourceError(f"{self.device.name}: complete before kickoff")
        return AsyncStatus(source.finished(), name=self.device.name)

    def stop(self, success: bool = False) -> AsyncStatus:
        """Stop every trigger source now."""
        return AsyncStatus(self._halt(), name=self.device.name)

    async def _halt(self) -> None:
        self._running = None
        results = await asyncio.gather(
            *(part.halt() for part in trigger_sources(self.device)),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def unstage(self) -> AsyncStatus:
        """Stop every trigger source, whatever ended the scan."""
        return AsyncStatus(self._unstage(), name=self.device.name)

    async def _unstage(self) -> None:
        self._prepared = None
        await self._halt()
        if isinstance(self.device, StandardReadable):
            await StandardReadable.unstage(self.device)
