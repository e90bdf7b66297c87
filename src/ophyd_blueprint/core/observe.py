"""Waiting on signals: observe every value, wait for one, set and wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .device import DEFAULT_TIMEOUT
from .signal import SignalR, SignalRW
from .status import AsyncStatus

if TYPE_CHECKING:
    from bluesky.protocols import Status

__all__ = ["observe_value", "set_and_wait_for_value", "wait_for_value"]

T = TypeVar("T")


class _Done:
    """Queued when the done-status completes."""


async def observe_value(
    signal: SignalR[T],
    timeout: float | None = None,
    done_status: Status | None = None,
    done_timeout: float | None = None,
) -> AsyncGenerator[T, None]:
    """Yield the current value, then every update, in order.

    `timeout` bounds the wait for each update; the iteration ends when
    `done_status` completes (raising its error if it failed), and raises
    `TimeoutError` if that has not happened within `done_timeout`.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()
    done = _Done()

    def on_value(value: T) -> None:
        queue.put_nowait(value)

    if done_status is not None:
        done_status.add_callback(lambda _status: queue.put_nowait(done))
    deadline = None if done_timeout is None else time.monotonic() + done_timeout
    signal.subscribe_value(on_value)
    try:
        while True:
            wait = timeout
            if deadline is not None:
                left = deadline - time.monotonic()
                wait = left if wait is None else min(wait, left)
            try:
                async with asyncio.timeout(wait):
                    item = await queue.get()
            except TimeoutError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"{signal.name} ({signal.source}): the operation observed "
                        f"did not finish within {done_timeout} s"
                    ) from None
                raise TimeoutError(
                    f"{signal.name} ({signal.source}) gave no update within {timeout} s"
                ) from None
            if item is done:
                assert done_status is not None
                error = done_status.exception()
                if error is not None:
                    raise error
                return
            yield item
    finally:
        signal.clear_sub(on_value)


async def wait_for_value(
    signal: SignalR[T],
    match: T | Callable[[T], bool],
    timeout: float | None = DEFAULT_TIMEOUT,
) -> T:
    """Wait until the value equals `match` (or `match(value)` is true)."""
    predicate = (
        cast(Callable[[Any], bool], match) if callable(match) else _equals(match)
    )

    last: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            async for value in observe_value(signal):
                last[:] = [value]
                if predicate(value):
                    return value
    except TimeoutError:
        seen = f"; last value {last[0]!r}" if last else "; no value arrived"
        wanted = getattr(match, "__name__", None) if callable(match) else repr(match)
        raise TimeoutError(
            f"{signal.name} ({signal.source}) did not reach {wanted} "
            f"within {timeout} s{seen}"
        ) from None
    raise AssertionError("observe_value ended without a done status")


def _equals(expected: object) -> Callable[[Any], bool]:
    def equals(value: Any) -> bool:
        return bool(value == expected)

    equals.__name__ = repr(expected)
    return equals


async def set_and_wait_for_value(
    signal: SignalRW[T],
    value: T,
    match_value: T | Callable[[T], bool] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    wait_for_set_completion: bool = True,
) -> AsyncStatus:
    """Set `signal` and return once it reads back `match_value` (default `value`).

    The returned status is the put's; with `wait_for_set_completion` it is
    awaited too before returning.
    """
    status = signal.set(value, timeout=timeout)
    await wait_for_value(signal, value if match_value is None else match_value, timeout)
    if wait_for_set_completion:
        await status.wait(timeout)
    return status
