"""Simulated devices sharing one process and one clock, wired to each other.

Separately simulated devices prove each protocol; a fly scan is right only
when every frame was taken inside its collection window, which needs the
devices coupled as on a beamline. `SimBeamline` serves a simulated PMAC
(`sim_pmac`) and simulated areaDetectors (`sim_detector`) from one caproto
server on one asyncio loop, so that they can be wired in-process:

- `SimPmac.motor_position` says where a motor is at any moment of the
  shared clock (along the trajectory being run), so a simulated encoder
  follows the motors;
- `SimAreaDetector.edge` is a detector's external trigger input (what a put
  to ``cam1:SimTrigger`` does), so a simulated trigger output can drive it;
- `SimAreaDetector.position` is where the detector looks: wired to the
  motors, each frame shows the sample where the motors were when it was taken.

With ``panda=True`` a simulated PandA (`sim_panda`, in a thread of the same
process) is wired in as on a beamline: its encoders INENC1 and INENC2 count
the X and Y motors' positions (`ENCODER_SCALE` units a count, so a client
sets ``INENC1.VAL.SCALE`` to it), and each rising edge of its TTLOUT1 is an
external trigger edge of every detector, at the moment it rose. Its host
(127.0.0.x) is printed as ``PANDA_HOST_LINE`` + host, for a pandablocks-ioc
to serve it (`ophyd_blueprint.testing.coupled`).

`PositionCompare` is a minimal position compare without a PandA (as a
PandA's PCOMP block): armed with a list of positions of one CS axis and the
direction of travel at each, it sends an edge to its detectors each time
the motor passes the next one. Its records, under ``$(P)PCOMP:``: ``Axis``
(the CS axis letter), ``Positions`` and ``Directions`` (+1 / -1), ``Arm``
(busy: a put of ``Arm`` completes when every position has fired, a put of
``Disarm`` stops it), ``Fired_RBV`` and ``FiredPositions_RBV`` (where the
motor was at each edge, read on the shared clock).

Run it with ``python -m ophyd_blueprint.testing.sim_beamline --prefix P:
[--motors JSON] [--detectors N] [--panda]``: the PMAC is ``$(P)PMAC:``, the detectors
``$(P)DET1:``, ``$(P)DET2:``..., all wired to the compare and looking at
motors X and Y. `SimBeamlineIoc` runs it on a loopback port slot for tests.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from .output import announce
from .sim_detector import SimAreaDetector
from .sim_panda import SimPandA
from .sim_pmac import READY, SimPmac, default_motors, motors_from_argument

__all__ = [
    "ENCODER_AXES",
    "ENCODER_SCALE",
    "PANDA_HOST_LINE",
    "PositionCompare",
    "SimBeamline",
    "main",
]

_caproto: Any = importlib.import_module("caproto")
_server: Any = importlib.import_module("caproto.asyncio.server")

ENCODER_SCALE = 1e-4
"""Motor units a count of the PandA's encoders (the motors' resolution)."""
ENCODER_AXES = ("X", "Y")
"""The CS axis each PandA encoder follows: INENC1 on X, INENC2 on Y."""
PANDA_HOST_LINE = "simulated PandA serving on "
"""What the beamline prints, followed by the PandA's address, once it serves."""
TRIGGER_OUTPUT = "TTLOUT1.VAL"
"""The PandA output wired to every detector's external trigger input."""

MAX_POSITIONS = 1_000_000
"""The longest position list the compare takes."""


class PositionCompare:
    """Edges to `detectors` when a motor of `pmac` passes each armed position.

    The motor is sampled on the PMAC's clock `rate` times a second; when it
    has crossed the next position moving in its direction since the last
    sample (a motor still on its way back from a turnaround has not), the
    edge goes out stamped with the exact moment of the crossing, found on
    the shared clock, so the detector's exposure starts then however late
    the loop delivers it.
    """

    def __init__(
        self,
        prefix: str,
        pmac: SimPmac,
        detectors: Sequence[SimAreaDetector],
        *,
        rate: float = 1000.0,
    ) -> None:
        self.prefix = prefix
        self.pmac = pmac
        self.detectors = list(detectors)
        self.rate = rate
        self.fired: list[float] = []
        """Where the motor was at each edge of the current (or last) arming."""
        self._armed: asyncio.Task[None] | None = None
        self.pvdb: dict[str, Any] = {
            f"{prefix}Axis": _caproto.ChannelString(value="X"),
            f"{prefix}Positions": _caproto.ChannelDouble(
                value=np.zeros(0), max_length=MAX_POSITIONS, precision=6
            ),
            f"{prefix}Directions": _caproto.ChannelInteger(
                value=np.zeros(0, dtype=np.int32), max_length=MAX_POSITIONS
            ),
            f"{prefix}Arm": _caproto.ChannelEnum(
                value="Disarm", enum_strings=("Disarm", "Arm")
            ),
            f"{prefix}Arm_RBV": _caproto.ChannelEnum(
                value="Disarm", enum_strings=("Disarm", "Arm")
            ),
            f"{prefix}Fired_RBV": _caproto.ChannelInteger(value=0),
            f"{prefix}FiredPositions_RBV": _caproto.ChannelDouble(
                value=np.zeros(0), max_length=MAX_POSITIONS, precision=6
            ),
        }
        arm = self.pvdb[f"{prefix}Arm"]
        client_write = arm.write_from_dbr

        async def write_then_arm(*args: Any, **kwargs: Any) -> Any:
            result = await client_write(*args, **kwargs)
            await self._arm(arm.value)
            return result

        arm.write_from_dbr = write_then_arm

    def _value(self, suffix: str) -> Any:
        return self.pvdb[self.prefix + suffix].value

    async def _set(self, suffix: str, value: Any) -> None:
        await self.pvdb[self.prefix + suffix].write(value, verify_value=False)

    async def _arm(self, value: Any) -> None:
        if value != "Arm":
            if self._armed is not None:
                self._armed.cancel()
                await asyncio.wait([self._armed])
            return
        if self._armed is None or self._armed.done():
            self._armed = asyncio.ensure_future(self._compare())
        await asyncio.wait([self._armed])  # busy: the put ends with the arming

    async def _compare(self) -> None:
        axis = str(self._value("Axis")).strip()
        targets = np.asarray(self._value("Positions"), dtype=np.float64)
        directions = np.sign(np.asarray(self._value("Directions"), dtype=np.int64))
        count = min(len(targets), len(directions))
        self.fired = []
        await self._set("Fired_RBV", 0)
        await self._set("Arm_RBV", "Arm")
        period = 1.0 / self.rate
        clock = self.pmac.clock
        then = clock()
        try:
            while len(self.fired) < count:
                await asyncio.sleep(period)
                now = clock()
                fired = len(self.fired)
                # every position passed since the last sample, moving its way
                while len(self.fired) < count:
                    n = len(self.fired)
                    at = self._crossing(axis, targets[n], directions[n], then, now)
                    if at is None:
                        break
                    for detector in self.detectors:
                        detector.edge(at)
                    self.fired.append(self.pmac.motor_position(axis, at))
                    then = at
                if len(self.fired) != fired:
                    await self._set("Fired_RBV", len(self.fired))
                then = now
        finally:
            await asyncio.shield(self._disarmed())

    def _crossing(
        self, axis: str, target: float, direction: int, then: float, now: float
    ) -> float | None:
        """When, between `then` and `now`, the motor reached `target` moving in
        `direction` (bisected on the shared clock), or None if it did not.

        Moving its way means from the side before the target to the target
        or beyond; a motor coming back from beyond it has not crossed it.
        """

        def past(t: float) -> float:
            return (self.pmac.motor_position(axis, t) - target) * direction

        if not past(then) < 0 <= past(now):
            return None
        for _ in range(40):  # far below a microsecond
            middle = (then + now) / 2
            if past(middle) < 0:
                then = middle
            else:
                now = middle
        return now

    async def _disarmed(self) -> None:
        await self._set("FiredPositions_RBV", np.asarray(self.fired))
        await self._set("Arm", "Disarm")
        await self._set("Arm_RBV", "Disarm")


class SimBeamline:
    """A PMAC, detectors looking at its X and Y motors, and a position compare
    (and, with `panda`, a simulated PandA) on its motors triggering the
    detectors: one process, one clock."""

    def __init__(
        self,
        prefix: str,
        *,
        motors: Sequence[Any] = (),
        detectors: int = 1,
        buffer_length: int = 1000,
        panda: bool = False,
    ) -> None:
        self.pmac = SimPmac(
            f"{prefix}PMAC:",
            list(motors) or default_motors(2),
            buffer_length=buffer_length,
        )
        self.detectors = [
            SimAreaDetector(f"{prefix}DET{n + 1}:") for n in range(detectors)
        ]
        for detector in self.detectors:
            detector.position = self._looking_at
        self.compare = PositionCompare(f"{prefix}PCOMP:", self.pmac, self.detectors)
        self.panda = SimPandA() if panda else None
        if self.panda is not None:
            self.panda.set_encoder_position(self._encoder_counts)
        self._loop: asyncio.AbstractEventLoop | None = None

    def _encoder_counts(self, number: int, seconds: float) -> float:
        """PandA encoder `number` (from 1) at its `seconds`: the counts of the
        motor it follows, read on the shared clock."""
        assert self.panda is not None
        if number > len(ENCODER_AXES):
            return 0.0
        at = self.panda.monotonic(seconds)
        return self.pmac.motor_position(ENCODER_AXES[number - 1], at) / ENCODER_SCALE

    def _panda_edge(self, name: str, level: bool, seconds: float) -> None:
        """A rising edge of `TRIGGER_OUTPUT` (PandA thread) triggers the
        detectors (their loop) at the moment it rose."""
        if name != TRIGGER_OUTPUT or not level or self._loop is None:
            return
        assert self.panda is not None
        at = self.panda.monotonic(seconds)
        for detector in self.detectors:
            self._loop.call_soon_threadsafe(detector.edge, at)

    def _looking_at(self, at: float) -> tuple[float, float]:
        return (self.pmac.motor_position("X", at), self.pmac.motor_position("Y", at))

    @property
    def pvdb(self) -> dict[str, Any]:
        pvdb = {**self.pmac.pvdb, **self.compare.pvdb}
        for detector in self.detectors:
            pvdb.update(detector.pvdb)
        return pvdb

    async def serve(self, interfaces: list[str], ready_line: str = READY) -> None:
        """Serve every device's records until cancelled."""
        self._loop = asyncio.get_running_loop()
        animation = await self.pmac.start()
        if self.panda is not None:
            self.panda.watch(self._panda_edge)
            await asyncio.to_thread(self.panda.start)
            print(PANDA_HOST_LINE + self.panda.host, flush=True)

        async def tell(_async_lib: Any) -> None:
            announce(ready_line)

        try:
            await _server.start_server(
                self.pvdb, interfaces=interfaces, startup_hook=tell
            )
        finally:
            animation.cancel()
            if self.panda is not None:
                await asyncio.to_thread(self.panda.stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A coupled simulated beamline.")
    parser.add_argument("--prefix", required=True, help="e.g. BL01:")
    parser.add_argument("--motors", default="2", help="a count, or a JSON list")
    parser.add_argument("--detectors", type=int, default=1)
    parser.add_argument("--buffer-length", type=int, default=1000)
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument(
        "--panda", action="store_true", help="a simulated PandA on the motors"
    )
    args = parser.parse_args(argv)

    async def run() -> None:
        beamline = SimBeamline(
            str(args.prefix),
            motors=motors_from_argument(str(args.motors)),
            detectors=int(args.detectors),
            buffer_length=int(args.buffer_length),
            panda=bool(args.panda),
        )
        await beamline.serve([str(args.interface)])

    asyncio.run(run())


if __name__ == "__main__":
    main()
