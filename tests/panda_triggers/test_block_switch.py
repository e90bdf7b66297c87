"""BlockSwitch: a block's ENABLE and ACTIVE, as pandablocks-ioc serves them.

pandablocks-ioc polls the PandA's changes every 0.1 s, so a block that runs
for less than that may never be seen running. Here ACTIVE is a plain record
nothing sets: the block runs "between two polls" every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ophyd_blueprint.core.transport import signal_r, signal_rw
from ophyd_blueprint.logic.panda_block import BlockSwitch
from ophyd_blueprint.logic.trigger_source import TriggerSourceError
from ophyd_blueprint.testing.ioc import EpicsIoc

RECORDS = """
record(stringout, "$(P)SEQ1:ENABLE") { field(VAL, "ZERO") }
record(bo, "$(P)SEQ1:ACTIVE") { field(ZNAM, "0") field(ONAM, "1") }
"""


@pytest.fixture(scope="module")
def ioc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpicsIoc]:
    with EpicsIoc(
        records=RECORDS, db_files=(), log_dir=tmp_path_factory.mktemp("switch")
    ) as served:
        yield served


async def switch(ioc: EpicsIoc, timeout: float) -> BlockSwitch:
    enable = signal_rw(str, f"pva://{ioc.pv('SEQ1:ENABLE')}", name="enable")
    active = signal_r(bool, f"pva://{ioc.pv('SEQ1:ACTIVE')}", name="active")
    for signal in (enable, active):
        await signal.connect(timeout=5)
    await enable.set("ZERO")
    return BlockSwitch("seq1", enable, active, timeout)


async def test_a_short_block_not_seen_running_is_taken_to_have_run(
    ioc: EpicsIoc,
) -> None:
    block = await switch(ioc, timeout=5.0)
    await block.on(runs_for=0.01)  # not seen running: no error
    assert await block.enable.get_value() == "ONE"
    assert not await block.running()


async def test_a_block_of_unknown_length_must_be_seen_running(ioc: EpicsIoc) -> None:
    block = await switch(ioc, timeout=0.5)
    with pytest.raises(TriggerSourceError, match="seq1: still stopped 0.5 s after"):
        await block.on()


async def test_a_block_longer_than_the_timeout_must_be_seen_running(
    ioc: EpicsIoc,
) -> None:
    block = await switch(ioc, timeout=0.5)
    with pytest.raises(TriggerSourceError, match="still stopped"):
        await block.on(runs_for=2.0)


async def test_a_block_seen_running_is_on_at_once(ioc: EpicsIoc) -> None:
    block = await switch(ioc, timeout=5.0)
    raised: Any = signal_rw(bool, f"pva://{ioc.pv('SEQ1:ACTIVE')}")
    await raised.connect(timeout=5)
    await raised.set(True)
    try:
        await block.on(runs_for=None)
        assert await block.running()
    finally:
        await raised.set(False)
