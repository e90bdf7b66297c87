"""Mock backends for users' tests: record puts, set values, hang or fail puts.

``await device.connect(mock=True)`` swaps every signal's backend for a
`MockSignalBackend`; the functions here drive it from a test. They take
anything with a ``backend`` (every `Signal`), so signals may import this module
and not the other way round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .backend import SignalBackend
from .soft import SoftSignalBackend

__all__ = [
    "Backed",
    "MockSignalBackend",
    "PutCall",
    "callback_on_mock_put",
    "get_mock_put_calls",
    "mock_backend",
    "set_mock_put_error",
    "set_mock_put_proceeds",
    "set_mock_value",
]

T = TypeVar("T")


class Backed(Protocol[T]):
    """What the functions here need of a signal: its name and its backend."""

    @property
    def name(self) -> str: ...

    @property
    def backend(self) -> SignalBackend[T]: ...


@dataclass(frozen=True, slots=True)
class PutCall:
    """One put a mock signal received."""

    value: Any
    wait: bool


class MockSignalBackend(SoftSignalBackend[T]):
    """A soft backend whose puts are recorded and can be held or failed."""

    __slots__ = ("_proceed", "_put_callbacks", "_put_error", "put_calls", "replaced")

    def __init__(
        self,
        datatype: type[T] | None,
        initial_value: T | None = None,
        *,
        uri: str = "",
        replaced: SignalBackend[T] | None = None,
        units: str | None = None,
    ) -> None:
        super().__init__(datatype, initial_value, uri=uri, units=units)
        self.replaced = replaced
        self.put_calls: list[PutCall] = []
        self._proceed: asyncio.Event | None = None
        self._put_error: BaseException | None = None
        self._put_callbacks: list[Callable[[Any, bool], None]] = []

    def put_now(self, value: T | None) -> bool:
        return False

    async def put(self, value: T | None, wait: bool) -> None:
        self.put_calls.append(PutCall(value, wait))
        for callback in list(self._put_callbacks):
            callback(value, wait)
        if self._put_error is not None:
            raise self._put_error
        if self._proceed is not None:
            await self._proceed.wait()
        self.set_value(value)

    def hold_puts(self, hold: bool) -> None:
        if hold:
            if self._proceed is None or self._proceed.is_set():
                self._proceed = asyncio.Event()
        elif self._proceed is not None:
            self._proceed.set()
            self._proceed = None

    def fail_puts(self, error: BaseException | None) -> None:
        self._put_error = error

    def on_put(self, callback: Callable[[Any, bool], None]) -> None:
        self._put_callbacks.append(callback)


def mock_replacing(backend: SignalBackend[T]) -> MockSignalBackend[T]:
    """A mock standing in for `backend`, with its datatype and source."""
    return MockSignalBackend(
        backend.datatype, uri="mock+" + backend.source("", True), replaced=backend
    )


def mock_backend(signal: Backed[T]) -> MockSignalBackend[T]:
    """The mock backend of `signal`; a clear error if it is not in mock mode."""
    backend = signal.backend
    if not isinstance(backend, MockSignalBackend):
        raise RuntimeError(
            f"{signal.name or repr(signal)} is not in mock mode: "
            "connect it with connect(mock=True) or make it with a mock:// URI"
        )
    return backend


def set_mock_value(signal: Backed[T], value: T) -> None:
    """Make the mock signal read `value` (and tell its subscribers)."""
    backend = mock_backend(signal)
    assert backend.spec is not None, "a trigger has no value"
    backend.set_value(backend.spec.coerce(value))


def set_mock_put_proceeds(signal: Backed[Any], proceeds: bool) -> None:
    """False: later puts wait until this is called again with True."""
    mock_backend(signal).hold_puts(not proceeds)


def set_mock_put_error(signal: Backed[Any], error: BaseException | None) -> None:
    """Make later puts raise `error` (None: succeed again)."""
    mock_backend(signal).fail_puts(error)


def get_mock_put_calls(signal: Backed[Any]) -> list[PutCall]:
    """Every put the mock signal received, in order."""
    return mock_backend(signal).put_calls


def callback_on_mock_put(
    signal: Backed[T], callback: Callable[[Any, bool], None]
) -> None:
    """Call `callback(value, wait)` on each put, e.g. to move a readback."""
    mock_backend(signal).on_put(callback)
