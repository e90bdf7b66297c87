"""A small typed face of p4p's raw client, driven from the asyncio loop.

p4p ships no type information, and its asyncio client adds a task, an event
and NT unwrapping per subscription update. Here operations complete asyncio
futures directly, requests are parsed once, and monitor queues are drained
by one loop callback per wake-up with values left as raw p4p structures.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

__all__ = [
    "Disconnected",
    "PvaClient",
    "PvaError",
    "PvaMonitor",
    "PvaOperation",
    "PvaRequest",
    "PvaStructure",
    "PvaType",
    "make_request",
    "type_code",
]


class PvaStructure(Protocol):
    """A p4p ``Value``: a PVA structure addressed by dotted field names."""

    def __getitem__(self, key: str, /) -> Any: ...
    def __setitem__(self, key: str, value: Any, /) -> None: ...
    def __contains__(self, key: str, /) -> bool: ...
    def getID(self) -> str: ...
    def type(self) -> PvaType: ...


class PvaOperation(Protocol):
    """An operation begun with `PvaClient.start_get`."""

    def close(self) -> None:
        """Cancel it if it has not completed; free it."""
        ...


class PvaType(Protocol):
    """A structure's type; `aspy` gives a field's type code."""

    def aspy(self, field: str, /) -> Any: ...


PvaRequest = object
"""A parsed pvRequest (opaque); build it once with `make_request`."""

_raw: Any = importlib.import_module("p4p.client.raw")
_ext: Any = importlib.import_module("p4p._p4p")

PvaError: type[Exception] = cast(type[Exception], _raw.RemoteError)
"""The server refused the operation (its message says why)."""
Disconnected: type[Exception] = cast(type[Exception], _raw.Disconnected)
"""The channel lost its server."""

_make_request = cast(Callable[[str], object], _raw.Context.makeRequest)
_pop = cast(
    Callable[[object], "PvaStructure | Exception | None"], _ext.ClientMonitor.pop
)


def make_request(text: str) -> PvaRequest:
    """Parse a pvRequest such as ``field(value)record[block=true]``."""
    return _make_request(text)


def type_code(structure: PvaStructure, field: str) -> Any:
    """p4p's type code of `field`: ``"d"``, ``"ai"``, ``"as"``, ``"v"``, a tuple..."""
    return structure.type().aspy(field)


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)


def _completer(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]
) -> Callable[[object], None]:
    """A p4p completion handler (called in a p4p thread) settling `future`."""

    def done(result: object) -> None:
        loop.call_soon_threadsafe(_settle, future, result)

    return done


def _expire(future: asyncio.Future[Any], what: str) -> None:
    if not future.done():
        future.set_exception(TimeoutError(what))


class PvaClient:
    """One p4p client context; every operation bounded by a timeout."""

    __slots__ = ("_ctxt", "conf")

    def __init__(self, conf: Mapping[str, str] | None = None) -> None:
        self.conf = None if conf is None else dict(conf)
        self._ctxt: Any = _raw.Context(
            "pva", conf=self.conf, useenv=conf is None, nt=False
        )

    async def get(self, name: str, request: PvaRequest, timeout: float) -> Any:
        """The structure of PV `name` (as a `PvaStructure`)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        timer = loop.call_later(
            timeout, _expire, future, f"pva://{name}: no reply within {timeout} s"
        )
        op = self._ctxt.get(
            name,
            _completer(loop, future),
            request,
        )
        try:
            return await future
        finally:
            timer.cancel()
            op.close()

    def start_get(
        self, name: str, request: PvaRequest, on_done: Callable[[Any], None]
    ) -> PvaOperation:
        """Begin a get of PV `name`; `on_done` is called in the running loop
        with its structure, or with the exception that ended it.

        For readers that act on each reply as it comes (and ask for more from
        it) rather than waiting for a batch; the caller bounds the wait and
        closes the operation, done or not.
        """
        loop = asyncio.get_running_loop()

        def done(result: object) -> None:
            # a closed loop raises RuntimeError: nobody is listening
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(on_done, result)

        return cast(PvaOperation, self._ctxt.get(name, done, request))

    async def get_many(
        self, names: Sequence[str], request: PvaRequest, timeout: float
    ) -> list[Any]:
        """Structures of all `names` at once, in order; a failure is returned
        in its place (an exception), not raised. One timer for the batch and
        no task per PV: the cost of a batch is the network's.
        """
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Any]] = [loop.create_future() for _ in names]
        ops = [
            self._ctxt.get(name, _completer(loop, future), request)
            for name, future in zip(names, futures, strict=True)
        ]
        try:
            if futures:
                await asyncio.wait(futures, timeout=timeout)
            for name, future in zip(names, futures, strict=True):
                _expire(future, f"pva://{name}: no reply within {timeout} s")
            return [f.exception() or f.result() for f in futures]
        finally:
            for op in ops:
                op.close()

    async def put(
        self,
        name: str,
        builder: Callable[[PvaStructure], None],
        request: PvaRequest,
        timeout: float,
    ) -> None:
        """Fill the PV's put structure with `builder` and send it.

        Completes when the server acknowledges (with ``block=true`` in the
        request: when its processing has finished).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        timer = loop.call_later(
            timeout,
            _expire,
            future,
            f"put to pva://{name} did not complete within {timeout} s",
        )
        op = self._ctxt.put(
            name,
            _completer(loop, future),
            builder,
            request,
            False,
        )
        try:
            await future
        finally:
            timer.cancel()
            op.close()

    def monitor(
        self,
        name: str,
        request: PvaRequest,
        on_item: Callable[[Any], None],
    ) -> PvaMonitor:
        """Call `on_item` in the loop with every structure (or `Exception`)."""
        return PvaMonitor(self._ctxt, name, request, on_item)

    def close(self) -> None:
        self._ctxt.close()


class PvaMonitor:
    """A subscription whose queue is drained in the asyncio loop, in order."""

    __slots__ = ("_loop", "_on_item", "_sub")

    def __init__(
        self,
        ctxt: Any,
        name: str,
        request: PvaRequest,
        on_item: Callable[[Any], None],
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_item = on_item
        self._sub: object | None = None
        self._sub = ctxt.monitor(name, self._wake, request)

    def _wake(self) -> None:
        """Called in a p4p thread when the queue becomes non-empty."""
        try:
            self._loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop has closed: nobody is listening
            self.close()

    def _drain(self) -> None:
        sub = self._sub
        on_item = self._on_item
        while sub is not None:
            item = _pop(sub)
            if item is None:
                return
            on_item(item)
            sub = self._sub

    def close(self) -> None:
        """Stop the subscription; no item is delivered after this."""
        sub, self._sub = self._sub, None
        if sub is not None:
            cast(Any, sub).close()
