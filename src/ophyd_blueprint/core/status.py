"""Status objects: what `set`, `trigger` and friends return to bluesky.

An `AsyncStatus` wraps one asyncio task. It is awaitable (``await status``),
satisfies `bluesky.protocols.Status`, and can be waited on with a timeout.
`WatchableAsyncStatus` also reports progress to watchers, e.g. a motor's
readback while it moves.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Generator
from dataclasses import dataclass, replace
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

__all__ = ["AsyncStatus", "WatchableAsyncStatus", "Watcher", "WatcherUpdate"]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)
P = ParamSpec("P")
SelfT = TypeVar("SelfT")


class AsyncStatus:
    """The status of one asynchronous operation, backed by an asyncio task."""

    __slots__ = ("_callbacks", "name", "task")

    def __init__(
        self,
        awaitable: Coroutine[Any, Any, Any] | asyncio.Future[Any],
        name: str | None = None,
    ) -> None:
        self.task: asyncio.Future[Any] = (
            awaitable
            if isinstance(awaitable, asyncio.Future)
            else asyncio.ensure_future(awaitable)
        )
        self.name = name
        self._callbacks: list[Callable[[AsyncStatus], None]] | None = None
        self.task.add_done_callback(self._run_callbacks)

    def __await__(self) -> Generator[Any, None, None]:
        return self.task.__await__()

    def add_callback(self, callback: Callable[[AsyncStatus], None]) -> None:
        """Call `callback(self)` when done (at once if already done)."""
        if self.task.done():
            callback(self)
        else:
            if self._callbacks is None:
                self._callbacks = []
            self._callbacks.append(callback)

    def _run_callbacks(self, _task: asyncio.Future[Any]) -> None:
        if self._callbacks:
            for callback in self._callbacks:
                callback(self)

    def exception(self, timeout: float | None = 0.0) -> BaseException | None:
        """The error it finished with, None on success; only once done."""
        if timeout != 0.0:
            raise ValueError("cannot block in the event loop; await wait() instead")
        if not self.task.done():
            raise asyncio.InvalidStateError(f"{self!r} is not done yet")
        if self.task.cancelled():
            return asyncio.CancelledError(f"{self.name or 'operation'} was cancelled")
        return self.task.exception()

    @property
    def done(self) -> bool:
        return self.task.done()

    @property
    def success(self) -> bool:
        task = self.task
        return task.done() and not task.cancelled() and task.exception() is None

    async def wait(self, timeout: float | None = None) -> None:
        """Wait until done, raising its error; `TimeoutError` after `timeout`."""
        if timeout is None:
            await self
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{self.name or 'operation'} did not finish within {timeout} s"
            ) from None

    def cancel(self) -> None:
        """Stop the operation; its status then fails with CancelledError."""
        self.task.cancel()

    def __repr__(self) -> str:
        state = (
            "pending"
            if not self.task.done()
            else "done"
            if self.success
            else f"failed: {self.exception()!r}"
        )
        return f"<{type(self).__name__} {self.name or ''} {state}>"

    @classmethod
    def wrap(
        cls, func: Callable[Concatenate[SelfT, P], Coroutine[Any, Any, None]]
    ) -> Callable[Concatenate[SelfT, P], AsyncStatus]:
        """Decorate an async method so that calling it returns an `AsyncStatus`."""

        @functools.wraps(func)
        def wrapped(self: SelfT, *args: P.args, **kwargs: P.kwargs) -> AsyncStatus:
            return cls(func(self, *args, **kwargs), name=getattr(self, "name", None))

        return wrapped


@dataclass(frozen=True, slots=True)
class WatcherUpdate(Generic[T]):
    """One progress report, as bluesky's progress bars expect it."""

    current: T
    initial: T
    target: T
    name: str | None = None
    unit: str | None = None
    precision: int | None = None
    fraction: float | None = None
    time_elapsed: float | None = None
    time_remaining: float | None = None


class Watcher(Protocol[T_contra]):
    """A progress callback (bluesky ProgressBar's signature)."""

    def __call__(
        self,
        *,
        current: T_contra,
        initial: T_contra,
        target: T_contra,
        name: str | None,
        unit: str | None,
        precision: int | None,
        fraction: float | None,
        time_elapsed: float | None,
        time_remaining: float | None,
    ) -> Any: ...


class WatchableAsyncStatus(AsyncStatus, Generic[T]):
    """An `AsyncStatus` fed by an async iterator of `WatcherUpdate`.

    The status is done when the iterator ends. Every watcher gets the last
    update at once, then each new one.
    """

    __slots__ = ("_last", "_watchers")

    def __init__(
        self, updates: AsyncIterator[WatcherUpdate[T]], name: str | None = None
    ) -> None:
        self._watchers: list[Watcher[T]] = []
        self._last: WatcherUpdate[T] | None = None
        super().__init__(self._consume(updates), name)

    async def _consume(self, updates: AsyncIterator[WatcherUpdate[T]]) -> None:
        start = time.monotonic()
        async for update in updates:
            if update.time_elapsed is None:
                update = replace(update, time_elapsed=time.monotonic() - start)
            self._last = update
            for watcher in list(self._watchers):
                self._notify(watcher, update)

    @staticmethod
    def _notify(watcher: Watcher[T], update: WatcherUpdate[T]) -> None:
        watcher(
            current=update.current,
            initial=update.initial,
            target=update.target,
            name=update.name,
            unit=update.unit,
            precision=update.precision,
            fraction=update.fraction,
            time_elapsed=update.time_elapsed,
            time_remaining=update.time_remaining,
        )

    def watch(self, watcher: Watcher[T]) -> None:
        """Report progress to `watcher` until the operation is done."""
        self._watchers.append(watcher)
        if self._last is not None:
            self._notify(watcher, self._last)

    @property
    def last_update(self) -> WatcherUpdate[T] | None:
        return self._last

    @classmethod
    def wrap_updates(
        cls,
        func: Callable[Concatenate[SelfT, P], AsyncIterator[WatcherUpdate[T]]],
    ) -> Callable[Concatenate[SelfT, P], WatchableAsyncStatus[T]]:
        """Decorate an async generator method yielding updates into a status."""

        @functools.wraps(func)
        def wrapped(
            self: SelfT, *args: P.args, **kwargs: P.kwargs
        ) -> WatchableAsyncStatus[T]:
            return cls(func(self, *args, **kwargs), name=getattr(self, "name", None))

        return wrapped
