"""``trigger.PandaPcomp``: a PandA position-compare block as a trigger source.

Bound to one PCOMP block's fields (``pcomp.1.start``...) and, to prepare from
a spec, the encoder's scale and offset. `prepare` takes a `PcompInfo` (counts
given explicitly) or a line (``Fly(0.01 @ Line(x, 0, 1, 100))``: a pulse at
the start of each frame, `pcomp_from_spec`), or such a line's `FlyPath`
from a frame on (a paused scan resumed: pulses from that frame's start);
``with:`` `axis` names the motor on the block's input.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from ophyd_blueprint.core import FlyPath, SignalR, SignalRW, path_of

from .base import READABLE, WRITABLE, SettingsRules, role
from .panda.encoders import Encoder, PandaPlanError
from .panda.pcomp import PcompInfo, pcomp_from_spec
from .panda_block import BlockSwitch
from .trajectory_scanspec import Spec
from .trigger_source import TriggerSource

__all__ = ["PandaPcomp"]

RW = READABLE & WRITABLE
ENUM = frozenset({"enum", "str"})
NUMBER = frozenset({"float", "int"})


class PandaPcomp(TriggerSource):
    """Pulses at evenly spaced encoder counts, from a `PcompInfo` or a line.

    ``with:`` `axis` (the motor on the block's input, for specs),
    `pulse_width` (a pulse's fraction of a frame, default 0.5), `timeout`
    (seconds the pulses may take beyond the line's duration; the whole wait
    for a `PcompInfo`, default 60).
    """

    roles = (
        role("enable", RW, ENUM, doc="PCOMPn:ENABLE, a bit mux: ZERO or ONE"),
        role("active", READABLE, doc="PCOMPn:ACTIVE"),
        role("start", RW, NUMBER, doc="first pulse, counts"),
        role("width", RW, NUMBER, doc="pulse width, counts"),
        role("step", RW, NUMBER, doc="between rising edges, counts"),
        role("pulses", RW, NUMBER, doc="pulses before it stops (0: forever)"),
        role("dir", RW, ENUM, doc="Positive / Negative / Either"),
        role("pre_start", RW, NUMBER, required=False, doc="counts short of start"),
        role("relative", RW, ENUM, required=False, doc="Absolute / Relative"),
        role("scale", READABLE, NUMBER, required=False, doc="input's units per count"),
        role("offset", READABLE, NUMBER, required=False, doc="input's offset"),
    )
    params = {"axis": str, "pulse_width": float, "timeout": float}
    settings = SettingsRules(never=frozenset({"enable"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seconds = 0.0

    @property
    def switch(self) -> BlockSwitch:
        return BlockSwitch(
            self.device.name, self.bound["enable"], self.bound["active"], 10.0
        )

    def accepts(self, value: object) -> int:
        if isinstance(value, PcompInfo):
            return 3
        spec = value.spec if isinstance(value, FlyPath) else value
        return 2 if isinstance(spec, Spec) else 0

    async def prepare_source(self, value: Any) -> None:
        if isinstance(value, PcompInfo):
            info, self._seconds = value, 0.0
        else:
            info = await self._from_path(path_of(value))
        await self.halt()
        writes = {
            "start": info.start,
            "width": info.width,
            "step": info.step,
            "pulses": info.pulses,
            "dir": info.direction.value,
            "pre_start": info.pre_start,
            "relative": "Absolute",
        }
        await asyncio.gather(
            *(
                cast(SignalRW[Any], self.bound[name]).set(v, timeout=10.0)
                for name, v in writes.items()
                if name in self.bound
            )
        )

    async def _from_path(self, path: FlyPath) -> PcompInfo:
        spec = cast(Spec[Any], path.spec)
        wanted = self.config.get("axis")
        axes = {str(getattr(a, "name", a)): a for a in spec.axes()}
        if wanted is None or str(wanted) not in axes:
            raise PandaPlanError(
                f"{self.device.name}: position compare follows the motor named by "
                f"with: axis ({wanted!r}); the spec moves {', '.join(axes)}"
            )
        scale, offset = await asyncio.gather(
            self._number("scale", 1.0), self._number("offset", 0.0)
        )
        info = pcomp_from_spec(
            spec,
            axes[str(wanted)],
            Encoder("A", scale, offset),
            width=float(self.config.get("pulse_width", 0.5)),
            first=path.start,
        )
        duration = spec.duration()
        self._seconds = info.pulses * duration if isinstance(duration, float) else 0.0
        return info

    async def _number(self, role_name: str, default: float) -> float:
        signal = self.bound.get(role_name)
        if signal is None:
            return default
        return float(await cast(SignalR[Any], signal).get_value())

    async def start(self) -> None:
        await self.switch.on()

    async def finished(self) -> None:
        await self.switch.until(
            False, self._seconds + float(self.config.get("timeout", 60.0))
        )

    async def halt(self) -> None:
        await self.switch.off()
