"""`Started`: a server or simulation that a ``with`` block starts and stops."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["Started"]


class Started(ABC):
    """Started by `start` or on entering ``with``; stopped by `stop` or on
    leaving it, however the block ends."""

    @abstractmethod
    def start(self) -> None:
        """Start it and wait until it serves (each within a bounded time)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop it and wait until it has (bounded)."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
