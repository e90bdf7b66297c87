"""Switching a PandA block on and off: its ENABLE mux and its ACTIVE flag.

A block's ENABLE is a bit mux: ``ONE`` runs it, ``ZERO`` stops it (a rising
edge restarts it from the top). ACTIVE says whether it runs; pandablocks-ioc
polls it, so it is read back, never assumed.

A poll every 0.1 s cannot see a block that starts and ends between two
polls (a few short pulses): `BlockSwitch.on` is told how long the block is
expected to run, and a block that short, enabled and not seen running
after that time and a few polls, is taken to have run.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from ophyd_blueprint.core import SignalR, SignalRW, wait_for_value

from .trigger_source import TriggerSourceError

__all__ = ["BlockSwitch"]

ON = "ONE"
OFF = "ZERO"
POLL = 0.1
"""pandablocks-ioc's period of asking the PandA what changed (s)."""
UNSEEN_POLLS = 3
"""Polls after its expected end that a short block may go unseen."""

_log = logging.getLogger(__name__)


def _is_active(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "one", "active")


class BlockSwitch:
    """The `enable` and `active` signals of one block, named for errors."""

    def __init__(self, name: str, enable: Any, active: Any, timeout: float) -> None:
        self.name = name
        self.enable = cast(SignalRW[Any], enable)
        self.active = cast(SignalR[Any], active)
        self.timeout = timeout

    async def on(self, runs_for: float | None = None) -> None:
        """Enable the block and wait until it says it runs.

        `runs_for` is how long it is expected to run (None: unknown, or
        until stopped). If that and `UNSEEN_POLLS` polls pass first, it may
        have started and ended between two polls: it is taken to have run.
        """
        await self.enable.set(ON, timeout=self.timeout)
        unseen = None if runs_for is None else runs_for + UNSEEN_POLLS * POLL
        if unseen is None or unseen >= self.timeout:
            await self.until(True, self.timeout)
            return
        try:
            await wait_for_value(self.active, _is_active, unseen)
        except TimeoutError:
            _log.debug(
                "%s: not seen running %g s after it was enabled; expected to run "
                "%g s, it is taken to have run between two polls",
                self.name,
                unseen,
                runs_for,
            )

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
