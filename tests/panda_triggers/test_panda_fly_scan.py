"""fly_scan with the PandA as its own trigger: the shipped `PandA` blueprint
(discovered from PVI) plus a beamline's ``trigger.PandaSeq`` entry.

The simulated PandA is wired as a beamline would be: PCAP captures the encoder
on each pulse of SEQ1.OUTA while SEQ1 is active. The encoder follows the
spec's frames from the moment the sequencer runs.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import bluesky.plan_stubs as bps
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from p4p.client.thread import Context
from scanspec.specs import Fly, Line

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.logic.panda import Encoder
from ophyd_blueprint.plans import ensure_connected, fly_scan
from ophyd_blueprint.testing.panda_ioc import PandaIoc

from ..runs import Docs
from .seq_sim import flown
from .test_triggers_on_ioc import SAMPLE, Motion

DEVICES = Path(__file__).parents[2] / "devices"
SCALE, OFFSET = 1e-3, 0.5
TIMEOUT = 10.0


def read_back(path: Path, dataset: str, rows: int) -> np.ndarray:
    """The file's dataset once it holds `rows` values (the IOC writes SWMR)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with h5py.File(path, "r", swmr=True) as f:
                found = np.asarray(f[dataset][()])
            if len(found) == rows:
                return found
        except (OSError, KeyError):
            found = None
        if time.monotonic() > deadline:
            raise AssertionError(f"{path}: {dataset} is {found} after {TIMEOUT} s")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


@pytest.fixture(scope="module")
def beamline(
    RE: RunEngine, panda_ioc: PandaIoc, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedBeamline]:
    with Context("pva") as ctx:  # the PandA's wiring and what it captures
        for name, value in (
            ("PCAP:ENABLE", "SEQ1.ACTIVE"),
            ("PCAP:GATE", "SEQ1.ACTIVE"),
            ("PCAP:TRIG", "SEQ1.OUTA"),
            ("INENC1:VAL:SCALE", SCALE),
            ("INENC1:VAL:OFFSET", OFFSET),
            ("INENC1:VAL:CAPTURE", "Value"),
            ("INENC1:VAL:DATASET", "x_enc"),
            # PVI discovery types a block's PRESCALE with its units: blocks
            # left in different units would be discovered as seq_1, seq_2
            ("SEQ1:PRESCALE:UNITS", "us"),
            ("SEQ2:PRESCALE:UNITS", "us"),
        ):
            ctx.put(panda_ioc.pv(name), value, timeout=TIMEOUT)
    data_dir = tmp_path_factory.mktemp("data")
    path = tmp_path_factory.mktemp("bl") / "panda.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: panda_fly
            blueprints: [{DEVICES}]
            defaults: {{protocol: pva, timeout: 10.0, data_dir: "{data_dir}"}}
            devices:
              panda:
                blueprint: PandA
                with: {{prefix: "{panda_ioc.prefix}"}}
                logic:
                  - use: trigger.PandaSeq
                    bind: {{table: seq.1.table, enable: seq.1.enable,
                           active: seq.1.active, repeats: seq.1.repeats,
                           prescale: seq.1.prescale,
                           prescale_units: seq.1.prescale_units, posa: seq.1.posa,
                           posa_scale: inenc.1.val_scale,
                           posa_offset: inenc.1.val_offset}}
                    with: {{posa_axis: x, posa_source: INENC1.VAL}}
            """
        )
    )
    bl = load_beamline(path)
    RE(ensure_connected(*bl))
    yield bl
    panda_ioc.panda.set_encoder_position(lambda n, t: 0.0)


def test_a_snake_flown_with_the_panda_as_detector_and_trigger(
    RE: RunEngine, beamline: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, 4) * ~Line("x", 0, 2, 50)))
    encoder = Encoder("A", SCALE, OFFSET)
    track, frames = flown(spec, {"x": encoder}, overshoot=20, gap=0.5)
    motion = Motion(track)
    panda_ioc.panda.set_encoder_position(motion)

    def runs(name: str, level: bool, seconds: float) -> None:
        if name == "SEQ1.ACTIVE" and level and motion.t0 == np.inf:
            motion.t0 = seconds + 0.05  # the motion starts once the sequencer runs

    panda_ioc.panda.watch(runs)
    docs = Docs()
    try:
        RE(fly_scan([beamline.panda], spec, trigger=beamline.panda), docs.add)
    finally:
        panda_ioc.panda.engine.watchers.remove(runs)

    [stop] = docs["stop"]
    assert stop["exit_status"] == "success"
    assert stop["num_events"] == {"primary": 200}
    [resource] = docs["stream_resource"]
    assert resource["data_key"] == "panda-x_enc"
    assert max(d["indices"]["stop"] for d in docs["stream_datum"]) == 200
    path = Path(resource["uri"].removeprefix("file://localhost"))
    written = read_back(path, "x_enc", 200)
    lower, upper = np.asarray(frames.lower["x"]), np.asarray(frames.upper["x"])
    low, high = np.minimum(lower, upper), np.maximum(lower, upper)
    speed = np.abs(upper - lower) / 0.01
    slack = SCALE + speed * SAMPLE
    assert np.all(written >= low - slack), written - low
    assert np.all(written <= high + slack), written - high
    assert RE(bps.rd(beamline.panda.seq[1].active)).plan_result in (0, "0", False)
