"""A trigger that writes a fixed value, e.g. 1 to a motor record's ``.STOP``."""

from __future__ import annotations

from typing import Any

from bluesky.protocols import Reading
from event_model.documents.event_descriptor import DataKey

from ophyd_blueprint.core import ReadingCallback, SignalBackend

__all__ = ["TriggerWithValue"]


class TriggerWithValue(SignalBackend[None]):
    """Triggering puts `value` through `inner`; there is nothing to read."""

    __slots__ = ("inner", "value")

    def __init__(self, inner: SignalBackend[Any], value: Any) -> None:
        super().__init__(None)
        self.inner = inner
        self.value = value

    def source(self, name: str, read: bool) -> str:
        return self.inner.source(name, read)

    async def connect(self, timeout: float) -> None:
        await self.inner.connect(timeout)

    async def put(self, value: None, wait: bool) -> None:
        await self.inner.put(self.value, wait)

    async def get_datakey(self, source: str) -> DataKey:
        raise TypeError(f"{source} is a trigger: it has no value to describe")

    async def get_reading(self) -> Reading[None]:
        raise TypeError(f"{self.source('', True)} is a trigger: it has no reading")

    async def get_value(self) -> None:
        raise TypeError(f"{self.source('', True)} is a trigger: it has no value")

    async def get_setpoint(self) -> None:
        return None

    def set_callback(self, callback: ReadingCallback[None] | None) -> None:
        raise TypeError(f"{self.source('', True)} is a trigger: it cannot be monitored")
