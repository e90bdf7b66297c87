"""The typed edge of pytango: the few calls this transport makes, and nothing else.

pytango's stubs describe its synchronous API; in asyncio green mode the same
methods return awaitables. `AsyncProxy` says what they really return, and the
one `cast` in `create_proxy` is the only place that trusts it.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, cast

from tango import (
    AttributeInfoEx,
    CommandInfo,
    DevFailed,
    DeviceProxy,
    EventType,
    GreenMode,
)

# pytango ships no stub for tango.asyncio_executor.
_executors: Any = importlib.import_module("tango.asyncio_executor")

__all__ = [
    "NO_SUCH_DEVICE",
    "AsyncProxy",
    "AttributeInfoEx",
    "CommandInfo",
    "DevFailed",
    "EventCallback",
    "TangoEvent",
    "TangoReading",
    "create_proxy",
    "describe_error",
    "error_reason",
    "no_such_device",
    "query_attributes",
    "query_commands",
    "subscribe_change_events",
    "unsubscribe",
]


class TimeStamp(Protocol):
    def totime(self) -> float: ...


class TangoReading(Protocol):
    """A `tango.DeviceAttribute`: what one attribute read returns."""

    name: str
    value: Any
    w_value: Any
    quality: int
    time: TimeStamp
    has_failed: bool

    def get_err_stack(self) -> Sequence[object]: ...


class TangoError(Protocol):
    reason: str
    desc: str


class TangoEvent(Protocol):
    """A `tango.EventData`: `attr_value` is None when `err` is set."""

    attr_value: TangoReading | None
    err: bool
    errors: Sequence[TangoError]


EventCallback = Callable[[TangoEvent], None]


class AsyncProxy(Protocol):
    """A `tango.DeviceProxy` in asyncio green mode."""

    def read_attribute(self, name: str) -> asyncio.Future[TangoReading]: ...
    def read_attributes(
        self, names: Sequence[str]
    ) -> asyncio.Future[list[TangoReading]]: ...
    def write_attribute(self, name: str, value: Any) -> Awaitable[None]: ...
    def command_inout(self, name: str, arg: Any = None) -> Awaitable[Any]: ...
    def attribute_list_query_ex(self) -> Sequence[AttributeInfoEx]: ...
    def command_list_query(self) -> Sequence[CommandInfo]: ...
    def set_timeout_millis(self, millis: int) -> None: ...


def _make_proxy(device_trl: str, executor: object, millis: int) -> DeviceProxy:
    proxy = DeviceProxy(
        device_trl, green_mode=GreenMode.Asyncio, asyncio_executor=executor
    )
    proxy.set_timeout_millis(millis)
    return proxy


async def create_proxy(device_trl: str, timeout: float) -> AsyncProxy:
    """A green-mode proxy whose calls run on this loop, within `timeout` s.

    The (blocking) constructor runs in a worker thread so a dead host cannot
    stall the loop; the proxy's executor is bound to the running loop, not to
    whichever loop pytango saw first. Calls then time out client-side after
    `timeout` s.
    """
    loop = asyncio.get_running_loop()
    executor: object = _executors.AsyncioExecutor(loop=loop)
    make = functools.partial(_make_proxy, device_trl, executor, int(timeout * 1000))
    proxy = await asyncio.wait_for(loop.run_in_executor(None, make), timeout)
    return cast(AsyncProxy, proxy)


async def query_attributes(proxy: AsyncProxy) -> Sequence[AttributeInfoEx]:
    """Every attribute config, in a worker thread (pytango has no green form)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, proxy.attribute_list_query_ex)


async def query_commands(proxy: AsyncProxy) -> Sequence[CommandInfo]:
    """Every command config, in a worker thread (pytango has no green form)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, proxy.command_list_query)


def _raw(proxy: AsyncProxy) -> DeviceProxy:
    return cast(DeviceProxy, proxy)


def subscribe_change_events(
    proxy: AsyncProxy, attribute: str, callback: EventCallback
) -> int:
    """Subscribe (blocking: run it in a thread); `callback` runs in Tango's thread.

    Synchronous mode on purpose: the asyncio mode would make a task per event,
    while the caller hands each event to its loop with one thread-safe call.
    """
    raw: Any = proxy  # pytango's stub leaves subscribe_event's parameters untyped
    return int(
        raw.subscribe_event(
            attribute,
            EventType.CHANGE_EVENT,
            callback,
            green_mode=GreenMode.Synchronous,
        )
    )


def unsubscribe(proxy: AsyncProxy, event_id: int) -> None:
    """Stop a subscription (blocking: the server is told)."""
    _raw(proxy).unsubscribe_event(event_id, green_mode=GreenMode.Synchronous)


def _first_error(error: BaseException) -> TangoError | None:
    if isinstance(error, DevFailed) and error.args:
        return cast(TangoError, error.args[0])
    return None


def error_reason(error: BaseException) -> str:
    """The Tango reason code (``API_AttrNotFound``), or the exception type."""
    first = _first_error(error)
    return first.reason if first is not None else type(error).__name__


def describe_error(error: BaseException) -> str:
    """One line: the Tango description of `error`, or its str."""
    first = _first_error(error)
    if first is not None:
        if no_such_device(error):
            return NO_SUCH_DEVICE
        return " ".join(first.desc.split())
    return str(error) or type(error).__name__


NO_SUCH_DEVICE = (
    "the device server answers, but serves no device of this name (check the "
    "device name; Tango says OBJECT_NOT_EXIST)"
)
"""What a CORBA ``OBJECT_NOT_EXIST`` from a server without a database means."""


def no_such_device(error: BaseException) -> bool:
    """Whether a server answered that it has no such device (not that it is down)."""
    first = _first_error(error)
    return first is not None and "OBJECT_NOT_EXIST" in first.desc
