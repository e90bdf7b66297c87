"""ophyd-async's own PMAC trajectory logic (the reference client, pinned in the
dev dependencies) runs a snake on the simulated PMAC: the simulation behaves
as the real controller does for the client it was written against."""

from __future__ import annotations

import asyncio

import numpy as np
from ophyd_async.epics.motor import Motor
from ophyd_async.epics.pmac import PmacIO, PmacScanInfo, PmacTrajectoryFlyableLogic
from scanspec.core import Path
from scanspec.specs import Fly, Line

from ophyd_blueprint.testing.sim_ioc import SimPmacIoc

from .pvt import executed


async def test_ophyd_async_flies_a_snake_on_the_simulated_pmac(sim_pmac: SimPmacIoc):
    x, y = Motor(sim_pmac.motor(1), name="x"), Motor(sim_pmac.motor(2), name="y")
    pmac = PmacIO(sim_pmac.prefix, [x, y], [1], name="pmac")
    await asyncio.gather(x.connect(), y.connect(), pmac.connect())
    logic = PmacTrajectoryFlyableLogic(pmac)
    spec = Fly(0.05 @ (Line(y, 0, 1, 3) * ~Line(x, 0, 1, 10)))

    context = await logic.on_prepare(PmacScanInfo(spec, None, None))
    context = await logic.on_kickoff(context)
    await asyncio.wait_for(logic.on_complete(context), timeout=10)

    trajectory = pmac.trajectory
    assert await trajectory.execute_status.get_value() == "Success"
    ran = await executed(sim_pmac)
    assert await trajectory.total_points.get_value() == len(ran)
    frames = Path(spec.calculate()).consume()
    for motor, letter in ((x, "X"), (y, "Y")):
        for bound in (frames.lower[motor], frames.midpoints[motor]):
            assert np.isin(bound.round(9), ran.positions[letter].round(9)).all()
    half_frames = np.count_nonzero(ran.durations.round(9) == 0.025)
    assert half_frames >= len(frames) * 2 - 3, "two points a frame, 0.025 s each"
