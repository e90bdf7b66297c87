"""Switching a PandA block on and off: its ENABLE mux and its ACTIVE flag.

A block's ENABLE is a bit mux: ``ONE`` runs it, ``ZERO`` stops it (a rising
edge restarts it from the top). ACTIVE says whether it runs; pandablocks-ioc
polls it, so it is read back, never assumed.
"""

from __future__ import annotations

from typing import Any, cast

from ophyd_blueprint.core import SignalR, SignalRW, wait_for_value

from .trigger_source import TriggerSourceError

__all__ = ["BlockSwitch"]

ON = "ONE"
OFF = "ZERO"


def _is_active(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "one", "active")


class BlockSwitch:
    """The `enable` and `active` signals of one block, named for errors."""

    def __init__(self, name: str, enable: Any, active: Any, timeout: float) -> None:
        self.name = name
        self.enable = cast(SignalRW[Any], enable)
        self.active = cast(SignalR[Any], active)
        self.timeout = timeout

    async def on(self) -> None:
        """Enable the block and wait until it says it runs."""
        await self.enable.set(ON, timeout=self.timeout)
        await self.until(True, self.timeout)

    async def off(self) -> None:
        """Disable the block and wait until it says it stopped."""
        await self.enable.set(OFF, timeout=self.timeout)
        await self.until(False, self.timeout)

    async def until(self, active: bool, timeout: float | None) -> None:
        """Wait for ACTIVE to be `active`; `TriggerSourceError` after `timeout`."""
        try:
            await wait_for_value(
                self.active, lambda v: _is_active(v) == active, timeout
            )
        except TimeoutError:
            state = "running" if await self.running() else "stopped"
            raise TriggerSourceError(
                f"{self.name}: still {state} {timeout:g} s after it should have "
                f"{'started' if active else 'stopped'} ({self.active.source})"
            ) from None

    async def running(self) -> bool:
        return _is_active(await self.active.get_value())
