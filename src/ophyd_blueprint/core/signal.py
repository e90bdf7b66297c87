"""Signals: typed handles on one value of a control system.

`SignalR` reads, `SignalW` writes, `SignalRW` both, `SignalX` triggers (it has
no value: bluesky sees a `Triggerable`, never a `Movable`). All talk through a
`SignalBackend`; the signal adds naming, type checks on put, timeouts, and
fan-out of one monitor to many subscribers.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .backend import SignalBackend, backend_type_name
from .device import DEFAULT_TIMEOUT, Device, private_attribute_error
from .errors import NotConnectedError
from .mock import MockSignalBackend, mock_replacing
from .status import AsyncStatus

if TYPE_CHECKING:
    from bluesky.protocols import Location, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "ReadOnlyError",
    "Signal",
    "SignalR",
    "SignalRW",
    "SignalW",
    "SignalX",
]

T = TypeVar("T")
_log = logging.getLogger("ophyd_blueprint.signal")

ReadingsCallback = Callable[[dict[str, "Reading[Any]"]], None]
ValueCallback = Callable[[Any], None]


class ReadOnlyError(AttributeError):
    """Writing to a signal that cannot be written.

    It is an AttributeError so that ``hasattr(sig, "set")`` and bluesky's
    protocol checks still say "not Movable"; its message says why.
    """


class Signal(Device, Generic[T]):
    """A value of a control system, reached through a backend."""

    __slots__ = ("_backend", "_listeners", "_timeout")

    def __init__(
        self,
        backend: SignalBackend[T],
        timeout: float | None = DEFAULT_TIMEOUT,
        name: str = "",
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._listeners: tuple[tuple[Callable[[Any], None], bool], ...] = ()
        super().__init__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)  # signals have no children

    # A signal is a leaf: these skip Device's child lookups, which cost an
    # AttributeError per signal (its children slot is never filled) and show
    # when thousands connect.

    def add_child(self, name: str, child: Device) -> None:
        raise TypeError(f"{self.name or type(self).__name__} is a signal: no children")

    def children(self) -> Iterator[tuple[str, Device]]:
        return iter(())

    def set_name(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _connectables(
        self, path: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], Device]]:
        yield path, self

    @property
    def backend(self) -> SignalBackend[T]:
        """The backend in use (a mock one after ``connect(mock=True)``)."""
        return self._backend

    @property
    def datatype(self) -> type[T] | None:
        return self._backend.datatype

    @property
    def source(self) -> str:
        """The URI this signal reads from (writes to, for write-only ones and
        triggers)."""
        readable = isinstance(self, SignalR) or not isinstance(self, SignalW | SignalX)
        return self._backend.source(self.name, readable)

    def _replace_backend(self, backend: SignalBackend[Any]) -> None:
        if self._listeners:
            self._backend.set_callback(None)
            backend.set_callback(self._deliver)
        self._backend = backend

    async def _connect_self(self, mock: bool, timeout: float) -> None:
        backend = self._backend
        if mock and not isinstance(backend, MockSignalBackend):
            self._replace_backend(mock_replacing(backend))
        elif not mock and isinstance(backend, MockSignalBackend) and backend.replaced:
            self._replace_backend(backend.replaced)
        await self._backend.connect(timeout)

    async def _put(self, value: T | None, wait: bool, timeout: float | None) -> None:
        """The write of `SignalW.set` and `SignalX.trigger`, bounded by `timeout`
        (default: the signal's timeout; `math.inf`: unbounded)."""
        if timeout is None:
            timeout = self._timeout
        if timeout is None or math.isinf(timeout):
            await self._backend.put(value, wait)
            return
        try:
            async with asyncio.timeout(timeout):
                await self._backend.put(value, wait)
        except TimeoutError:
            raise TimeoutError(
                f"put of {value!r} to {self._backend.source(self.name, False)} "
                f"did not complete within {timeout} s"
            ) from None

    def _deliver(self, reading: Reading[T]) -> None:
        # _listeners is an immutable tuple, replaced on (un)subscribe, so a
        # subscriber may unsubscribe from inside its callback
        readings: dict[str, Reading[Any]] | None = None
        for callback, wants_value in self._listeners:
            try:
                if wants_value:
                    callback(reading["value"])
                else:
                    if readings is None:
                        readings = {self.name: reading}
                    callback(readings)
            except Exception:
                _log.exception("subscriber %r of %s failed", callback, self.name)

    def _listen(self, callback: Callable[[Any], None], wants_value: bool) -> None:
        first = not self._listeners
        others = tuple(item for item in self._listeners if item[0] != callback)
        self._listeners = (*others, (callback, wants_value))
        if first:
            self._backend.set_callback(self._deliver)
        else:
            cached = self._backend.cached_reading()
            if cached is not None:
                callback(cached["value"] if wants_value else {self.name: cached})

    def _unlisten(self, callback: Callable[[Any], None]) -> None:
        before = self._listeners
        self._listeners = tuple(item for item in before if item[0] != callback)
        if before and not self._listeners:
            self._backend.set_callback(None)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}[{backend_type_name(self._backend)}]"
            f"({self.name!r}, {self.source!r})"
        )


class SignalR(Signal[T]):
    """A signal that can be read, described and monitored."""

    __slots__ = ()

    async def read(self, cached: bool | None = None) -> dict[str, Reading[T]]:
        """``{name: reading}``; from the monitor cache when one is live."""
        return {self.name: await self.get_reading(cached)}

    async def describe(self) -> dict[str, DataKey]:
        return {self.name: await self._backend.get_datakey(self.source)}

    async def get_reading(self, cached: bool | None = None) -> Reading[T]:
        if cached is not False:
            reading = self._backend.cached_reading()
            if reading is not None:
                return reading
            if cached:
                raise RuntimeError(f"{self.name} has no cached reading: not monitored")
        return await self._backend.get_reading()

    async def get_value(self, cached: bool | None = None) -> T:
        """The current value; from the monitor cache when one is live."""
        if cached is not False:
            reading = self._backend.cached_reading()
            if reading is not None:
                return reading["value"]
        return await self._backend.get_value()

    def subscribe(self, function: ReadingsCallback) -> None:
        """Call `function({name: reading})` now and on every update."""
        self._listen(function, False)

    def subscribe_value(self, function: ValueCallback) -> None:
        """Call `function(value)` now and on every update."""
        self._listen(function, True)

    def clear_sub(self, function: Callable[[Any], None]) -> None:
        self._unlisten(function)

    def stage(self) -> AsyncStatus:
        """Keep a monitor running so reads come from its cache."""
        return AsyncStatus(self._stage(True), name=self.name)

    def unstage(self) -> AsyncStatus:
        return AsyncStatus(self._stage(False), name=self.name)

    async def _stage(self, on: bool) -> None:
        if on:
            self._listen(_staged, True)
        else:
            self._unlisten(_staged)

    if not TYPE_CHECKING:  # keep typos in user code visible to pyright

        def __getattr__(self, name: str) -> Any:
            if name[0] == "_":  # unset slots
                raise private_attribute_error(self, name)
            if name in ("set", "put", "trigger"):
                access = "x to trigger" if name == "trigger" else "rw or w to write"
                raise ReadOnlyError(
                    f"{self.name or 'signal'} ({self.source}) is read-only: it has "
                    f"no {name}(); declare it with access {access} it"
                )
            raise AttributeError(
                f"{type(self).__name__} {self.name!r} has no attribute {name!r}"
            )


def _staged(_value: object) -> None:
    """The listener that keeps a staged signal's monitor alive."""


class SignalW(Signal[T]):
    """A signal that can be written; `set` waits for completion by default."""

    __slots__ = ()

    def set(
        self, value: T, wait: bool = True, timeout: float | None = None
    ) -> AsyncStatus:
        """Write `value`; the status completes when the server says so.

        `TypeError` at once if `value` does not fit the datatype. The put is
        bounded by `timeout` (default: the signal's timeout); ``math.inf``
        leaves it unbounded, for a busy record whose put completes when work
        of unknown length is done (the caller then bounds what it waits for).
        """
        backend = self._backend
        spec = backend.spec
        if spec is None:  # live-typed, not connected yet
            raise NotConnectedError(
                "not connected: its datatype comes from the server at connect; "
                "call connect() first",
                source=self._backend.source(self.name, False),
            )
        try:
            value = spec.coerce(value)
        except TypeError as e:
            raise TypeError(
                f"{self.name or 'signal'} ({self.source}) is of type {spec.name} "
                f"and cannot be set to {value!r}: {e}"
            ) from None
        if backend.put_now(value):
            return _done_status(self.name)
        return AsyncStatus(self._put(value, wait, timeout), name=self.name)

    async def get_setpoint(self) -> T:
        return await self._backend.get_setpoint()


class SignalRW(SignalR[T], SignalW[T]):
    """A signal that can be read and written; `locate` gives both ends."""

    __slots__ = ()

    async def locate(self) -> Location[T]:
        setpoint, readback = await asyncio.gather(
            self._backend.get_setpoint(), self.get_value()
        )
        return {"setpoint": setpoint, "readback": readback}


class SignalX(Signal[None]):
    """A signal with nothing to read or write: triggering it makes something
    happen (a record processes, a command runs).

    Its one verb is `trigger`, so bluesky sees a `Triggerable` and never a
    `Movable`.
    """

    __slots__ = ()

    def trigger(self, wait: bool = True, timeout: float | None = None) -> AsyncStatus:
        """Make the source process; the status completes when it has."""
        if self._backend.put_now(None):
            return _done_status(self.name)
        return AsyncStatus(self._put(None, wait, timeout), name=self.name)

    if not TYPE_CHECKING:  # keep misuse in user code visible to pyright

        def __getattr__(self, name: str) -> Any:
            if name[0] == "_":  # unset slots
                raise private_attribute_error(self, name)
            if name in ("set", "put"):
                raise AttributeError(
                    f"{self.name or 'signal'} ({self.source}) is a trigger: it has "
                    f"no {name}(); call trigger()"
                )
            raise AttributeError(
                f"{type(self).__name__} {self.name!r} has no attribute {name!r}"
            )


def _done_status(name: str) -> AsyncStatus:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return AsyncStatus(future, name=name)
