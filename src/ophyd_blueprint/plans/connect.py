"""Connect devices from inside a plan, in the RunEngine's event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, Protocol

from bluesky.utils import Msg

from ophyd_blueprint.core import DEFAULT_TIMEOUT


class Connectable(Protocol):
    def connect(self, mock: bool = ..., timeout: float = ...) -> Awaitable[None]: ...


def ensure_connected(
    *devices: Connectable, mock: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> Generator[Msg, Any, None]:
    """Connect `devices` concurrently (ours, or ophyd-async's) before a scan.

    ``RE(ensure_connected(det, motor))`` connects in the RunEngine's loop, so
    the devices' monitors and tasks live where the plans run.
    """

    def connector(device: Connectable) -> Callable[[], Awaitable[None]]:
        return lambda: device.connect(mock=mock, timeout=timeout)

    yield Msg("wait_for", None, [connector(d) for d in devices])
