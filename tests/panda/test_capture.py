"""A PandA as a detector: PCAP arming and the IOC's HDF5 file, in a real run.

The simulated PandA is wired so that each arm runs sequencer 1 once: PCAP
arms, SEQ1 (enabled by PCAP.ACTIVE) pulses OUTA `REPEATS` times, each pulse
captures encoder 1 and the capture time, and SEQ1 ending ends the capture.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import FailedStatus
from p4p.client.thread import Context
from pandablocks.asyncio import AsyncioClient
from pandablocks.commands import GetFieldInfo, Put
from pandablocks.responses import TableFieldInfo
from pandablocks.utils import table_to_words

from ophyd_blueprint import DetectorTrigger, TriggerInfo, load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.logic.detector_parts import DetectorError
from ophyd_blueprint.plans import ensure_connected
from ophyd_blueprint.testing.panda_ioc import PandaIoc

from ..runs import Docs

DATA = Path(__file__).with_name("data")
DEVICES = Path(__file__).parents[2] / "devices"
TIMEOUT = 10.0
TICK = 8e-9
FRAMES = 20


def encoder(number: int, seconds: float) -> float:
    return 1000.0 * number * seconds


async def _wire(host: str, repeats: int) -> None:
    async with AsyncioClient(host) as client:
        info = (await client.send(GetFieldInfo("SEQ"), timeout=TIMEOUT))["TABLE"]
        assert isinstance(info, TableFieldInfo)
        row = {"REPEATS": repeats, "TIME1": 500, "OUTA1": 1, "TIME2": 500}
        columns = {name: [row.get(name, 0)] for name in info.fields}
        for field, value in (
            ("SEQ1.TABLE", table_to_words(columns, info)),
            ("SEQ1.PRESCALE.UNITS", "us"),
            ("SEQ1.PRESCALE", "10"),
            ("SEQ1.REPEATS", "1"),
            ("SEQ1.ENABLE", "PCAP.ACTIVE"),
            ("PCAP.ENABLE", "SEQ1.ACTIVE"),
            ("PCAP.GATE", "SEQ1.ACTIVE"),
            ("PCAP.TRIG", "SEQ1.OUTA"),
        ):
            await client.send(Put(field, value), timeout=TIMEOUT)


def wire(panda_ioc: PandaIoc, repeats: int) -> None:
    """Wire the sequencer to run `repeats` pulses per arm (the PandA's own setup)."""
    asyncio.run(_wire(panda_ioc.panda.host, repeats))


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


@pytest.fixture(scope="module", params=["PandaCaptureByHand", "PandA"])
def beamline(
    request: pytest.FixtureRequest,
    RE: RunEngine,
    panda_ioc: PandaIoc,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LoadedBeamline]:
    """The hand-written blueprint, and the shipped one discovered from PVI (its
    exposure timeout shortened by the beamline's own logic entry)."""
    panda_ioc.panda.set_encoder_position(encoder)
    with Context("pva") as ctx:  # what to capture, named: through the IOC
        for name, value in (
            ("INENC1:VAL:CAPTURE", "Value"),
            ("INENC1:VAL:DATASET", "x_enc"),
            ("PCAP:TS_TRIG:CAPTURE", "Value"),
            ("PCAP:TS_TRIG:DATASET", "ts"),
        ):
            ctx.put(panda_ioc.pv(name), value, timeout=TIMEOUT)
    data_dir = tmp_path_factory.mktemp("data")
    path = tmp_path_factory.mktemp("bl") / "panda.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: panda
            blueprints: [{DATA}, {DEVICES}]
            defaults: {{protocol: pva, timeout: 10.0, data_dir: "{data_dir}"}}
            devices:
              panda:
                blueprint: {request.param}
                with: {{prefix: "{panda_ioc.prefix}"}}
                logic:
                  - use: detector.FileDetector
                    with: {{exposure_timeout: 3.0}}
            """
        )
    )
    bl = load_beamline(path)
    RE(ensure_connected(*bl))
    yield bl
    panda_ioc.panda.set_encoder_position(lambda n, t: 0.0)


def fly(panda: Any, frames: int) -> Any:
    info = TriggerInfo(number_of_events=frames, trigger=DetectorTrigger.EXTERNAL_EDGE)

    @bpp.stage_decorator([panda])
    @bpp.run_decorator()
    def inner() -> Any:
        yield from bps.prepare(panda, info, wait=True)
        yield from bps.declare_stream(panda, name="primary", collect=True)
        yield from bps.kickoff(panda, wait=True)
        # a capture that fails: what was written is referenced all the same
        yield from bpp.finalize_wrapper(
            bps.collect_while_completing([panda], [panda], flush_period=0.2),
            bps.collect(panda, name="primary"),
        )

    return inner()


def read_back(path: Path, datasets: list[str], rows: int) -> dict[str, np.ndarray]:
    """The file's datasets once they hold `rows` values (the IOC writes SWMR)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with h5py.File(path, "r", swmr=True) as f:
                found = {name: np.asarray(f[name][()]) for name in datasets}
            if all(len(v) == rows for v in found.values()):
                return found
        except (OSError, KeyError):
            found = {}
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} has {found} after {TIMEOUT} s")
        time.sleep(0.05)


def test_a_fly_capture_writes_one_dataset_per_captured_field(
    RE: RunEngine, beamline: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    wire(panda_ioc, FRAMES)

    docs = Docs()
    RE(fly(beamline.panda, FRAMES), docs.add)

    resources = docs["stream_resource"]
    assert {r["data_key"]: r["parameters"]["dataset"] for r in resources} == {
        "panda-x_enc": "/x_enc",
        "panda-ts": "/ts",
    }
    assert {r["uri"] for r in resources} == {resources[0]["uri"]}
    stops = {
        r["uid"]: max(
            d["indices"]["stop"]
            for d in docs["stream_datum"]
            if d["stream_resource"] == r["uid"]
        )
        for r in resources
    }
    assert set(stops.values()) == {FRAMES}
    [descriptor] = docs["descriptor"]
    assert descriptor["data_keys"]["panda-x_enc"]["external"] == "STREAM:"
    path = Path(resources[0]["uri"].removeprefix("file://localhost"))
    written = read_back(path, ["x_enc", "ts"], FRAMES)
    simulated = panda_ioc.panda.runs[-1]
    rows = np.asarray(simulated.rows)
    assert np.array_equal(
        written["x_enc"], rows[:, simulated.columns.index("INENC1.VAL.Value")]
    )
    ticks = rows[:, simulated.columns.index("PCAP.TS_TRIG.Value")]
    assert np.allclose(written["ts"], ticks * TICK)
    assert np.allclose(np.diff(written["ts"]), 1e-2)  # TIME1 + TIME2: 1000 * 10 us


def test_a_capture_that_stops_early_names_frames_and_keeps_the_file(
    RE: RunEngine, beamline: LoadedBeamline, panda_ioc: PandaIoc
) -> None:
    wire(panda_ioc, FRAMES - 3)

    docs = Docs()
    with pytest.raises(FailedStatus) as failed:
        RE(fly(beamline.panda, FRAMES), docs.add)

    error = failed.value.args[0].exception()
    assert isinstance(error, DetectorError)
    # told by the IOC that the capture is over, not after the 3 s of no frame
    assert str(error).startswith(
        f"panda: {FRAMES - 3} of {FRAMES} frames written; the acquisition ended "
        f"after {FRAMES - 3} (PCAP not active, the IOC says 'Finished capture"
    )
    [resource, _] = docs["stream_resource"]
    path = Path(resource["uri"].removeprefix("file://localhost"))
    assert len(read_back(path, ["x_enc"], FRAMES - 3)["x_enc"]) == FRAMES - 3
