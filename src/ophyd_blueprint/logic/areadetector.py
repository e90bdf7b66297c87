"""areaDetector driver logic: ``detector.ADTriggering`` and ``detector.ADArming``.

Bound to an ADBase driver's signals (``ImageMode``, ``NumImages``,
``AcquireTime``, ``AcquirePeriod``, optionally ``TriggerMode``; ``Acquire``
read back through ``Acquire_RBV`` and ``DetectorState_RBV``). ``Acquire`` is a
busy record: a put of 1 completes when the acquisition is over.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, cast

from ophyd_blueprint.core import (
    AsyncStatus,
    DetectorTrigger,
    SignalR,
    SignalRW,
    TriggerInfo,
    wait_for_value,
)

from .base import READABLE, WRITABLE, SettingsRules, role
from .detector_parts import Arming, DetectorError, Triggering, retrieved

__all__ = ["ADArming", "ADTriggering"]

RW = READABLE & WRITABLE
NUMBER = frozenset({"float", "int"})
ENUM = frozenset({"enum", "str"})
_IDLE = frozenset({"Idle", "Aborted"})


class ADTriggering(Triggering):
    """Internal triggers at ``livetime + deadtime``, or external edge / level.

    ``with:`` `readout_time` (the detector's minimum deadtime, seconds),
    `internal`, `edge`, `level` (the ``TriggerMode`` labels of each kind; empty:
    not supported). Without a ``trigger_mode`` signal only internal triggers
    are possible (areaDetector's simulation driver has none).
    """

    roles = (
        role("image_mode", RW, ENUM, doc="ImageMode: Single / Multiple / Continuous"),
        role("num_images", RW, frozenset({"int"}), doc="frames per acquisition"),
        role("acquire_time", RW, NUMBER, doc="exposure of one frame, s"),
        role("acquire_period", RW, NUMBER, doc="time between frame starts, s"),
        role("trigger_mode", RW, ENUM, required=False, doc="TriggerMode"),
    )
    params = {"readout_time": float, "internal": str, "edge": str, "level": str}
    settings = SettingsRules(
        order=(("image_mode", "num_images"), ("acquire_time", "acquire_period"))
    )

    @property
    def readout_time(self) -> float:
        return float(self.config.get("readout_time", 0.0))

    def _mode_label(self, trigger: DetectorTrigger) -> str:
        defaults = {"internal": "Internal", "edge": "External", "level": ""}
        key = {
            DetectorTrigger.INTERNAL: "internal",
            DetectorTrigger.EXTERNAL_EDGE: "edge",
            DetectorTrigger.EXTERNAL_LEVEL: "level",
        }[trigger]
        return str(self.config.get(key, defaults[key]))

    async def prepare_trigger(self, info: TriggerInfo) -> None:
        name = self.device.name
        if info.deadtime and info.deadtime < self.readout_time:
            raise DetectorError(
                f"{name}: a deadtime of {info.deadtime:g} s is shorter than its "
                f"readout time of {self.readout_time:g} s"
            )
        label = self._mode_label(info.trigger)
        mode = self.bound.get("trigger_mode")
        if info.trigger is not DetectorTrigger.INTERNAL and (not label or mode is None):
            why = (
                "it has no trigger mode signal"
                if mode is None
                else f"no TriggerMode label is given for {info.trigger.value} "
                f"triggers (logic with: {{{info.trigger.name.lower()}: <label>}})"
            )
            raise DetectorError(
                f"{name} cannot take {info.trigger.value} triggers: {why}; "
                "it takes internal triggers"
            )
        writes = [
            self._rw("image_mode").set(
                "Multiple" if info.number_of_events else "Continuous"
            ),
            self._rw("num_images").set(max(1, info.number_of_events)),
        ]
        if mode is not None:
            writes.append(cast(SignalRW[Any], mode).set(label))
        if info.livetime is not None:
            deadtime = max(info.deadtime, self.readout_time)
            writes.append(self._rw("acquire_time").set(info.livetime))
            writes.append(self._rw("acquire_period").set(info.livetime + deadtime))
        await asyncio.gather(*writes)
        self._frame_time = await self._read_frame_time(info)

    async def _read_frame_time(self, info: TriggerInfo) -> float | None:
        if info.trigger is not DetectorTrigger.INTERNAL:
            return None
        exposure, period = await asyncio.gather(
            self._rw("acquire_time").get_value(), self._rw("acquire_period").get_value()
        )
        return max(float(exposure), float(period))

    def frame_time(self, info: TriggerInfo) -> float | None:
        return getattr(self, "_frame_time", None)

    def deadtime(self, livetime: float) -> float:
        return self.readout_time


class ADArming(Arming):
    """Puts 1 to ``Acquire`` (busy) to arm, 0 to stop; watches ``DetectorState``.

    ``with:`` `timeout` (seconds to wait for the detector to start or to stop,
    default 10).
    """

    roles = (
        role("acquire", RW, frozenset({"bool"}), doc="Acquire, read via Acquire_RBV"),
        role("state", READABLE, ENUM, required=False, doc="DetectorState_RBV"),
    )
    params = {"timeout": float}
    settings = SettingsRules(never=frozenset({"acquire"}))

    @property
    def _acquire(self) -> SignalRW[bool]:
        return cast(SignalRW[bool], self.bound["acquire"])

    async def arm(self) -> AsyncStatus:
        acquire = self._acquire
        done = acquire.set(True, wait=True, timeout=math.inf)
        done.add_callback(retrieved)
        started = asyncio.ensure_future(wait_for_value(acquire, True, None))
        try:
            finished, _ = await asyncio.wait(
                [started, done.task],
                timeout=self._timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            started.cancel()
        if done.done:
            await done  # a short acquisition may be over already; or it failed
        elif started in finished:
            started.result()
        else:
            done.cancel()
            raise DetectorError(
                f"{self.device.name} did not start acquiring within "
                f"{self._timeout:g} s of {acquire.source} = 1 ({await self.state()})"
            )
        return done

    async def disarm(self) -> None:
        acquire = self._acquire
        await acquire.set(False, wait=True, timeout=self._timeout)
        state = self.bound.get("state")
        if state is not None:
            await wait_for_value(
                cast(SignalR[str], state), lambda s: str(s) in _IDLE, self._timeout
            )

    async def state(self) -> str:
        state = self.bound.get("state")
        if state is None:
            return "state unknown"
        try:  # bounded: this account goes into an error message, now
            value = await asyncio.wait_for(cast(SignalR[Any], state).get_value(), 1.0)
        except TimeoutError:
            return f"{state.source} does not answer"
        except Exception as error:
            return f"{state.source} unreadable: {error}"
        return f"{state.source} is {value}"
