"""ophyd-async's own PMAC trajectory logic (the reference client, pinned in the
dev dependencies) flies a snake on the simulated PMAC: the simulation behaves
as the real controller does for the client written against it."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ophyd_blueprint.testing.sim_ioc import SimPmacIoc

from .ophyd_async_child import fly_snake
from .pvt import executed


async def test_ophyd_async_flies_a_snake_on_the_simulated_pmac(sim_pmac: SimPmacIoc):
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        job = pool.submit(
            fly_snake, sim_pmac.prefix, sim_pmac.motor(1), sim_pmac.motor(2)
        )
        flown = await asyncio.wait_for(asyncio.wrap_future(job), timeout=60)

    assert (flown["status"], flown["message"]) == (
        "Success",
        "Trajectory scan complete",
    )
    ran = await executed(sim_pmac)
    assert flown["total_points"] == len(ran)
    for letter, bounds in flown["bounds"].items():
        for bound in bounds:  # each frame's lower bound and midpoint was a point
            assert np.isin(np.round(bound, 9), ran.positions[letter].round(9)).all()
    half_frames = np.count_nonzero(ran.durations.round(9) == 0.025)
    assert half_frames >= flown["frames"] * 2 - 3, "two points a frame, 0.025 s each"
