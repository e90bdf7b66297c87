"""The trigger logic through the real pandablocks-ioc, on a simulated PandA.

The simulated encoder follows the spec's own frames (run up, fly, run out,
turn round) from the moment the sequencer runs; the PandA's outputs are
watched, and every pulse must fall inside its frame.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from scanspec.specs import Fly, Line

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.logic.panda import (
    Encoder,
    PandaPlanError,
    PcompDirection,
    PcompInfo,
    seq_table,
)
from ophyd_blueprint.logic.panda.seq_table import SeqTableInfo
from ophyd_blueprint.logic.trigger_source import TriggerSourceError
from ophyd_blueprint.testing.panda_ioc import PandaIoc

from .seq_sim import Track, flown

DATA = Path(__file__).parent / "data"
SCALE, OFFSET = 1e-3, 0.5
"""INENC1.VAL's units per count and offset, as the tests set them."""
SAMPLE = 0.0015
"""Seconds a position condition may be seen late (the simulation samples
encoders every millisecond)."""


class Motion:
    """The encoders' position: at the track's start until `go`, then along it."""

    def __init__(self, track: Track, letter: str = "A") -> None:
        self.track, self.letter = track, letter
        self.t0 = math.inf

    def __call__(self, number: int, seconds: float) -> float:
        if number != 1:
            return 0.0
        return self.track.at(self.letter, max(seconds - self.t0, 0.0))

    def go(self, panda_ioc: PandaIoc) -> None:
        self.t0 = panda_ioc.panda.seconds() + 0.05


@contextmanager
def edges(panda_ioc: PandaIoc, output: str) -> Iterator[list[float]]:
    """Simulated times at which `output` (``SEQ1.OUTA``) rose, while inside."""
    rises: list[float] = []

    def watcher(name: str, level: bool, seconds: float) -> None:
        if name == output and level:
            rises.append(seconds)

    watchers = panda_ioc.panda.engine.watchers
    watchers.append(watcher)
    try:
        yield rises
    finally:
        watchers.remove(watcher)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def panda(
    panda_ioc: PandaIoc, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LoadedBeamline]:
    directory = tmp_path_factory.mktemp("panda-bl")
    table = directory / "pulses.yaml"
    table.write_text(
        "- {repeats: 3, time1: 2000, outa1: true, time2: 3000}\n"
        "- {repeats: 1, time1: 1000, outa1: true, time2: 1000}\n"
    )
    path = directory / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: panda_triggers
            blueprints: [{DATA}]
            defaults: {{protocol: pva, timeout: 5.0}}
            devices:
              seq: {{blueprint: PandaSeqBlock, with: {{prefix: "{panda_ioc.prefix}"}}}}
              short: {{blueprint: PandaSeqBlock,
                      with: {{prefix: "{panda_ioc.prefix}", max_rows: 4}}}}
              static: {{blueprint: PandaStaticTable,
                       with: {{prefix: "{panda_ioc.prefix}", table: "{table}"}}}}
              pcomp: {{blueprint: PandaPcompBlock,
                      with: {{prefix: "{panda_ioc.prefix}"}}}}
              impatient: {{blueprint: PandaPcompBlock,
                          with: {{prefix: "{panda_ioc.prefix}", timeout: 0.5}}}}
            """
        )
    )
    beamline = load_beamline(path)
    report = await beamline.connect()
    assert report.ok, str(report)
    seq: Any = beamline.seq
    await seq.scale.set(SCALE)
    await seq.offset.set(OFFSET)
    yield beamline


async def fly(device: Any, spec: Any, motion: Motion, panda_ioc: PandaIoc) -> None:
    await device.prepare(spec)
    await device.kickoff()
    motion.go(panda_ioc)
    await device.complete()


def assert_inside_frames(
    rises: list[float], motion: Motion, frames: Any, encoder: Encoder
) -> None:
    lower = encoder.counts(frames.lower["x"])
    upper = encoder.counts(frames.upper["x"])
    low, high = np.minimum(lower, upper), np.maximum(lower, upper)
    speed = np.abs(upper - lower) / float(frames.duration[0])
    assert len(rises) == len(lower)
    for k, seconds in enumerate(rises):
        at = motion.track.at("A", seconds - motion.t0)
        slack = 1 + speed[k] * SAMPLE
        assert low[k] - slack <= at <= high[k] + slack, (
            f"frame {k}: triggered at {at:.1f} counts, frame {low[k]:.1f}.."
            f"{high[k]:.1f}"
        )


@pytest.mark.parametrize(
    ("device", "lines"),
    [("seq", 3), ("short", 5)],
    ids=["one-table", "two-tables-loaded-while-running"],
)
async def test_a_snake_is_triggered_once_per_frame_inside_each_frame(
    panda: LoadedBeamline, panda_ioc: PandaIoc, device: str, lines: int
) -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, lines) * ~Line("x", 0, 0.4, 5)))
    encoder = Encoder("A", SCALE, OFFSET)
    track, frames = flown(spec, {"x": encoder}, overshoot=20, gap=0.5)
    motion = Motion(track)
    panda_ioc.panda.set_encoder_position(motion)
    with edges(panda_ioc, "SEQ1.OUTA") as rises:
        await fly(getattr(panda, device), spec, motion, panda_ioc)
    assert_inside_frames(rises, motion, frames, encoder)


async def test_a_scan_the_sequencer_cannot_see_is_refused_at_prepare(
    panda: LoadedBeamline,
) -> None:
    seq: Any = panda.seq
    # frames of a fifth of a count: the encoder cannot tell where one starts
    spec = Fly(0.01 @ Line("x", 0, 0.001, 5))
    with pytest.raises(PandaPlanError, match="moves a count or more"):
        await seq.prepare(spec)


async def test_stop_ends_a_run_that_waits_for_the_motor(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    seq: Any = panda.seq
    panda_ioc.panda.set_encoder_position(lambda n, s: -1e6)  # far from any start
    await seq.prepare(Fly(0.01 @ Line("x", 0, 1, 5)))
    await seq.kickoff()
    assert await seq.active.get_value()
    await seq.stop()
    assert not await seq.active.get_value()
    assert await seq.enable.get_value() == "ZERO"


async def test_a_static_table_from_the_blueprint_runs_its_rows(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    static: Any = panda.static
    with edges(panda_ioc, "SEQ2.OUTA") as rises:
        # a fly scan's spec starts the configured table, two times over
        await static.prepare(Fly(0.01 @ Line("x", 0, 1, 5)))
        await static.kickoff()
        await static.complete()
    assert len(rises) == 2 * (3 + 1)
    gaps = np.diff(rises[:4])
    assert np.allclose(gaps, [0.005, 0.005, 0.005], atol=1e-6)


async def test_a_static_table_given_at_prepare_replaces_the_blueprints(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    static: Any = panda.static
    table = seq_table([{"repeats": 7, "time1": 100, "outa1": True, "time2": 100}])
    with edges(panda_ioc, "SEQ2.OUTA") as rises:
        await static.prepare(SeqTableInfo(table, repeats=3))
        await static.kickoff()
        await static.complete()
    assert len(rises) == 21


async def test_position_compare_pulses_at_the_start_of_each_frame(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    pcomp: Any = panda.pcomp
    await pcomp.inp.set("INENC1.VAL")
    spec = Fly(0.01 @ Line("x", 0.4, 0, 9))  # down the encoder
    encoder = Encoder("A", SCALE, OFFSET)
    track, frames = flown(spec, {"x": encoder}, overshoot=20, gap=0.5)
    motion = Motion(track)
    panda_ioc.panda.set_encoder_position(motion)
    with edges(panda_ioc, "PCOMP1.OUT") as rises:
        await fly(pcomp, spec, motion, panda_ioc)
    assert await pcomp.dir.get_value() == "Negative"
    assert_inside_frames(rises, motion, frames, encoder)


async def test_position_compare_takes_explicit_counts(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    pcomp: Any = panda.pcomp
    await pcomp.inp.set("INENC1.VAL")
    panda_ioc.panda.set_encoder_position(lambda n, s: -10.0)
    info = PcompInfo(
        start=0, width=5, step=10, pulses=4, direction=PcompDirection.POSITIVE
    )
    await pcomp.prepare(info)
    assert await pcomp.step.get_value() == 10
    await pcomp.kickoff()
    t0 = panda_ioc.panda.seconds()
    panda_ioc.panda.set_encoder_position(lambda n, s: -10 + 200 * (s - t0))
    with edges(panda_ioc, "PCOMP1.OUT") as rises:
        await pcomp.complete()
    assert len(rises) == 4


async def test_a_trigger_source_that_never_finishes_is_a_clear_error(
    panda: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    impatient: Any = panda.impatient  # gives its pulses 0.5 s
    panda_ioc.panda.set_encoder_position(lambda n, s: -10.0)  # never reaches 0
    await impatient.prepare(PcompInfo(0, 5, 10, 4, PcompDirection.POSITIVE))
    await impatient.kickoff()
    try:
        with pytest.raises(TriggerSourceError, match="still running 0.5 s after"):
            await impatient.complete()
    finally:
        await impatient.stop()
    assert not await impatient.active.get_value()
