"""The simulated PandA, driven by the real pandablocks client library."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from pandablocks.asyncio import AsyncioClient
from pandablocks.commands import (
    Arm,
    ChangeGroup,
    CommandError,
    Disarm,
    Get,
    GetBlockInfo,
    GetChanges,
    GetFieldInfo,
    Put,
)
from pandablocks.responses import (
    EndData,
    EndReason,
    FrameData,
    ReadyData,
    StartData,
    TableFieldInfo,
)
from pandablocks.utils import table_to_words

from ophyd_blueprint.testing.panda_ioc import PandaIoc
from ophyd_blueprint.testing.sim_panda import SimPandA

TIMEOUT = 10.0
TICK = 8e-9
COUNTS_PER_SECOND = 100_000.0


def ramp(number: int, seconds: float) -> float:
    """Encoder n moves at n * 100000 counts/s."""
    return number * COUNTS_PER_SECOND * seconds


@pytest.fixture
def sim() -> Iterator[SimPandA]:
    with SimPandA(encoder_position=ramp) as panda:
        yield panda


@pytest_asyncio.fixture
async def client(sim: SimPandA) -> AsyncIterator[AsyncioClient]:
    async with AsyncioClient(sim.host) as connected:
        yield connected


async def send_all(client: AsyncioClient, *puts: tuple[str, str | list[str]]) -> None:
    for field, value in puts:
        await client.send(Put(field, value), timeout=TIMEOUT)


Captured = tuple[StartData, np.ndarray, EndData]


async def capture(
    client: AsyncioClient, run: Callable[[], Awaitable[None]], scaled: bool = False
) -> Captured:
    """Connect to the data port, arm, `run` the experiment, return its data."""
    ready = asyncio.Event()
    start: list[StartData] = []
    frames: list[np.ndarray] = []

    async def collect() -> EndData:
        async for data in client.data(scaled=scaled, frame_timeout=TIMEOUT):
            if isinstance(data, ReadyData):
                ready.set()
            elif isinstance(data, StartData):
                start.append(data)
            elif isinstance(data, FrameData):
                frames.append(data.data)
            elif isinstance(data, EndData):
                return data
        raise AssertionError("the data stream ended without END")

    task = asyncio.create_task(collect())
    await asyncio.wait_for(ready.wait(), TIMEOUT)
    await client.send(Arm(), timeout=TIMEOUT)
    await run()
    end = await asyncio.wait_for(task, TIMEOUT)
    return start[0], np.concatenate(frames) if frames else np.array([]), end


def seq_words(info: TableFieldInfo, rows: list[dict[str, int]]) -> list[str]:
    columns = {name: [row.get(name, 0) for row in rows] for name in info.fields}
    return table_to_words(columns, info)


async def test_the_real_client_reads_blocks_fields_and_tables(
    client: AsyncioClient,
) -> None:
    blocks = await client.send(GetBlockInfo(), timeout=TIMEOUT)
    assert {b: i.number for b, i in blocks.items()}.items() >= {
        "PCAP": 1,
        "SEQ": 2,
        "PCOMP": 2,
        "INENC": 4,
        "PULSE": 2,
        "TTLOUT": 2,
        "CLOCK": 1,
        "COUNTER": 1,
        "BITS": 1,
    }.items()
    seq = await client.send(GetFieldInfo("SEQ"), timeout=TIMEOUT)
    table = seq["TABLE"]
    assert isinstance(table, TableFieldInfo)
    assert table.max_length == 4096
    assert table.row_words == 4
    assert list(table.fields)[:4] == ["REPEATS", "TRIGGER", "POSITION", "TIME1"]
    assert table.fields["TRIGGER"].labels is not None
    assert table.fields["TRIGGER"].labels[7] == "POSA>=POSITION"
    identity = await client.send(Get("*IDN"), timeout=TIMEOUT)
    assert str(identity).startswith("PandA SW: 3.0")


async def test_changes_report_each_value_once(client: AsyncioClient) -> None:
    first = await client.send(GetChanges(ChangeGroup.ALL, True), timeout=TIMEOUT)
    assert first.values["PCAP.TRIG"] == "ZERO"
    assert first.values["SEQ1.PRESCALE.UNITS"] == "s"
    assert first.values["INENC1.VAL.CAPTURE"] == "No"
    assert first.multiline_values["SEQ2.TABLE"] == []
    await client.send(Put("PCOMP1.START", "55"), timeout=TIMEOUT)
    second = await client.send(GetChanges(ChangeGroup.CONFIG), timeout=TIMEOUT)
    assert second.values == {"PCOMP1.START": "55"}


async def test_a_bad_value_or_a_table_too_long_is_refused(
    client: AsyncioClient,
) -> None:
    with pytest.raises(CommandError, match="Invalid value"):
        await client.send(Put("PCAP.TRIG", "NO_SUCH.BIT"), timeout=TIMEOUT)
    with pytest.raises(CommandError, match="Table too long"):
        await client.send(Put("SEQ1.TABLE", ["0"] * 4 * 4097), timeout=TIMEOUT)
    await client.send(Put("SEQ1.TABLE", ["1", "0", "5", "5"] * 4096), timeout=TIMEOUT)
    rows = await client.send(Get("SEQ1.TABLE.LENGTH"), timeout=TIMEOUT)
    assert rows == "4096"


async def test_a_clock_triggers_captures_of_a_moving_encoder(
    client: AsyncioClient, sim: SimPandA
) -> None:
    await send_all(
        client,
        ("CLOCK.PERIOD.UNITS", "ms"),
        ("CLOCK.PERIOD", "2"),
        ("CLOCK.ENABLE", "BITS.OUTA"),
        ("PCAP.ENABLE", "BITS.OUTA"),
        ("PCAP.GATE", "BITS.OUTA"),
        ("PCAP.TRIG", "CLOCK.OUT"),
        ("INENC1.VAL.CAPTURE", "Value"),
        ("PCAP.TS_TRIG.CAPTURE", "Value"),
    )

    async def run() -> None:
        await client.send(Put("BITS.A", "1"), timeout=TIMEOUT)
        await asyncio.sleep(0.1)  # the experiment's length, not a synchronisation
        await client.send(Put("BITS.A", "0"), timeout=TIMEOUT)

    start, data, end = await capture(client, run)
    assert end.reason == EndReason.OK
    assert end.samples == len(data) > 10
    assert [f.name for f in start.fields] == ["INENC1.VAL", "PCAP.TS_TRIG"]
    ticks = data["PCAP.TS_TRIG.Value"]
    assert set(np.diff(ticks)) == {250_000}  # one clock period of 2 ms
    moved = np.diff(data["INENC1.VAL.Value"])
    assert np.allclose(moved, COUNTS_PER_SECOND * 2e-3, atol=COUNTS_PER_SECOND * 1e-3)
    assert sim.runs[-1].reason == "Ok"
    assert len(sim.runs[-1].rows) == end.samples


async def test_sequencer_rows_repeat_with_their_times_and_prescale(
    client: AsyncioClient,
) -> None:
    info = (await client.send(GetFieldInfo("SEQ"), timeout=TIMEOUT))["TABLE"]
    assert isinstance(info, TableFieldInfo)
    rows = [
        {"REPEATS": 3, "TIME1": 100, "OUTA1": 1, "TIME2": 400},
        {"REPEATS": 2, "TIME1": 200, "OUTA1": 1, "TIME2": 300},
    ]
    await send_all(
        client,
        ("SEQ1.TABLE", seq_words(info, rows)),
        ("SEQ1.PRESCALE.UNITS", "us"),
        ("SEQ1.PRESCALE", "10"),
        ("SEQ1.REPEATS", "1"),
        ("SEQ1.ENABLE", "BITS.OUTA"),
        ("PCAP.ENABLE", "BITS.OUTA"),
        ("PCAP.GATE", "SEQ1.OUTA"),
        ("PCAP.TRIG", "SEQ1.OUTA"),
        ("PCAP.TRIG_EDGE", "Falling"),
        ("PCAP.TS_START.CAPTURE", "Value"),
        ("PCAP.GATE_DURATION.CAPTURE", "Value"),
    )

    async def run() -> None:
        await client.send(Put("BITS.A", "1"), timeout=TIMEOUT)
        async with asyncio.timeout(TIMEOUT):  # the table runs once, then stops
            while await client.send(Get("SEQ1.ACTIVE"), timeout=TIMEOUT) == "1":
                await asyncio.sleep(0.02)
        await client.send(Put("BITS.A", "0"), timeout=TIMEOUT)

    _, data, end = await capture(client, run)
    assert end.samples == 5
    us = 125  # ticks
    assert list(data["PCAP.GATE_DURATION.Value"]) == [1000 * us] * 3 + [2000 * us] * 2
    starts = data["PCAP.TS_START.Value"]
    assert list(np.diff(starts)) == [5000 * us] * 3 + [5000 * us]


async def test_a_sequencer_line_waits_for_its_position(client: AsyncioClient) -> None:
    info = (await client.send(GetFieldInfo("SEQ"), timeout=TIMEOUT))["TABLE"]
    assert isinstance(info, TableFieldInfo)
    await send_all(
        client,
        ("SEQ2.POSA", "INENC2.VAL"),
        ("SEQ2.REPEATS", "1"),
        ("SEQ2.ENABLE", "BITS.OUTB"),
        ("PCAP.ENABLE", "BITS.OUTB"),
        ("PCAP.TRIG", "SEQ2.OUTA"),
        ("INENC2.VAL.CAPTURE", "Value"),
    )
    now = float(await client.send(Get("INENC2.VAL"), timeout=TIMEOUT))
    position = int(now + 2 * COUNTS_PER_SECOND * 0.5)  # encoder 2, 0.5 s ahead
    rows = [
        {"REPEATS": 1, "TRIGGER": 7, "POSITION": position, "TIME1": 10, "OUTA1": 1},
        {"REPEATS": 1, "TIME1": 1},
    ]
    await send_all(client, ("SEQ2.TABLE", seq_words(info, rows)))

    async def run() -> None:
        await client.send(Put("BITS.B", "1"), timeout=TIMEOUT)
        async with asyncio.timeout(TIMEOUT):
            while await client.send(Get("SEQ2.ACTIVE"), timeout=TIMEOUT) == "1":
                await asyncio.sleep(0.02)
        await client.send(Put("BITS.B", "0"), timeout=TIMEOUT)

    _, data, _ = await capture(client, run)
    assert len(data) == 1
    captured = int(data["INENC2.VAL.Value"][0])
    # sampled every millisecond: at most one sample (200 counts) past it
    assert position <= captured <= position + 2 * COUNTS_PER_SECOND * 1e-3


async def test_position_compare_pulses_at_start_plus_steps(
    client: AsyncioClient,
) -> None:
    here = int(await client.send(Get("INENC1.VAL"), timeout=TIMEOUT))
    await send_all(
        client,
        ("PCOMP1.INP", "INENC1.VAL"),
        ("PCOMP1.RELATIVE", "Relative"),
        ("PCOMP1.START", "5000"),
        ("PCOMP1.STEP", "2000"),
        ("PCOMP1.WIDTH", "500"),
        ("PCOMP1.PULSES", "4"),
        ("PCOMP1.DIR", "Positive"),
        ("PCOMP1.ENABLE", "BITS.OUTC"),
        ("PCAP.ENABLE", "BITS.OUTC"),
        ("PCAP.TRIG", "PCOMP1.OUT"),
        ("INENC1.VAL.CAPTURE", "Value"),
    )

    async def run() -> None:
        await client.send(Put("BITS.C", "1"), timeout=TIMEOUT)
        async with asyncio.timeout(TIMEOUT):
            while await client.send(Get("PCOMP1.ACTIVE"), timeout=TIMEOUT) == "1":
                await asyncio.sleep(0.02)
        await client.send(Put("BITS.C", "0"), timeout=TIMEOUT)

    _, data, _ = await capture(client, run)
    assert len(data) == 4
    relative = np.diff(data["INENC1.VAL.Value"])
    assert np.allclose(relative, 2000, atol=COUNTS_PER_SECOND * 1e-3)
    assert int(data["INENC1.VAL.Value"][0]) > here + 5000
    produced = await client.send(Get("PCOMP1.PRODUCED"), timeout=TIMEOUT)
    assert produced == "4"


async def test_disarm_ends_a_capture_and_scaled_data_is_scaled(
    client: AsyncioClient,
) -> None:
    await send_all(
        client,
        ("CLOCK.PERIOD.UNITS", "ms"),
        ("CLOCK.PERIOD", "1"),
        ("CLOCK.ENABLE", "ONE"),
        ("PCAP.ENABLE", "ONE"),
        ("PCAP.GATE", "ONE"),
        ("PCAP.TRIG", "CLOCK.OUT"),
        ("INENC3.VAL.SCALE", "0.001"),
        ("INENC3.VAL.OFFSET", "5"),
        ("INENC3.VAL.UNITS", "mm"),
        ("INENC3.VAL.CAPTURE", "Mean"),
    )

    async def run() -> None:
        await asyncio.sleep(0.05)  # the experiment's length
        await client.send(Disarm(), timeout=TIMEOUT)

    start, data, end = await capture(client, run, scaled=True)
    assert end.reason == EndReason.DISARMED
    mean = next(f for f in start.fields if f.name == "INENC3.VAL")
    assert (mean.capture, mean.units, mean.type) == ("Mean", "mm", np.dtype("float64"))
    means = data["INENC3.VAL.Mean"]
    # 300000 counts/s * 0.001 mm: the mean moves 0.3 mm per 1 ms frame (each
    # frame's mean within the encoder's movement in a half-frame step)
    assert np.allclose(np.diff(means)[1:], 0.3, atol=0.075)
    assert (means[-1] - means[1]) / (len(means) - 2) == pytest.approx(0.3, abs=1e-3)


async def test_outputs_are_watched_and_instances_get_their_own_address(
    sim: SimPandA, client: AsyncioClient
) -> None:
    edges: list[tuple[str, bool]] = []
    seen = asyncio.Event()
    loop = asyncio.get_running_loop()

    def watcher(name: str, level: bool, seconds: float) -> None:
        if name == "TTLOUT2.VAL":
            edges.append((name, level))
            loop.call_soon_threadsafe(seen.set)

    sim.watch(watcher)
    await send_all(client, ("TTLOUT2.VAL", "BITS.OUTA"), ("BITS.A", "1"))
    await asyncio.wait_for(seen.wait(), TIMEOUT)
    assert edges == [("TTLOUT2.VAL", True)]
    with SimPandA() as other:
        assert other.host != sim.host


async def test_its_own_failure_is_answered_err_and_the_client_stays_connected(
    sim: SimPandA, client: AsyncioClient
) -> None:
    """A real PandA does not hang up on a client; a simulation that did left
    pandablocks-ioc unable to arm or disarm for the rest of a test session."""
    broken = True

    def position(number: int, seconds: float) -> float:
        if broken:
            return float("nan")  # round() of it raises in the engine
        return 1000.0 * number

    sim.set_encoder_position(position)
    with pytest.raises(CommandError, match="the simulated PandA failed"):
        await client.send(Get("INENC1.VAL"), timeout=TIMEOUT)
    assert any("cannot convert float NaN" in error for error in sim.errors)

    broken = False
    value = await client.send(Get("INENC1.VAL"), timeout=TIMEOUT)
    assert int(value) == 1000, "the same connection answers once the fault is gone"


def test_a_panda_iocs_log_tail_shows_the_simulations_own_failures(
    tmp_path: Path,
) -> None:
    """What a failing test's report shows of a PandA (pandablocks-ioc's log)
    names the simulation's failure too, which happens in the test process."""
    ioc = PandaIoc(log_dir=tmp_path)
    with ioc.panda:  # the simulation alone: its clock steps read the encoders
        ioc.panda.set_encoder_position(lambda number, seconds: float("nan"))
        deadline = time.monotonic() + TIMEOUT
        while not ioc.panda.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        tail = ioc.log_tail()
    assert "--- the simulated PandA's own failures ---" in tail
    assert "during a clock step" in tail
    assert "ValueError: cannot convert float NaN to integer" in tail


def test_a_thread_holding_the_gil_shows_as_a_stall_of_the_simulation() -> None:
    """The simulated PandA is a thread: when another holds the GIL (a long C
    call), it answers nothing, and pandablocks-ioc gives it up after 1 s.
    Such a stall is kept, for the IOC's log tail to say why."""
    with SimPandA() as panda:
        start = time.perf_counter()
        sum(range(1_000_000))  # a C loop: the GIL is not let go inside it
        count = int(1_000_000 * 0.6 / (time.perf_counter() - start))
        before = len(panda.stalls)  # a loaded machine may have stalled it already
        sum(range(count))  # about 0.6 s, holding the GIL
        deadline = time.monotonic() + TIMEOUT
        while len(panda.stalls) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        held = [late for _, late in panda.stalls[before:]]
        said = panda.held_up(1)
    assert held, "no stall kept"
    assert max(held) > 0.25
    assert said == [f"at {panda.stalls[-1][0]:.1f} s for {panda.stalls[-1][1]:.2f} s"]
