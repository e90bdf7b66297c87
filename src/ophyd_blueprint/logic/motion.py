"""``motion.Motor``: a Movable, Stoppable, Locatable axis from bound signals."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from typing import Any, cast

from bluesky.protocols import Location

from ophyd_blueprint.core import (
    AsyncStatus,
    SignalR,
    SignalRW,
    SignalW,
    WatchableAsyncStatus,
    WatcherUpdate,
    callback_on_mock_put,
    observe_value,
    set_mock_value,
    wait_for_value,
)

from .base import READABLE, TRIGGER, WRITABLE, Logic, SettingsRules, fire, role

__all__ = ["Motor", "SoftLimitError"]

NUMBER = frozenset({"float", "int"})


class SoftLimitError(ValueError):
    """A move to a position outside the axis's soft limits."""


class Motor(Logic):
    """Moves `setpoint`, reports `readback` while moving, and is done when the
    put completes and `done` is true (or, without `done`, when the readback is
    within `tolerance` of the target).

    The move's timeout is distance / velocity + 2 * acceleration time +
    `timeout_margin` seconds (no velocity: `default_timeout`). Soft limits
    (`low_limit`, `high_limit`; both 0 means none, as in the EPICS motor
    record) are checked before moving. Cancelling the move stops the axis.
    """

    roles = (
        role("setpoint", WRITABLE, NUMBER, doc="where to move"),
        role("readback", READABLE, NUMBER, doc="where the axis is"),
        role(
            "done", READABLE, frozenset({"bool"}), required=False, doc="true when still"
        ),
        role("stop", TRIGGER, required=False, doc="stops the axis"),
        role("velocity", READABLE | WRITABLE, NUMBER, required=False),
        role("acceleration", READABLE | WRITABLE, NUMBER, required=False),
        role("high_limit", READABLE | WRITABLE, NUMBER, required=False),
        role("low_limit", READABLE | WRITABLE, NUMBER, required=False),
        role("units", READABLE, frozenset({"str"}), required=False),
    )
    exposes = ("set", "stop", "locate")
    params = {"tolerance": float, "timeout_margin": float, "default_timeout": float}
    # acceleration is a time to reach the velocity: controllers bound it by the
    # velocity (the motor record recomputes ACCL from ACCS when VELO changes)
    settings = SettingsRules(
        order=(("velocity", "acceleration"),), never=frozenset({"setpoint"})
    )

    def _signal(self, name: str) -> Any:
        return self.bound.get(name)

    @property
    def setpoint(self) -> SignalW[float]:
        return cast(SignalW[float], self.bound["setpoint"])

    @property
    def readback(self) -> SignalR[float]:
        return cast(SignalR[float], self.bound["readback"])

    def set(
        self, value: float, timeout: float | None = None
    ) -> WatchableAsyncStatus[float]:
        """Move to `value`; the status reports progress and completes when still."""
        return WatchableAsyncStatus(
            self._move(float(value), timeout), name=self.device.name
        )

    async def _optional(self, name: str) -> Any:
        signal = self._signal(name)
        return None if signal is None else await cast(SignalR[Any], signal).get_value()

    async def _move(
        self, target: float, timeout: float | None
    ) -> AsyncIterator[WatcherUpdate[float]]:
        initial, velocity, acceleration, low, high, units = await asyncio.gather(
            self.readback.get_value(),
            self._optional("velocity"),
            self._optional("acceleration"),
            self._optional("low_limit"),
            self._optional("high_limit"),
            self._optional("units"),
        )
        if (
            low is not None
            and high is not None
            and (low, high) != (0, 0)
            and not low <= target <= high
        ):
            raise SoftLimitError(
                f"{self.device.name}: {target} is outside the soft limits "
                f"[{low}, {high}]; the axis did not move"
            )
        if timeout is None:
            timeout = self._timeout_for(abs(target - initial), velocity, acceleration)
        put = self.setpoint.set(target, wait=True, timeout=timeout)
        finished = AsyncStatus(self._wait_until_still(put, target, timeout))
        name = self.device.name
        try:
            async for current in observe_value(
                self.readback, done_status=finished, done_timeout=timeout
            ):
                span = target - initial
                yield WatcherUpdate(
                    current=current,
                    initial=initial,
                    target=target,
                    name=name,
                    unit=units,
                    fraction=None if span == 0 else 1 - (target - current) / span,
                )
        except asyncio.CancelledError:
            finished.cancel()  # else it waits on, and times out, after the stop
            await self._stop_now()
            raise
        except BaseException:
            finished.cancel()
            raise

    def _timeout_for(
        self, distance: float, velocity: float | None, acceleration: float | None
    ) -> float:
        margin = float(self.config.get("timeout_margin", 5.0))
        if not velocity:
            return float(self.config.get("default_timeout", 30.0))
        return distance / abs(velocity) + 2 * (acceleration or 0.0) + margin

    async def _wait_until_still(
        self, put: AsyncStatus, target: float, timeout: float
    ) -> None:
        await put
        done = self._signal("done")
        if done is not None:
            await wait_for_value(cast(SignalR[bool], done), True, timeout)
            return
        tolerance = float(self.config.get("tolerance", 1e-6))
        await wait_for_value(
            self.readback, lambda v: math.isclose(v, target, abs_tol=tolerance), timeout
        )

    def stop(self, success: bool = False) -> AsyncStatus:
        """Stop the axis now."""
        return AsyncStatus(self._stop_now(), name=self.device.name)

    async def _stop_now(self) -> None:
        stop = self.bound.get("stop")
        if stop is not None:
            await fire(stop, wait=False)

    async def locate(self) -> Location[float]:
        setpoint = self.setpoint
        readback = self.readback.get_value()
        if isinstance(setpoint, SignalRW):
            sp, rb = await asyncio.gather(setpoint.get_value(), readback)
        else:
            sp, rb = await asyncio.gather(setpoint.get_setpoint(), readback)
        return {"setpoint": sp, "readback": rb}

    def use_mock(self) -> None:
        readback = self.readback
        callback_on_mock_put(
            self.setpoint, lambda value, _wait: set_mock_value(readback, value)
        )
        done = self._signal("done")
        if done is not None:
            set_mock_value(cast(SignalR[bool], done), True)
