"""``trigger.PandaSeq``: a PandA sequencer triggering along a scanspec path.

Bound to one SEQ block (``seq.1.table``, ``seq.1.enable``...) and, for each
position input the sequencer gates on, the encoder's scale and offset
(``inenc.1.val_scale``...). ``with:`` says which motor is on which input
(``posa_axis: x``, matched by the motor's name) and optionally what to wire
to it (``posa_source: INENC1.VAL``). `prepare(spec)` plans the tables
(`SeqPlanner`: the first is ready at once, whatever the scan's size) and
writes the first; the rest load while it runs. `prepare(FlyPath(spec, n))`
(a paused scan resumed) plans the tables from frame n on, its window gated
where the motor ramps into it. A scan the tables cannot
express is refused here, with the reason (`PandaPlanError`).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any, cast

from ophyd_blueprint.core import FlyPath, SignalR, path_of

from .base import READABLE, role
from .panda.encoders import INPUTS, Encoder
from .panda.seq_planner import SeqPlanner, SeqSegment
from .panda.seq_table import MAX_ROWS
from .panda_seq_block import ENUM, NUMBER, RW, SeqBlockSource
from .trajectory_scanspec import Spec

__all__ = ["PandaSeq"]


def _position_roles() -> tuple[Any, ...]:
    roles: list[Any] = []
    for letter in INPUTS.lower():
        roles += [
            role(f"pos{letter}", RW, ENUM, required=False, doc=f"SEQn:POS{letter}"),
            role(f"pos{letter}_scale", READABLE, NUMBER, required=False),
            role(f"pos{letter}_offset", READABLE, NUMBER, required=False),
        ]
    return tuple(roles)


class PandaSeq(SeqBlockSource):
    """Sequencer tables from a scanspec path, gated by encoder positions.

    ``with:`` `posa_axis`/`posb_axis`/`posc_axis` (the motor on each input),
    `posa_source`.. (the position bus value wired to it at prepare; else as
    the PandA is wired), `deadtime` (seconds each frame ends with the trigger
    low, default one tick), `tick` (seconds, default 1e-6), `trigger` and
    `gate` (output letters, default ``A`` and none), `max_rows` (the rows a
    table holds, default 4096: the SEQ block's), `timeout` (seconds beyond the
    scan's duration, default 10).
    """

    roles = SeqBlockSource.roles + _position_roles()
    params = {
        **{f"pos{x}_axis": str for x in INPUTS.lower()},
        **{f"pos{x}_source": str for x in INPUTS.lower()},
        "deadtime": float,
        "tick": float,
        "trigger": str,
        "gate": str,
        "max_rows": int,
        "timeout": float,
    }

    def accepts(self, value: object) -> int:
        spec = value.spec if isinstance(value, FlyPath) else value
        return 3 if isinstance(spec, Spec) else 0

    async def prepare_source(self, value: Any) -> None:
        path = path_of(value)
        spec = cast(Spec[Any], path.spec)
        encoders = await self._encoders(spec)
        gate = str(self.config.get("gate", "")) or None
        tick = float(self.config.get("tick", 1e-6))

        def plan() -> tuple[SeqPlanner, Iterator[SeqSegment]]:
            planner = SeqPlanner(
                spec,
                encoders,
                deadtime=float(self.config.get("deadtime", 0.0)),
                tick=tick,
                trigger=str(self.config.get("trigger", "A")),
                gate=gate,
                max_rows=int(self.config.get("max_rows", MAX_ROWS)),
                start=path.start,
            )
            segments = iter(planner)
            return planner, itertools.chain([next(segments)], segments)

        # the first table of any scan is quick, but a long 1-D line's own
        # arrays (scanspec's) are not: off the event loop
        planner, segments = await asyncio.get_running_loop().run_in_executor(None, plan)
        await self._wire()
        seconds = planner.frames * (planner.time1 + planner.time2) * tick
        await self.load(segments, tick, seconds)

    async def _encoders(self, spec: Spec[Any]) -> dict[Any, Encoder]:
        by_name = {str(getattr(a, "name", a)): a for a in spec.axes()}
        encoders: dict[Any, Encoder] = {}
        for letter in INPUTS:
            name = self.config.get(f"pos{letter.lower()}_axis")
            if name is None or str(name) not in by_name:
                continue
            scale, offset = await asyncio.gather(
                self._number(f"pos{letter.lower()}_scale", 1.0),
                self._number(f"pos{letter.lower()}_offset", 0.0),
            )
            encoders[by_name[str(name)]] = Encoder(letter, scale, offset)
        return encoders

    async def _number(self, role_name: str, default: float) -> float:
        signal = self.bound.get(role_name)
        if signal is None:
            return default
        return float(await cast(SignalR[Any], signal).get_value())

    async def _wire(self) -> None:
        writes = [
            self._rw(f"pos{x}").set(str(self.config[f"pos{x}_source"]))
            for x in INPUTS.lower()
            if f"pos{x}_source" in self.config and f"pos{x}" in self.bound
        ]
        await asyncio.gather(*writes)
