"""A PandA as a file-writing detector: ``panda.PcapArming`` and ``panda.Triggering``.

They plug into ``detector.FileDetector`` beside ``panda.HDF5Writer``. PCAP
captures when the PandA's own wiring triggers it (a sequencer, position
compare, an input), so triggering writes nothing: any trigger kind is the
PandA's own. Arming is PCAP's ``ARM``; the capture ends when PCAP is no
longer ``ACTIVE`` (its ENABLE fell, or it was disarmed).

pandablocks-ioc's data client connects to the PandA only after
``DATA:CAPTURE`` is 1, and an arm before it connects loses the capture's
header (nothing is written). With the ``data_status`` role bound
(``DATA:STATUS``), arming waits for that status to change (the IOC got the
capture) and arms again if it does not. pandablocks-ioc takes one capture
per file (a second arm's header differs: it stops writing), so a run arms
once; its 10 Hz poll must see PCAP active (a capture shorter than about
0.2 s may pass unseen).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from ophyd_blueprint.core import (
    AsyncStatus,
    Signal,
    SignalR,
    TriggerInfo,
    wait_for_value,
)

from .base import READABLE, WRITABLE, SettingsRules, role
from .detector_parts import Arming, DetectorError, Triggering
from .flags import FLAG_DTYPES, flag, is_on
from .panda_writer import capture_finished

__all__ = ["PcapArming", "PcapTriggering"]

RW = READABLE & WRITABLE
STR = frozenset({"str"})
_ARMS = 3
_SEVERITIES = {1: "MINOR", 2: "MAJOR", 3: "INVALID"}
_FPGA_TICK = 8e-9


class PcapTriggering(Triggering):
    """The PandA triggers its own captures; nothing to set for a `TriggerInfo`."""

    async def prepare_trigger(self, info: TriggerInfo) -> None:
        """Nothing to write: PCAP captures when its wiring says."""

    def frame_time(self, info: TriggerInfo) -> float | None:
        return None

    def deadtime(self, livetime: float) -> float:
        return _FPGA_TICK


class PcapArming(Arming):
    """Arms PCAP and reports the capture over when PCAP is no longer active.

    ``with:`` `timeout` (seconds for PCAP and the IOC to answer, default 10),
    `header_timeout` (seconds for ``DATA:STATUS`` to report the capture
    started before arming again, default 2).
    """

    roles = (
        role("arm", RW, FLAG_DTYPES, doc="PCAP:ARM (1 arms, 0 disarms)"),
        role("active", READABLE, FLAG_DTYPES, doc="PCAP:ACTIVE"),
        role(
            "data_status",
            READABLE,
            STR,
            required=False,
            doc="DATA:STATUS: says when the IOC's data client got a capture",
        ),
    )
    params = {"timeout": float, "header_timeout": float}
    settings = SettingsRules(never=frozenset({"arm"}))

    async def _set_arm(self, on: bool) -> None:
        arm = self._rw("arm")
        await arm.set(flag(arm, on), timeout=self._timeout)

    async def arm(self) -> AsyncStatus:
        status = self.bound.get("data_status")
        for _ in range(_ARMS):
            before = None if status is None else await _text(status)
            await self._set_arm(True)
            await self._wait_active(True, self._timeout)
            if status is None or await self._reported(_readable(status), before):
                return AsyncStatus(
                    self._wait_active(False, None), name=self.device.name
                )
            await self.disarm()
        assert status is not None
        raise DetectorError(
            f"{self.device.name}: armed {_ARMS} times, the IOC's data client never "
            f"got the capture ({status.source} stayed {await _text(status)!r})"
        )

    async def _reported(self, status: SignalR[Any], before: str | None) -> bool:
        """Whether the IOC's DATA status moved on from `before` (it got the
        capture's header) within `header_timeout`."""
        try:
            await wait_for_value(
                status,
                lambda text: str(text) != before,
                float(self.config.get("header_timeout", 2.0)),
            )
        except TimeoutError:
            return False
        return True

    async def _wait_active(self, active: bool, timeout: float | None) -> None:
        """Until PCAP is (not) `active`; None waits for as long as it takes."""
        signal = self._r("active")
        try:
            await wait_for_value(signal, lambda v: is_on(signal, v) == active, timeout)
        except TimeoutError:
            raise DetectorError(
                f"{self.device.name}: PCAP did not {'arm' if active else 'disarm'} "
                f"within {timeout:g} s ({signal.source} stayed "
                f"{int(not active)}{await self._alarm()})"
            ) from None

    async def _alarm(self) -> str:
        """PCAP:ACTIVE's alarm, said after a wait that ran out: pandablocks-ioc
        puts every record in MAJOR alarm when it has given its PandA up (one
        poll unanswered for 1 s), and puts, arms and disarms fail after."""
        try:
            async with asyncio.timeout(self._timeout):
                reading = await self._r("active").get_reading()
        except Exception:  # a hint must not hide the timeout
            return ""
        severity = int(reading.get("alarm_severity", 0))
        if severity <= 0:
            return ""
        return (
            f", in {_SEVERITIES.get(severity, str(severity))} alarm: the IOC may "
            "have lost its connection to the PandA (pandablocks-ioc gives it up "
            "after one poll unanswered for 1 s, until it is restarted)"
        )

    async def disarm(self) -> None:
        """Disarm PCAP; if it was capturing, wait until the IOC has had the
        capture's end (``DATA:STATUS`` says "Finished capture"), so the frames
        it counts are all it will get (a paused scan resumes from them)."""
        was_active = is_on(self._r("active"), await self._r("active").get_value())
        await self._set_arm(False)
        await self._wait_active(False, self._timeout)
        status = self.bound.get("data_status")
        if status is None or not was_active:
            return
        try:
            await wait_for_value(
                _readable(status),
                capture_finished,
                self._timeout,
            )
        except TimeoutError:
            raise DetectorError(
                f"{self.device.name}: disarmed, but the IOC did not finish the "
                f"capture within {self._timeout:g} s ({status.source} is "
                f"{await _text(status)!r})"
            ) from None

    async def state(self) -> str:
        active = is_on(self._r("active"), await self._r("active").get_value())
        text = f"PCAP {'active' if active else 'not active'}"
        status = self.bound.get("data_status")
        if status is not None:
            text += f", the IOC says {await _text(status)!r}"
        return text


def _readable(signal: Signal[Any]) -> SignalR[Any]:
    return cast(SignalR[Any], signal)  # the role's access is READABLE


async def _text(signal: Signal[Any]) -> str:
    return str(await _readable(signal).get_value())
