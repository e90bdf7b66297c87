import asyncio

import pytest

from ophyd_blueprint import (
    AsyncStatus,
    observe_value,
    set_and_wait_for_value,
    soft_signal_rw,
    wait_for_value,
)


async def test_observe_value_yields_current_then_updates_until_done():
    sig = soft_signal_rw(int, 0, name="n")

    async def count() -> None:
        for i in range(1, 4):
            await sig.set(i)
            await asyncio.sleep(0)

    status = AsyncStatus(count())
    seen = [v async for v in observe_value(sig, done_status=status, done_timeout=1)]
    assert seen == [0, 1, 2, 3]


async def test_observe_value_times_out_when_no_update_arrives():
    sig = soft_signal_rw(int, 0, name="quiet")
    with pytest.raises(TimeoutError, match=r"quiet \(soft://quiet\) gave no update"):
        async for _ in observe_value(sig, timeout=0.05):
            pass


async def test_wait_for_value_names_signal_and_last_value_on_timeout():
    sig = soft_signal_rw(str, "idle", name="state")
    with pytest.raises(TimeoutError, match="did not reach 'busy'.*last value 'idle'"):
        await wait_for_value(sig, "busy", timeout=0.05)


async def test_wait_for_value_accepts_a_predicate():
    sig = soft_signal_rw(float, 0.0, name="x")
    asyncio.get_running_loop().call_soon(sig.set, 5.0)
    assert await wait_for_value(sig, lambda v: v > 4, timeout=1) == 5.0


async def test_set_and_wait_for_value_returns_completed_status():
    sig = soft_signal_rw(float, 0.0, name="x")
    status = await set_and_wait_for_value(sig, 2.0, timeout=1)
    assert status.done
    assert status.success
    assert await sig.get_value() == 2.0
