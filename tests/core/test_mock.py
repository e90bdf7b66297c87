import asyncio

import pytest

from ophyd_blueprint import (
    PutCall,
    callback_on_mock_put,
    get_mock_put_calls,
    set_mock_put_error,
    set_mock_put_proceeds,
    set_mock_value,
    signal_r,
    signal_rw,
    soft_signal_rw,
)


async def test_mock_records_puts_and_reads_what_a_test_sets():
    sig = signal_rw(float, "mock://x", name="x")
    await sig.connect()
    await sig.set(1.0)
    await sig.set(2.0, wait=False)
    assert get_mock_put_calls(sig) == [PutCall(1.0, True), PutCall(2.0, False)]
    set_mock_value(sig, 5.0)
    assert await sig.get_value() == 5.0


async def test_mock_put_can_hang_until_released():
    sig = signal_rw(int, "mock://n", name="n")
    await sig.connect()
    set_mock_put_proceeds(sig, False)
    status = sig.set(3)
    await asyncio.sleep(0.01)
    assert not status.done
    set_mock_put_proceeds(sig, True)
    await status.wait(1)
    assert await sig.get_value() == 3


async def test_mock_put_can_fail():
    sig = signal_rw(int, "mock://n", name="n")
    await sig.connect()
    set_mock_put_error(sig, RuntimeError("motor fault"))
    with pytest.raises(RuntimeError, match="motor fault"):
        await sig.set(1)


async def test_mock_put_callback_can_drive_another_signal():
    setpoint = signal_rw(float, "mock://sp", name="sp")
    readback = signal_r(float, "mock://rbv", name="rbv")
    await setpoint.connect()
    await readback.connect()
    callback_on_mock_put(setpoint, lambda value, wait: set_mock_value(readback, value))
    await setpoint.set(4.0)
    assert await readback.get_value() == 4.0


async def test_mock_helpers_refuse_a_real_signal():
    sig = soft_signal_rw(float, name="real")
    with pytest.raises(RuntimeError, match="real is not in mock mode"):
        set_mock_value(sig, 1.0)
