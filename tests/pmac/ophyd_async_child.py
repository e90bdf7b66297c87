"""ophyd-async's PMAC trajectory logic flying a snake, in a child process.

A child, because ophyd-async shares pyepics' CA context when pyepics has been
imported (other tests import it), which a thread already in aioca's context
cannot; the child imports no fixture module and keeps the EPICS client
environment its parent gave it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ophyd_async.epics.motor import Motor
from ophyd_async.epics.pmac import PmacIO, PmacScanInfo, PmacTrajectoryFlyableLogic
from scanspec.core import Path
from scanspec.specs import Fly, Line


def fly_snake(prefix: str, x_record: str, y_record: str) -> dict[str, Any]:
    """Fly ``Fly(0.05 @ (Line(y, 0, 1, 3) * ~Line(x, 0, 1, 10)))``; return the
    execute status and message, the readbacks at the end, and each frame's
    lower bound and midpoint by axis letter."""
    return asyncio.run(_fly(prefix, x_record, y_record))


async def _fly(prefix: str, x_record: str, y_record: str) -> dict[str, Any]:
    x, y = Motor(x_record, name="x"), Motor(y_record, name="y")
    pmac = PmacIO(prefix, [x, y], [1], name="pmac")
    await asyncio.gather(x.connect(), y.connect(), pmac.connect())
    logic = PmacTrajectoryFlyableLogic(pmac)
    spec = Fly(0.05 @ (Line(y, 0, 1, 3) * ~Line(x, 0, 1, 10)))
    context = await logic.on_prepare(PmacScanInfo(spec, None, None))
    context = await logic.on_kickoff(context)
    await asyncio.wait_for(logic.on_complete(context), timeout=20)
    trajectory = pmac.trajectory
    frames = Path(spec.calculate()).consume()
    return {
        "status": str(await trajectory.execute_status.get_value()),
        "message": await trajectory.execute_message.get_value(),
        "total_points": await trajectory.total_points.get_value(),
        "frames": len(frames),
        "end": {
            "X": await x.user_readback.get_value(),
            "Y": await y.user_readback.get_value(),
        },
        "bounds": {
            letter: [frames.lower[m].tolist(), frames.midpoints[m].tolist()]
            for letter, m in (("X", x), ("Y", y))
        },
    }
