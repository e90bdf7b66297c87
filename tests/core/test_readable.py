import asyncio

import bluesky.protocols as bp
import numpy as np
import pytest

from ophyd_blueprint import (
    Array1D,
    AsyncStatus,
    ReadCategory,
    SignalRW,
    SignalX,
    StandardReadable,
    WatchableAsyncStatus,
    WatcherUpdate,
    signal_x,
    soft_signal_rw,
)


class Detector(StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(ReadCategory.HINTED):
            self.counts = soft_signal_rw(int, 5)
        with self.add_children_as_readables(ReadCategory.NORMAL):
            self.spectrum = soft_signal_rw(Array1D[np.uint8], [1, 2, 3])
        with self.add_children_as_readables(ReadCategory.CONFIG):
            self.exposure = soft_signal_rw(float, 0.1, units="s")
        self.internal = soft_signal_rw(float)
        super().__init__(name)


class Station(StandardReadable):
    def __init__(self, name: str = "") -> None:
        self.det = Detector()
        self.add_readables([self.det], "hinted")
        super().__init__(name)


async def test_read_describe_and_hints_follow_categories():
    det = Detector("det")
    reading = await det.read()
    assert set(reading) == {"det-counts", "det-spectrum"}
    assert reading["det-counts"]["value"] == 5
    described = await det.describe()
    assert described["det-spectrum"]["dtype_numpy"] == "|u1"
    assert described["det-spectrum"]["shape"] == [3]
    assert set(await det.read_configuration()) == {"det-exposure"}
    assert (await det.describe_configuration())["det-exposure"]["units"] == "s"
    assert det.hints == {"fields": ["det-counts"]}


async def test_nested_readables_compose_reads_and_hints():
    station = Station("st")
    assert set(await station.read()) == {"st-det-counts", "st-det-spectrum"}
    assert station.hints == {"fields": ["st-det-counts"]}


def test_bluesky_protocols_are_satisfied():
    det = Detector("det")
    sig: SignalRW[float] = soft_signal_rw(float, name="s")
    trig: SignalX = signal_x("soft://go")
    assert isinstance(det, bp.Readable)
    assert isinstance(det, bp.Configurable)
    assert isinstance(det, bp.Stageable)
    assert isinstance(det, bp.HasHints)
    assert isinstance(sig, bp.Movable)
    assert isinstance(sig, bp.Locatable)
    assert isinstance(sig, bp.Subscribable)
    assert isinstance(sig, bp.Readable)
    assert isinstance(trig, bp.Triggerable)
    assert not isinstance(det.counts, bp.Triggerable)
    ro = det.counts
    assert isinstance(ro, bp.Readable)


async def test_async_status_runs_callbacks_and_reports_errors():
    async def fail() -> None:
        raise ValueError("nope")

    done: list[AsyncStatus] = []
    status = AsyncStatus(fail(), name="op")
    assert isinstance(status, bp.Status)
    status.add_callback(done.append)
    with pytest.raises(ValueError, match="nope"):
        await status
    assert done == [status]
    assert status.done
    assert not status.success
    assert isinstance(status.exception(), ValueError)


async def test_status_wait_timeout_names_the_operation():
    status = AsyncStatus(asyncio.sleep(10), name="slow-move")
    with pytest.raises(TimeoutError, match="slow-move did not finish within 0.05 s"):
        await status.wait(0.05)
    status.cancel()
    with pytest.raises(asyncio.CancelledError):
        await status


async def test_watchable_status_reports_progress_to_watchers():
    async def move():
        for current in (0.0, 0.5, 1.0):
            yield WatcherUpdate(current=current, initial=0.0, target=1.0, name="x")

    status = WatchableAsyncStatus(move(), name="x")
    assert isinstance(status, bp.Status)
    seen: list[float] = []

    def watcher(*, current: float, **_: object) -> None:
        seen.append(current)

    status.watch(watcher)
    await status
    assert seen == [0.0, 0.5, 1.0]
    last = status.last_update
    assert last is not None
    assert last.time_elapsed is not None


async def test_child_devices_give_config_to_configuration_and_readings_to_read():
    class Stage(StandardReadable):
        def __init__(self, name: str = "") -> None:
            self.det = Detector()
            self.add_readables([self.det], ReadCategory.HINTED)
            self.add_readables([self.det], ReadCategory.CONFIG)
            super().__init__(name)

    stage = Stage("st")
    assert set(await stage.read()) == {"st-det-counts", "st-det-spectrum"}
    assert set(await stage.read_configuration()) == {"st-det-exposure"}
    assert set(await stage.describe_configuration()) == {"st-det-exposure"}
    assert set(await stage.describe()) == {"st-det-counts", "st-det-spectrum"}
