"""A connect failure carries its facts, whoever raised it.

A backend written by someone else may raise any exception; `Device.connect`
makes it one of ours, about the failed node's source, chained to the original.
"""

from __future__ import annotations

import pytest

from ophyd_blueprint import (
    Device,
    NoAnswerError,
    NotConnectedError,
    SignalR,
    soft_signal_rw,
)

from .backends import NeverConnects


class Crashes(NeverConnects):
    """A backend whose client library raises its own exception."""

    async def connect(self, timeout: float) -> None:
        raise RuntimeError("client library exploded")


class TimesOut(NeverConnects):
    """A backend that gives up waiting with a bare `TimeoutError`."""

    async def connect(self, timeout: float) -> None:
        raise TimeoutError


class Beamline(Device):
    def __init__(self, name: str = "") -> None:
        self.ok = soft_signal_rw(float)
        self.crash = SignalR(Crashes("test://BL:CRASH"))
        self.slow = SignalR(TimesOut("test://BL:SLOW"))
        super().__init__(name)


async def test_a_foreign_exception_becomes_a_leaf_about_the_signal_s_source():
    with pytest.raises(NotConnectedError) as caught:
        await Beamline("bl").connect(timeout=1.0)
    crash = caught.value.leaves()["crash"]
    assert isinstance(crash, NotConnectedError)
    assert (crash.source, crash.kind) == ("test://BL:CRASH", "error")
    assert crash.reason == "RuntimeError: client library exploded"
    assert isinstance(crash.__cause__, RuntimeError)
    assert "crash: test://BL:CRASH: RuntimeError: client library exploded" in str(
        caught.value
    )


async def test_a_foreign_timeout_is_silence_about_the_signal_s_source():
    with pytest.raises(NotConnectedError) as caught:
        await Beamline("bl").connect(timeout=1.0)
    slow = caught.value.leaves()["slow"]
    assert isinstance(slow, NoAnswerError)
    assert (slow.source, slow.kind, slow.timeout) == (
        "test://BL:SLOW",
        "no answer",
        1.0,
    )
    assert slow.reason == "TimeoutError"
    assert caught.value.silent() == 1


async def test_a_signal_connected_alone_wraps_it_the_same_way():
    signal = SignalR(Crashes("test://BL:ALONE"), name="alone")
    with pytest.raises(NotConnectedError) as caught:
        await signal.connect(timeout=1.0)
    leaf = caught.value.leaves()["alone"]
    assert isinstance(leaf, NotConnectedError)
    assert leaf.source == "test://BL:ALONE"
    assert isinstance(leaf.__cause__, RuntimeError)
