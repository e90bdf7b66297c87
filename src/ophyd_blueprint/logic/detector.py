"""``detector.Triggered``: a Triggerable device that acquires with completion."""

from __future__ import annotations

from typing import cast

from ophyd_blueprint.core import AsyncStatus

from .base import TRIGGER, Logic, fire, role

__all__ = ["Triggered"]


class Triggered(Logic):
    """`trigger()` writes `acquire` (1, or processes a trigger signal) and
    completes when the server reports the acquisition done; bluesky then
    reads the device's readable signals.
    """

    roles = (
        role("acquire", TRIGGER, doc="starts one acquisition, completing when done"),
    )
    exposes = ("trigger",)
    params = {"timeout": float}

    def trigger(self) -> AsyncStatus:
        return AsyncStatus(self._acquire(), name=self.device.name)

    async def _acquire(self) -> None:
        timeout = cast(float | None, self.config.get("timeout"))
        await fire(self.bound["acquire"], wait=True, timeout=timeout)
