import bluesky.protocols as bp
import numpy as np
import pytest

from ophyd_blueprint import (
    Array1D,
    PutCall,
    ReadOnlyError,
    SignalR,
    SignalRW,
    SignalW,
    get_mock_put_calls,
    set_mock_put_proceeds,
    signal_r,
    signal_rw,
    signal_x,
    soft_signal_r_and_setter,
    soft_signal_rw,
)


async def test_soft_signal_reads_back_what_was_set():
    sig = soft_signal_rw(float, 1.5, name="sig")
    assert await sig.get_value() == 1.5
    await sig.set(2.5)
    assert await sig.get_value() == 2.5
    assert (await sig.read())["sig"]["value"] == 2.5
    assert await sig.locate() == {"setpoint": 2.5, "readback": 2.5}


async def test_wrong_type_put_names_signal_datatype_and_value():
    sig = soft_signal_rw(float, name="temp")
    with pytest.raises(TypeError) as info:
        sig.set("hot")  # type: ignore[arg-type]
    message = str(info.value)
    assert "temp" in message
    assert "float" in message
    assert "'hot'" in message


async def test_int_signal_rejects_fractional_float_and_accepts_whole_one():
    sig = soft_signal_rw(int, name="n")
    with pytest.raises(TypeError, match="expected int"):
        sig.set(1.5)  # type: ignore[arg-type]
    await sig.set(3.0)  # type: ignore[arg-type]
    assert await sig.get_value() == 3
    assert type(await sig.get_value()) is int


async def test_put_to_read_only_signal_is_a_clear_error():
    sig = signal_r(float, "soft://ro", name="ro")
    with pytest.raises(ReadOnlyError, match=r"ro \(soft://ro\) is read-only"):
        sig.set(1.0)  # type: ignore[attr-defined]
    assert not hasattr(sig, "set")
    with pytest.raises(ReadOnlyError, match="declare it with access x to trigger it"):
        sig.trigger()  # type: ignore[attr-defined]


async def test_a_trigger_is_triggered_and_never_written():
    go = signal_x("mock://go", name="go")
    await go.connect()
    await go.trigger()
    await go.trigger(wait=False)
    assert get_mock_put_calls(go) == [PutCall(None, True), PutCall(None, False)]
    assert not isinstance(go, SignalW)
    assert isinstance(go, bp.Triggerable)
    assert not isinstance(go, bp.Movable)
    with pytest.raises(
        AttributeError, match=r"go \(mock://go\) is a trigger: it has no set\(\)"
    ):
        go.set(None)  # type: ignore[attr-defined]
    assert not hasattr(go, "put")


async def test_a_trigger_that_does_not_complete_times_out_naming_its_source():
    go = signal_x("mock://slow_go", name="go")
    await go.connect()
    set_mock_put_proceeds(go, False)
    with pytest.raises(
        TimeoutError, match=r"mock://slow_go did not complete within 0.05 s"
    ):
        await go.trigger(timeout=0.05)


async def test_array_signal_keeps_its_numpy_dtype():
    sig = soft_signal_rw(Array1D[np.int16], [1, 2], name="arr")
    await sig.set(np.array([3, 4, 5], dtype=np.int8))
    value = await sig.get_value()
    assert value.dtype == np.int16
    assert value.tolist() == [3, 4, 5]
    with pytest.raises(TypeError, match="1-D array of int16"):
        sig.set(np.array([1.5]))


async def test_subscribers_get_current_value_then_every_update_in_order():
    sig = soft_signal_rw(int, 0, name="counter")
    seen: list[int] = []
    sig.subscribe_value(seen.append)
    for i in range(1, 6):
        await sig.set(i)
    sig.clear_sub(seen.append)
    await sig.set(99)
    assert seen == [0, 1, 2, 3, 4, 5]


async def test_a_failing_subscriber_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
):
    sig = soft_signal_rw(int, 0, name="counter")

    def broken(_value: int) -> None:
        raise RuntimeError("subscriber bug")

    seen: list[int] = []
    sig.subscribe_value(broken)
    sig.subscribe_value(seen.append)
    await sig.set(7)
    assert seen == [0, 7]
    assert "subscriber bug" in caplog.text


async def test_reading_subscription_gets_named_readings():
    sig = soft_signal_rw(float, 1.0, name="x")
    got: list[dict[str, object]] = []
    sig.subscribe(got.append)
    await sig.set(2.0)
    assert [list(r) for r in got] == [["x"], ["x"]]
    assert [r["x"]["value"] for r in got] == [1.0, 2.0]  # type: ignore[index]


async def test_soft_setter_updates_read_only_signal():
    sig, setter = soft_signal_r_and_setter(str, "a", name="s")
    assert isinstance(sig, SignalR)
    assert not isinstance(sig, SignalRW)
    setter("b")
    assert await sig.get_value() == "b"


async def test_describe_gives_units_precision_and_numpy_dtype():
    sig = soft_signal_rw(float, 0.0, name="t", units="K", precision=3)
    key = (await sig.describe())["t"]
    assert key == {
        "source": "soft://t",
        "dtype": "number",
        "dtype_numpy": "<f8",
        "shape": [],
        "units": "K",
        "precision": 3,
    }


async def test_signal_from_uri_picks_the_transport_of_its_scheme():
    sig = signal_rw(int, "soft://bl01-n", name="n")
    await sig.connect()
    await sig.set(4)
    assert await sig.get_value() == 4
    assert sig.source == "soft://bl01-n"


async def test_uri_without_scheme_is_a_clear_error():
    with pytest.raises(ValueError, match="has no scheme"):
        signal_r(float, "BL01:TEMP")


async def test_unknown_scheme_lists_the_known_ones():
    with pytest.raises(ImportError, match="no transport for modbus:// URIs.*soft"):
        signal_r(float, "modbus://host/1")


async def test_put_timeout_names_source_and_timeout():
    from ophyd_blueprint import set_mock_put_proceeds

    sig = signal_rw(float, "mock://slow", name="slow")
    await sig.connect()
    set_mock_put_proceeds(sig, False)
    with pytest.raises(
        TimeoutError, match=r"mock://slow did not complete within 0.05 s"
    ):
        await sig.set(1.0, timeout=0.05)


def test_each_signal_kind_reports_the_end_it_uses_as_source():
    from ophyd_blueprint import SignalW, SignalX

    from .backends import TwoEnds

    assert SignalRW(TwoEnds("test://X")).source == "test://X_RBV"
    assert SignalR(TwoEnds("test://X")).source == "test://X_RBV"
    assert SignalW(TwoEnds("test://X")).source == "test://X"
    assert SignalX(TwoEnds("test://X")).source == "test://X"  # type: ignore[arg-type]
