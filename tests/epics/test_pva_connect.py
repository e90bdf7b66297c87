"""PVA connect, put completion, triggers, separate read/write PVs, server choice."""

import asyncio
import time

import pytest

from ophyd_blueprint.core.device import Device
from ophyd_blueprint.core.errors import NotConnectedError
from ophyd_blueprint.core.observe import wait_for_value
from ophyd_blueprint.core.transport import signal_r, signal_rw, signal_x
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.transports.pva import use_pva_config


async def test_connect_to_a_missing_pv_names_it_and_the_timeout():
    sig = signal_r(float, "pva://PVA-TEST:NOBODY", name="missing")
    start = time.monotonic()
    with pytest.raises(NotConnectedError) as info:
        await sig.connect(timeout=0.5)
    elapsed = time.monotonic() - start
    assert "pva://PVA-TEST:NOBODY" in str(info.value)
    assert "0.5 s" in str(info.value)
    assert 0.45 <= elapsed <= 0.55


async def test_signals_connect_in_parallel_within_one_timeout(epics_ioc: EpicsIoc):
    device = Device("dev")
    for i in range(20):
        setattr(device, f"missing{i}", signal_r(float, f"pva://PVA-TEST:NONE{i}"))
    device.present = signal_r(float, f"pva://{epics_ioc.pv('AI')}")
    start = time.monotonic()
    with pytest.raises(NotConnectedError) as info:
        await device.connect(timeout=0.5)
    assert time.monotonic() - start <= 0.55
    failed = info.value.leaves()
    assert len(failed) == 20
    assert "present" not in failed


async def test_put_with_completion_waits_for_processing(epics_ioc: EpicsIoc):
    sig = signal_rw(float, f"pva://{epics_ioc.pv('SLOW')}")
    done = signal_r(float, f"pva://{epics_ioc.pv('SLOW_RBV')}")
    await asyncio.gather(sig.connect(timeout=5), done.connect(timeout=5))
    start = time.monotonic()
    await sig.set(4.0, wait=False)
    assert time.monotonic() - start < 0.25
    await wait_for_value(done, 4.0, timeout=5)  # its processing has ended
    start = time.monotonic()
    await sig.set(3.0, wait=True)
    assert time.monotonic() - start >= 0.25
    assert await done.get_value() == 3.0


async def test_put_that_outlasts_its_timeout_names_the_pv(epics_ioc: EpicsIoc):
    sig = signal_rw(float, f"pva://{epics_ioc.pv('SLOW')}")
    await sig.connect(timeout=5)
    with pytest.raises(TimeoutError, match=epics_ioc.pv("SLOW")):
        await sig.set(5.0, timeout=0.1)


async def test_trigger_processes_the_record(epics_ioc: EpicsIoc):
    trigger = signal_x(f"pva://{epics_ioc.pv('TRIG.PROC')}")
    count = signal_r(float, f"pva://{epics_ioc.pv('TRIG')}")
    await asyncio.gather(trigger.connect(timeout=5), count.connect(timeout=5))
    before = await count.get_value()
    await trigger.trigger()
    assert await count.get_value() == before + 1


async def test_separate_read_and_write_pvs(epics_ioc: EpicsIoc):
    sig = signal_rw(
        float,
        f"pva://{epics_ioc.pv('X')}",
        read_source=f"pva://{epics_ioc.pv('X_RBV')}",
        name="x",
    )
    await sig.connect(timeout=5)
    await sig.set(1.25)
    assert await sig.locate() == {"setpoint": 1.25, "readback": 1.25}


async def test_use_pva_config_points_new_signals_at_one_server(
    epics_ioc: EpicsIoc, epics_ioc_qsrv1: EpicsIoc
):
    previous = use_pva_config(epics_ioc_qsrv1.pva_conf())
    try:
        there = signal_r(int, f"pva://{epics_ioc_qsrv1.pv('LONGIN')}")
        elsewhere = signal_r(int, f"pva://{epics_ioc.pv('LONGIN')}")
    finally:
        use_pva_config(previous)
    await there.connect(timeout=5)
    assert await there.get_value() == 42
    with pytest.raises(NotConnectedError):
        await elsewhere.connect(timeout=0.3)
