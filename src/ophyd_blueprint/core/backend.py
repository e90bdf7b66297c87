"""The control-system interface: a `SignalBackend` is all a transport implements.

Eight abstract methods and two optional fast paths (`put_now`,
`cached_reading`): a new control system (Modbus, OPC-UA) is one backend class
plus a URI scheme, and touches no other layer.

What every network transport does alike is decided here once: the reading a
monitor delivers when its source goes away (`disconnected_reading`).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .datatypes import DatatypeSpec, datatype_spec
from .live_type import is_live

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "DISCONNECTED",
    "ReadingCallback",
    "SignalBackend",
    "disconnected_reading",
]

T = TypeVar("T")

ReadingCallback = Callable[["Reading[T]"], None]
"""Called with every new reading of a monitored signal."""

DISCONNECTED = -1
"""`alarm_severity` of the reading a monitor delivers when its source is lost.

bluesky reserves negative severities for "alarm unknown, e.g. disconnected";
the reading keeps the last value and its `message` says what happened.
"""


def disconnected_reading(
    last: Reading[T] | None, spec: DatatypeSpec, source: str, reason: str
) -> Reading[T] | None:
    """The reading a monitor delivers when its source goes away, or None.

    One rule for every transport: once per loss, a monitor delivers one
    reading with `alarm_severity` `DISCONNECTED`, the last value it delivered
    (the datatype's default if it delivered none), the time of the loss, and a
    `message` naming the source and why. `last` is the monitor's last reading:
    when that is already the loss, this returns None and nothing is delivered
    until the source is back (its next reading ends the loss).
    """
    if last is not None and last.get("alarm_severity") == DISCONNECTED:
        return None
    return {
        "value": spec.default() if last is None else last["value"],
        "timestamp": time.time(),
        "alarm_severity": DISCONNECTED,
        "message": f"{source} disconnected: {reason}",
    }


class SignalBackend(ABC, Generic[T]):
    """How a signal talks to one control-system source.

    `datatype` is None for a `SignalX` (nothing to read or write but a trigger),
    and ``Any`` for a live-typed signal: `connect` then asks the server and
    calls `take_datatype` (see `core.live_type`); until then `spec` is None.
    """

    __slots__ = ("datatype", "spec")

    def __init__(self, datatype: type[T] | None) -> None:
        self.datatype = datatype
        self.spec: DatatypeSpec | None = (
            None if datatype is None or is_live(datatype) else datatype_spec(datatype)
        )

    @property
    def is_trigger(self) -> bool:
        """A `SignalX` backend: nothing to read or write."""
        return self.datatype is None

    @property
    def awaits_type(self) -> bool:
        """Live-typed and not connected yet: its datatype is still unknown."""
        return self.spec is None and self.datatype is not None

    def take_datatype(self, datatype: type[T]) -> DatatypeSpec:
        """Become a backend of `datatype`, the server's; its spec.

        Called once by a live-typed backend's `connect`, before it builds its
        converters as for a declared datatype.
        """
        spec = datatype_spec(datatype)
        self.datatype, self.spec = datatype, spec
        return spec

    @abstractmethod
    def source(self, name: str, read: bool) -> str:
        """The URI of the read (or write) end, for describe and errors."""

    @abstractmethod
    async def connect(self, timeout: float) -> None:
        """Connect, check the native type against `datatype`, or raise.

        Raises a `NotConnectedError` holding the source: `NoAnswerError` for
        silence, `DatatypeMismatchError` (also a `TypeError`) for a native
        type that does not fit.
        """

    @abstractmethod
    async def put(self, value: T | None, wait: bool) -> None:
        """Write `value` (None: trigger); with `wait`, return on completion."""

    @abstractmethod
    async def get_datakey(self, source: str) -> DataKey:
        """The bluesky DataKey, with units, precision, limits where known."""

    @abstractmethod
    async def get_reading(self) -> Reading[T]:
        """A fresh reading from the source."""

    @abstractmethod
    async def get_value(self) -> T:
        """A fresh value from the source."""

    @abstractmethod
    async def get_setpoint(self) -> T:
        """The last value written (the write end's value)."""

    @abstractmethod
    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Start delivering every reading to `callback`; None stops it.

        The first reading is the current one. While the source is away the
        monitor delivers one `disconnected_reading`, and resumes on its own
        when the source is back.
        """

    def put_now(self, value: T | None) -> bool:
        """Write at once, without I/O, if this backend can; True if it did.

        In-process backends do, so a soft `set` costs no task.
        """
        return False

    def cached_reading(self) -> Reading[T] | None:
        """A reading available without I/O, or None.

        In-process backends always have one; network backends have one while
        monitored. Readers use it to skip a round trip and a task.
        """
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source('', True)!r})"


def backend_type_name(backend: SignalBackend[Any]) -> str:
    """The datatype's readable name, ``trigger`` for a SignalX backend, ``Any``
    for a live-typed one not connected yet."""
    if backend.spec is not None:
        return backend.spec.name
    return "trigger" if backend.is_trigger else "Any"
