"""detector.FileDetector composing a trigger source beside its capture.

A PandA is one device that captures and triggers. Here areaDetector's
simulation (capturing to HDF5) and a real PandA sequencer (through
pandablocks-ioc) are composed into one device the same way: the detector's
verbs go to both parts.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from ophyd_blueprint import TriggerInfo, load_beamline, wait_for_value
from ophyd_blueprint.logic.panda import SeqTableInfo, seq_table
from ophyd_blueprint.logic.trigger_source import TriggerSourceError
from ophyd_blueprint.testing.panda_ioc import PandaIoc
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

from .test_triggers_on_ioc import DATA, edges

DEVICES = Path(__file__).parents[2] / "devices"
PULSES = seq_table([{"repeats": 3, "time1": 1000, "outa1": True, "time2": 1000}])
FRAMES = TriggerInfo(number_of_events=4, livetime=0.002, deadtime=0.002)


@pytest.fixture(scope="module")
def sim_detector_ioc(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SimDetectorIoc]:
    with SimDetectorIoc(log_dir=tmp_path_factory.mktemp("sim-det")) as ioc:
        yield ioc


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def det(
    panda_ioc: PandaIoc,
    sim_detector_ioc: SimDetectorIoc,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Any]:
    directory = tmp_path_factory.mktemp("bl")
    path = directory / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: composed
            blueprints: [{DEVICES}, {DATA}]
            defaults: {{protocol: ca, timeout: 5.0, data_dir: "{directory}"}}
            devices:
              det: {{blueprint: TriggeredSimDetector,
                    with: {{prefix: "{sim_detector_ioc.prefix}",
                           panda: "{panda_ioc.prefix}"}}}}
            """
        )
    )
    beamline = load_beamline(path)
    report = await beamline.connect()
    assert report.ok, str(report)
    device: Any = beamline.det
    await device.cam.acquire_time.set(0.002)
    await device.cam.acquire_period.set(0.004)
    await device.stage()
    try:
        yield device
    finally:
        await device.unstage()


async def test_prepare_sends_each_value_to_the_part_that_takes_it(
    det: Any, panda_ioc: PandaIoc
) -> None:
    start = await det.get_index()
    await asyncio.gather(det.prepare(FRAMES), det.prepare(SeqTableInfo(PULSES)))
    with edges(panda_ioc, "SEQ2.OUTA") as rises:
        # a fly scan kicks the device off as detector and as trigger
        await det.kickoff()
        await det.kickoff()
        first, second = det.complete(), det.complete()
        assert first is second
        await first
    assert await det.get_index() - start == 4
    assert len(rises) == 3
    assert not await det.seq_active.get_value()


async def test_a_table_that_ends_between_two_polls_of_active_is_kicked_off(
    det: Any, panda_ioc: PandaIoc
) -> None:
    """pandablocks-ioc asks the PandA for changes every 0.1 s: three pulses
    of 10 us may start and end in between, ACTIVE never reading 1."""
    quick = seq_table([{"repeats": 3, "time1": 10, "outa1": True, "time2": 10}])
    few = TriggerInfo(number_of_events=1, livetime=0.002, deadtime=0.002)
    await asyncio.gather(det.prepare(few), det.prepare(SeqTableInfo(quick)))
    with edges(panda_ioc, "SEQ2.OUTA") as rises:
        await det.kickoff()
        await det.complete()
    assert len(rises) == 3
    assert not await det.seq_active.get_value()


async def test_stop_stops_the_capture_and_the_trigger_source(det: Any) -> None:
    forever = seq_table([{"repeats": 0, "time1": 1000, "outa1": True, "time2": 1000}])
    many = TriggerInfo(number_of_events=10_000, livetime=0.002, deadtime=0.002)
    await asyncio.gather(det.prepare(many), det.prepare(SeqTableInfo(forever)))
    await det.kickoff()
    assert await det.seq_active.get_value()
    await det.stop()
    assert not await det.seq_active.get_value()
    await wait_for_value(det.cam.acquire, False, 5.0)


async def test_a_value_no_part_takes_is_a_clear_error(det: Any) -> None:
    with pytest.raises(TriggerSourceError, match="no trigger source takes a str"):
        await det.prepare("every second frame")
