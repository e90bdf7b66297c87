"""Keeping one attribute monitored: Tango change events, or polling when none.

A `Monitor` subscribes to change events (pushed by the server, or from its
own polling). When the server is away (`SERVER_AWAY`: down, restarting,
unreachable) it subscribes again every `RESUBSCRIBE_PERIOD` until the server
is back, so it ends on the server's events, never on polling; like a CA or
PVA monitor started while its server is away, it delivers its first reading
then. Only when the server answers and refuses (usually: the attribute has no
change events; an unknown refusal counts when the server still answers a
read) does it poll from the client at `period` instead: never
silently, with one warning per attribute, and the signal's source says
``poll=<period>s``. Once subscribed, a lost server is an error event (one
`DISCONNECTED` reading), and Tango's own keep-alive thread subscribes again
when the server is back. Events reach the event loop through one thread-safe
call each, in the order Tango sent them.

The first reading is the value at subscription. Tango's events travel over
ZeroMQ publish/subscribe, whose subscription reaches the server a moment after
`subscribe_event` returns: events pushed in that moment are lost (ZeroMQ's
"slow joiner"); the next event, or a read, gives the current value again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from .client import (
    EventCallback,
    TangoEvent,
    TangoReading,
    describe_error,
    error_reason,
    subscribe_change_events,
    unsubscribe,
)
from .connection import SERVER_AWAY, DeviceConnection

__all__ = ["RESUBSCRIBE_PERIOD", "Monitor", "event_forwarder"]

RESUBSCRIBE_PERIOD = 1.0
"""Seconds between attempts to subscribe while the server is away."""

_log = logging.getLogger("ophyd_blueprint.transports.tango")
_warned: set[str] = set()
_NO_EVENTS = {"API_AttributePollingNotStarted", "API_EventPropertiesNotSet"}
"""The server's answers that mean: this attribute has no change events."""


class Monitor:
    """Calls `on_reading` with every new value of one attribute, `on_lost` on errors.

    Both run in the event loop. `polling` says whether events were refused.
    """

    __slots__ = (
        "_closed",
        "_connection",
        "_event_id",
        "_name",
        "_on_lost",
        "_on_reading",
        "_task",
        "_uri",
        "period",
        "polling",
    )

    def __init__(
        self,
        connection: DeviceConnection,
        uri: str,
        name: str,
        period: float,
        on_reading: Callable[[TangoReading], None],
        on_lost: Callable[[str], None],
    ) -> None:
        self._connection = connection
        self._uri = uri
        self._name = name
        self.period = period
        self._on_reading = on_reading
        self._on_lost = on_lost
        self._closed = False
        self._event_id: int | None = None
        self.polling = False
        self._task = asyncio.ensure_future(self._subscribe())

    async def _subscribe(self) -> None:
        loop = self._connection.loop
        on_tango_event = event_forwarder(loop, self._handle)
        while True:
            subscribing = loop.run_in_executor(
                None,
                subscribe_change_events,
                self._connection.proxy,
                self._name,
                on_tango_event,
            )
            try:
                event_id = await asyncio.shield(subscribing)
            except asyncio.CancelledError:
                subscribing.add_done_callback(self._drop_when_subscribed)
                raise
            except Exception as error:
                if not await self._server_away(error):
                    self._start_polling(error)
                    return
                _log.debug(
                    "%s: cannot subscribe (%s: %s); trying again in %g s",
                    self._uri,
                    error_reason(error),
                    describe_error(error),
                    RESUBSCRIBE_PERIOD,
                )
                await asyncio.sleep(RESUBSCRIBE_PERIOD)
                continue
            self._event_id = event_id
            return

    async def _server_away(self, error: BaseException) -> bool:
        """Whether a failed subscription means the server is away (not a refusal).

        Known reasons decide; for any other, the server is away if it does
        not answer a read either.
        """
        reason = error_reason(error)
        if reason in _NO_EVENTS or reason in SERVER_AWAY:
            return reason in SERVER_AWAY
        try:
            await self._connection.read(self._name)
        except Exception:
            return True
        return False

    def _drop_when_subscribed(self, subscribing: asyncio.Future[int]) -> None:
        """A subscription that completes after `close`: undo it."""
        if not subscribing.cancelled() and subscribing.exception() is None:
            self._drop(subscribing.result())

    def _handle(self, event: TangoEvent) -> None:
        if self._closed:
            return
        reading = event.attr_value
        if event.err or reading is None:
            self._on_lost(describe_error_stack(event))
        else:
            self._on_reading(reading)

    def _start_polling(self, error: BaseException) -> None:
        self.polling = True
        if self._uri not in _warned:
            _warned.add(self._uri)
            reason = error_reason(error)
            why = "sends no change events" if reason in _NO_EVENTS else "refused"
            _log.warning(
                "%s %s (%s: %s); polling it every %g s instead",
                self._uri,
                why,
                reason,
                describe_error(error),
                self.period,
            )
        self._task = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        read = self._connection.read
        name = self._name
        lost = False
        last_value: Any = None
        last_quality: Any = None
        while not self._closed:
            try:
                reading = await read(name)
            except Exception as error:
                if not lost:
                    lost = True
                    self._on_lost(describe_error(error))
            else:
                if (
                    lost
                    or reading.quality != last_quality
                    or not _same(reading.value, last_value)
                ):
                    lost = False
                    last_value, last_quality = reading.value, reading.quality
                    self._on_reading(reading)
            await asyncio.sleep(self.period)

    def close(self) -> None:
        """Stop: no callback runs after this returns."""
        self._closed = True
        self._task.cancel()
        if self._event_id is not None:
            self._drop(self._event_id)
            self._event_id = None

    def _drop(self, event_id: int) -> None:
        self._connection.loop.run_in_executor(
            None, unsubscribe, self._connection.proxy, event_id
        )


def event_forwarder(
    loop: asyncio.AbstractEventLoop, handle: Callable[[TangoEvent], None]
) -> EventCallback:
    """The callback Tango runs in its own thread: hands each event to `loop`.

    Once the loop has closed nobody is listening, and the event is dropped
    (not an "Event loop is closed" traceback from Tango's thread).
    """

    def on_tango_event(event: TangoEvent) -> None:
        try:
            loop.call_soon_threadsafe(handle, event)
        except RuntimeError:  # the loop has closed
            return

    return on_tango_event


def describe_error_stack(event: TangoEvent) -> str:
    """The first error of an error event, on one line."""
    if event.errors:
        return " ".join(event.errors[0].desc.split())
    return "event without a value"


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, np.ndarray):
        return isinstance(old, np.ndarray) and np.array_equal(
            cast(np.ndarray[Any, Any], new), cast(np.ndarray[Any, Any], old)
        )
    return bool(new == old)
