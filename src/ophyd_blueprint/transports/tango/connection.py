"""One `DeviceConnection` per Tango device, shared by all the signals on it.

It holds the device's proxy, its attribute and command configs (each fetched
with one call, the first time a signal needs one) and a read batcher: reads
of the same device issued in the same loop iteration go out as one
``read_attributes`` call. Connections live in a process-wide pool keyed by
device, per event loop (a green-mode proxy is bound to one loop).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ophyd_blueprint.core.errors import NoAnswerError, NotConnectedError

from .client import (
    AsyncProxy,
    AttributeInfoEx,
    CommandInfo,
    DevFailed,
    TangoReading,
    create_proxy,
    describe_error,
    error_reason,
    no_such_device,
    query_attributes,
    query_commands,
)

__all__ = ["NOT_YET", "SERVER_AWAY", "DeviceConnection", "connect_device"]

T = TypeVar("T")
NOT_YET = "not connected; call connect() first"
"""The reason of the error raised by a signal used before it connected."""
_MAX_NAMES_SHOWN = 12


class DeviceConnection:
    """A device's proxy, its configs, and the batcher of its reads."""

    __slots__ = (
        "_attributes",
        "_commands",
        "_pending",
        "device",
        "loop",
        "proxy",
    )

    def __init__(self, device: str, proxy: AsyncProxy) -> None:
        self.device = device
        self.proxy = proxy
        self.loop = asyncio.get_running_loop()
        self._attributes: asyncio.Future[dict[str, AttributeInfoEx]] | None = None
        self._commands: asyncio.Future[dict[str, CommandInfo]] | None = None
        self._pending: list[tuple[str, asyncio.Future[TangoReading]]] = []

    async def attribute_info(
        self, uri: str, name: str, timeout: float
    ) -> AttributeInfoEx:
        """The config of attribute `name`; all of them are fetched at once."""
        if self._attributes is None:
            self._attributes = self._query(self._all_attributes)
        infos = await _bounded(uri, self._attributes, timeout)
        try:
            return infos[name.lower()]
        except KeyError:
            raise NotConnectedError(
                f"device {self.device} has no attribute {name!r}; "
                f"it has {_some([info.name for info in infos.values()])}",
                source=uri,
            ) from None

    async def all_attributes(self, uri: str, timeout: float) -> list[AttributeInfoEx]:
        """Every attribute config of the device, in the server's order."""
        if self._attributes is None:
            self._attributes = self._query(self._all_attributes)
        return list((await _bounded(uri, self._attributes, timeout)).values())

    async def all_commands(self, uri: str, timeout: float) -> list[CommandInfo]:
        """Every command config of the device, in the server's order."""
        if self._commands is None:
            self._commands = self._query(self._all_commands)
        return list((await _bounded(uri, self._commands, timeout)).values())

    async def command_info(self, uri: str, name: str, timeout: float) -> CommandInfo:
        """The config of command `name`; all of them are fetched at once."""
        if self._commands is None:
            self._commands = self._query(self._all_commands)
        infos = await _bounded(uri, self._commands, timeout)
        try:
            return infos[name.lower()]
        except KeyError:
            raise NotConnectedError(
                f"device {self.device} has no command {name!r}; "
                f"it has {_some([info.cmd_name for info in infos.values()])}",
                source=uri,
            ) from None

    def _query(self, fetch: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        future = asyncio.ensure_future(fetch())

        def forget_failure(done: asyncio.Future[T]) -> None:
            if done.cancelled() or done.exception() is not None:
                self._forget(done)

        future.add_done_callback(forget_failure)
        return future

    def _forget(self, failed: asyncio.Future[Any]) -> None:
        if self._attributes is failed:
            self._attributes = None
        if self._commands is failed:
            self._commands = None

    async def _all_attributes(self) -> dict[str, AttributeInfoEx]:
        infos = await query_attributes(self.proxy)
        return {info.name.lower(): info for info in infos}

    async def _all_commands(self) -> dict[str, CommandInfo]:
        infos = await query_commands(self.proxy)
        return {info.cmd_name.lower(): info for info in infos}

    def read(self, name: str) -> asyncio.Future[TangoReading]:
        """Read `name`, together with every other read of this loop iteration."""
        future: asyncio.Future[TangoReading] = self.loop.create_future()
        if not self._pending:
            self.loop.call_soon(self._flush)
        self._pending.append((name, future))
        return future

    def _flush(self) -> None:
        batch = self._pending
        self._pending = []
        if len(batch) == 1:
            name, future = batch[0]
            self.proxy.read_attribute(name).add_done_callback(
                lambda call: _settle(future, call)
            )
            return
        names = list(dict.fromkeys(name for name, _ in batch))
        call = self.proxy.read_attributes(names)
        call.add_done_callback(lambda done: _settle_batch(names, batch, done))


def _settle(
    future: asyncio.Future[TangoReading], call: asyncio.Future[TangoReading]
) -> None:
    if future.done():
        return
    error = call.exception()
    if error is None:
        future.set_result(call.result())
    else:
        future.set_exception(error)


def _settle_batch(
    names: list[str],
    batch: list[tuple[str, asyncio.Future[TangoReading]]],
    call: asyncio.Future[list[TangoReading]],
) -> None:
    error = call.exception()
    by_name = {} if error is not None else dict(zip(names, call.result(), strict=True))
    for name, future in batch:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
            continue
        reading = by_name[name]
        if reading.has_failed:
            future.set_exception(DevFailed(*reading.get_err_stack()))
        else:
            future.set_result(reading)


async def _bounded(uri: str, future: asyncio.Future[T], timeout: float) -> T:
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        raise NoAnswerError(uri, timeout) from None
    except DevFailed as e:
        if error_reason(e) in SERVER_AWAY and not no_such_device(e):
            raise NoAnswerError(uri, timeout, _unreachable(e)) from None
        raise NotConnectedError(describe_error(e), source=uri) from None


SERVER_AWAY = frozenset(
    {
        "API_CantConnectToDevice",
        "API_DeviceNotExported",
        "API_DeviceTimedOut",
        "API_CommunicationFailed",
        "API_CorbaException",
    }
)
"""Reasons that mean: no device server answers for this device (down, starting,
or unreachable), as opposed to a server that answers and refuses."""


def _unreachable(error: DevFailed) -> str:
    """Why the device server did not answer, in words a user can act on.

    A proxy tries to connect when it is made; when the first call follows
    within a second, Tango reports only that it "delayed" the retry, which
    hides the cause. Say what that means instead.
    """
    text = describe_error(error)
    if "connection request was delayed" in text:
        device = text.removeprefix("Failed to connect to device ").split(" ")[0]
        return f"no device server answers for {device} (down, or wrong host:port?)"
    return text


def _some(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:_MAX_NAMES_SHOWN])
    more = len(names) - _MAX_NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


_pools: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, asyncio.Future[DeviceConnection]]
] = weakref.WeakKeyDictionary()


async def connect_device(uri: str, device: str, timeout: float) -> DeviceConnection:
    """The shared connection to `device`, made within `timeout` s if it is new.

    `uri` is the caller's URI, for errors. A failed attempt is forgotten, so
    the next connect tries again.
    """
    loop = asyncio.get_running_loop()
    pool = _pools.setdefault(loop, {})
    future = pool.get(device)
    if future is None or (future.done() and future.exception() is not None):
        future = pool[device] = asyncio.ensure_future(_open(device, timeout))

        def forget_failure(done: asyncio.Future[DeviceConnection]) -> None:
            if (done.cancelled() or done.exception() is not None) and pool.get(
                device
            ) is done:
                del pool[device]

        future.add_done_callback(forget_failure)
    return await _bounded(uri, future, timeout)


async def _open(device: str, timeout: float) -> DeviceConnection:
    proxy = await create_proxy(device, timeout)
    return DeviceConnection(device, proxy)
