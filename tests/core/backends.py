"""Backends written the way a user writes one, to test the core against."""

from __future__ import annotations

import asyncio
from typing import Any

from bluesky.protocols import Reading
from event_model.documents.event_descriptor import DataKey

from ophyd_blueprint import NotConnectedError, ReadingCallback, SignalBackend


class NeverConnects(SignalBackend[float]):
    """A source that never answers: connect waits until cancelled."""

    def __init__(self, uri: str) -> None:
        super().__init__(float)
        self.uri = uri

    def source(self, name: str, read: bool) -> str:
        return self.uri

    async def connect(self, timeout: float) -> None:
        await asyncio.Event().wait()

    async def put(self, value: float | None, wait: bool) -> None:
        raise NotImplementedError

    async def get_datakey(self, source: str) -> DataKey:
        raise NotImplementedError

    async def get_reading(self) -> Reading[float]:
        raise NotImplementedError

    async def get_value(self) -> float:
        raise NotImplementedError

    async def get_setpoint(self) -> float:
        raise NotImplementedError

    def set_callback(self, callback: ReadingCallback[float] | None) -> None:
        raise NotImplementedError


class RefusesToConnect(NeverConnects):
    """A source that says at once why it cannot connect."""

    async def connect(self, timeout: float) -> None:
        raise NotConnectedError(f"{self.uri}: refused")


def refused(uri: str) -> Any:
    return RefusesToConnect(uri)


class TwoEnds(NeverConnects):
    """A source with separate read and write ends (an ``_RBV`` pair)."""

    def source(self, name: str, read: bool) -> str:
        return self.uri + ("_RBV" if read else "")
