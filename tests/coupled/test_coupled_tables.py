"""The PandA's sequencer in several tables on the coupled beamline (a table
cut to 4 rows here, as a long snake's beyond 4096): between two tables the
block is reloaded and SEQ1.ACTIVE falls, but the capture goes on, enabled by
the bit the sequencer holds while its tables run (``running: bits.a``), so
no frame of the later tables is lost, paused or not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bluesky.plan_stubs as bps
import pytest
from bluesky.run_engine import RunEngine
from scanspec.specs import Fly, Line

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.logic.panda import Encoder, SeqPlanner
from ophyd_blueprint.testing.coupled import CoupledBeamline
from ophyd_blueprint.testing.sim_beamline import ENCODER_SCALE
from tests.pmac.pausing import value

from .checks import Docs, EventPauser, paused_run, ranges, resources
from .conftest import load_coupled, seq_logic
from .test_coupled_pause import (
    assert_every_frame_once_in_its_window,
    never_left_paused,
    plan,
)

__all__ = ["never_left_paused"]

ROWS = 4
"""The rows a sequencer table holds here."""


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    return load_coupled(
        RE, coupled_beamline, tmp_path_factory, seq_logic(max_rows=ROWS)
    )


@pytest.fixture(scope="module", autouse=True)
def slow_turns(RE: RunEngine, bl: LoadedBeamline) -> Iterator[None]:
    """x turns round in 0.8 s, not 0.08 (ACCL 1 s, not 0.1): time enough to
    load the next table through pandablocks-ioc, which sees ACTIVE fall at
    its 10 Hz poll. A table loaded after the motor passed its first window's
    start would wait for the motor to come back (docs/adr/0005)."""
    accl = value(RE, bl.x.acceleration)
    RE(bps.abs_set(bl.x.acceleration, 1.0, wait=True))
    yield
    RE(bps.abs_set(bl.x.acceleration, accl, wait=True))


def tables(bl: LoadedBeamline, spec: Any, start: int = 0) -> int:
    """How many tables the sequencer runs for `spec` from frame `start`."""
    encoders = {bl.x: Encoder("A", ENCODER_SCALE)}
    return len(list(SeqPlanner(spec, encoders, max_rows=ROWS, start=start)))


def test_a_scan_in_two_tables_is_captured_whole(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = Fly(0.02 @ (Line(bl.y, 0, 1, 3) * ~Line(bl.x, 0, 2, 25)))
    assert tables(bl, spec) == 2, "three snake lines: a pair of them, then one"
    docs = Docs()

    result = RE(plan(bl, spec), docs)

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, 75)


def test_paused_the_rest_in_several_tables_is_captured_whole(
    RE: RunEngine, bl: LoadedBeamline
) -> None:
    spec = Fly(0.02 @ (Line(bl.y, 0, 1, 6) * ~Line(bl.x, 0, 2, 25)))
    assert tables(bl, spec) == 1, "three pairs of lines: one table, repeated"
    docs = Docs()

    paused_run(RE, plan(bl, spec), docs, EventPauser(RE, 20))
    result = RE.resume()

    assert result.exit_status == "success"
    assert_every_frame_once_in_its_window(docs, bl, spec, 150)
    before, _ = resources(docs, "panda-x")
    resumed_at = sum(b - a for a, b in ranges(docs, "panda-x", before))
    assert tables(bl, spec, resumed_at) > 1, (
        f"from frame {resumed_at}: the rest of a line, then pairs of lines"
    )
