import time

import pytest

from ophyd_blueprint import (
    Device,
    DeviceVector,
    NotConnectedError,
    SignalR,
    SignalRW,
    soft_signal_rw,
)
from ophyd_blueprint.core.errors import MAX_LINES

from .backends import NeverConnects, RefusesToConnect


class Axis(Device):
    def __init__(self, name: str = "") -> None:
        self.setpoint = soft_signal_rw(float)
        self.readback = soft_signal_rw(float)
        super().__init__(name)


class Stage(Device):
    def __init__(self, name: str = "") -> None:
        self.x = Axis()
        self.y = Axis()
        self.channels = DeviceVector({1: soft_signal_rw(int), 2: soft_signal_rw(int)})
        super().__init__(name)


def test_children_are_named_parent_dash_child():
    stage = Stage("stage")
    assert stage.x.readback.name == "stage-x-readback"
    assert stage.channels[2].name == "stage-channels-2"
    assert stage.x.parent is stage
    assert [name for name, _ in stage.children()] == ["x", "y", "channels"]


def test_renaming_renames_the_whole_tree():
    stage = Stage("stage")
    stage.set_name("sample")
    assert stage.y.setpoint.name == "sample-y-setpoint"


class Broken(Device):
    def __init__(self, name: str = "") -> None:
        self.ok = soft_signal_rw(float)
        self.silent = SignalR(NeverConnects("test://BL:SILENT"))
        self.deep = Device()
        self.deep.refused = SignalRW(RefusesToConnect("test://BL:REFUSED"))
        super().__init__(name)


async def test_connect_gathers_every_failure_into_one_tree():
    device = Broken("broken")
    with pytest.raises(NotConnectedError) as info:
        await device.connect(timeout=0.2)
    leaves = info.value.leaves()
    assert set(leaves) == {"silent", "deep.refused"}
    text = str(info.value)
    assert text.startswith(
        "broken: 2 of 3 signals did not connect (1 did not answer)\n"
    )
    assert "silent: test://BL:SILENT: no answer within 0.2 s" in text
    assert "deep:\n  refused: test://BL:REFUSED: refused" in text
    # the signal that connected stays usable
    await device.ok.set(1.0)
    assert await device.ok.get_value() == 1.0


async def test_a_dead_server_behind_many_signals_is_one_screen_not_thousands():
    silent = DeviceVector(
        {i: SignalR(NeverConnects(f"test://BL:PV{i}")) for i in range(300)},
        name="bench",
    )
    with pytest.raises(NotConnectedError) as info:
        await silent.connect(timeout=0.1)
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "bench: 300 of 300 signals did not connect: "
        "none answered (server down, or wrong names?)"
    )
    assert lines[1] == "0: test://BL:PV0: no answer within 0.1 s"
    assert len(lines) == 1 + MAX_LINES + 1
    assert lines[-1] == f"... and {300 - MAX_LINES} more (all of them: .leaves())"
    assert len(info.value.leaves()) == 300
    assert info.value.silent() == 300


async def test_a_lone_signal_puts_its_error_on_the_line_below_the_summary():
    silent = SignalR(NeverConnects("test://BL:ALONE"), name="alone")
    with pytest.raises(NotConnectedError) as info:
        await silent.connect(timeout=0.1)
    assert str(info.value).splitlines() == [
        "alone: 1 of 1 signals did not connect: "
        "none answered (server down, or wrong names?)",
        "alone: test://BL:ALONE: no answer within 0.1 s",
    ]
    assert info.value.silent() == 1


@pytest.mark.parametrize("timeout", [0.2, 0.5])
async def test_connect_timeout_is_honoured_within_ten_percent(timeout: float):
    device = Broken("broken")
    start = time.monotonic()
    with pytest.raises(NotConnectedError):
        await device.connect(timeout=timeout)
    elapsed = time.monotonic() - start
    assert timeout <= elapsed <= timeout * 1.10


async def test_mock_connect_contacts_nothing_and_restores_on_real_connect():
    device = Broken("broken")
    await device.connect(mock=True, timeout=0.1)
    assert device.silent.source == "mock+test://BL:SILENT"
    assert await device.silent.get_value() == 0.0
    with pytest.raises(NotConnectedError):
        await device.connect(timeout=0.05)
    assert device.silent.source == "test://BL:SILENT"


async def test_a_silent_source_is_a_no_answer_error():
    from ophyd_blueprint import NoAnswerError

    device = Broken("broken")
    with pytest.raises(NotConnectedError) as info:
        await device.connect(timeout=0.1)
    leaves = info.value.leaves()
    assert isinstance(leaves["silent"], NoAnswerError)
    assert not isinstance(leaves["deep.refused"], NoAnswerError)


def test_a_signal_is_a_leaf_and_refuses_children():
    sig = soft_signal_rw(float, name="leaf")
    assert list(sig.children()) == []
    sig.set_name("renamed")
    assert sig.name == "renamed"
    with pytest.raises(TypeError, match="renamed is a signal: no children"):
        sig.add_child("x", soft_signal_rw(float))


def test_a_child_that_is_not_there_is_named_with_the_nearest_one():
    device = Device(name="seq")
    device.add_child("table", soft_signal_rw(float))
    device.add_child("enable", soft_signal_rw(float))
    with pytest.raises(AttributeError) as info:
        device.child("tabel")
    assert str(info.value) == (
        "seq has no child 'tabel' (did you mean 'table'?); children: table, enable"
    )
    with pytest.raises(AttributeError, match=r"no child 'zzz'; children: "):
        device.child("zzz")
