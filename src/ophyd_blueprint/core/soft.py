"""In-process signals: a value, its timestamp and its metadata, no I/O."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypeVar

from .backend import ReadingCallback, SignalBackend
from .errors import NotConnectedError

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["SoftSignalBackend"]

T = TypeVar("T")


class SoftSignalBackend(SignalBackend[T]):
    """Holds a value in this process; puts complete at once.

    With `datatype` None it is a trigger whose puts do nothing. With ``Any``
    (live-typed) it fails to connect: there is no server to take a type from.
    """

    __slots__ = ("_callback", "_precision", "_timestamp", "_units", "_uri", "_value")

    def __init__(
        self,
        datatype: type[T] | None,
        initial_value: T | None = None,
        *,
        uri: str = "",
        units: str | None = None,
        precision: int | None = None,
    ) -> None:
        super().__init__(datatype)
        spec = self.spec
        self._value: Any = (
            None
            if spec is None
            else spec.default()
            if initial_value is None
            else spec.coerce(initial_value)
        )
        self._timestamp = time.time()
        self._callback: ReadingCallback[T] | None = None
        self._uri = uri
        self._units = units
        self._precision = precision

    def source(self, name: str, read: bool) -> str:
        return self._uri or f"soft://{name}"

    def set_units(self, units: str | None) -> None:
        """The units `get_datakey` gives (a blueprint's ``units:``)."""
        self._units = units

    async def connect(self, timeout: float) -> None:
        if self.awaits_type:
            raise NotConnectedError(
                "made without a datatype, and no server gives it one here: "
                "declare its dtype (a soft or mock signal holds a value of a "
                "declared type)",
                source=self.source("", True),
            )

    def put_now(self, value: T | None) -> bool:
        self.set_value(value)
        return True

    async def put(self, value: T | None, wait: bool) -> None:
        self.set_value(value)

    def set_value(self, value: T | None) -> None:
        """Store an already-checked value and tell the monitor."""
        if self.spec is None:
            return
        self._value = value
        self._timestamp = time.time()
        if self._callback is not None:
            self._callback(self.cached_reading())

    def cached_reading(self) -> Reading[T]:
        return {"value": self._value, "timestamp": self._timestamp, "alarm_severity": 0}

    async def get_reading(self) -> Reading[T]:
        return {"value": self._value, "timestamp": self._timestamp, "alarm_severity": 0}

    async def get_value(self) -> T:
        return self._value

    async def get_setpoint(self) -> T:
        return self._value

    async def get_datakey(self, source: str) -> DataKey:
        from .datatypes import make_datakey

        assert self.spec is not None, "a trigger has no datakey"
        return make_datakey(
            self.spec,
            source,
            value=self._value,
            units=self._units,
            precision=self._precision,
        )

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        self._callback = callback
        if callback is not None and self.spec is not None:
            callback(self.cached_reading())
