"""The coupled simulated beamline (PMAC, detector, PandA on one clock) behind
the real pandablocks-ioc, once a session, and a beamline file loaded on it."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from bluesky.run_engine import RunEngine
from p4p.client.thread import Context

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import ensure_connected
from ophyd_blueprint.testing.coupled import CoupledBeamline, wiring
from ophyd_blueprint.testing.fixtures import (
    coupled_beamline,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()

__all__ = [
    "RE",
    "bl",
    "coupled_beamline",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
]

DEVICES = Path(__file__).parents[2] / "devices"
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


@pytest.fixture(scope="module")
def bl(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    """pmac, x, y, det and the PandA (its SEQ1 gated on x) on the beamline."""
    return load_coupled(RE, coupled_beamline, tmp_path_factory)


def seq_logic(**options: object) -> dict[str, object]:
    """The PandA's ``trigger.PandaSeq`` entry: SEQ1 gated on x (INENC1),
    holding BITS.A (PCAP's enable) while its tables run; `options` are more
    ``with:`` keys (``max_rows=4``)."""
    return {
        "use": "trigger.PandaSeq",
        "bind": {
            "table": "seq.1.table",
            "enable": "seq.1.enable",
            "active": "seq.1.active",
            "repeats": "seq.1.repeats",
            "prescale": "seq.1.prescale",
            "prescale_units": "seq.1.prescale_units",
            "posa": "seq.1.posa",
            "posa_scale": "inenc.1.val_scale",
            "posa_offset": "inenc.1.val_offset",
            "running": "bits.a",
        },
        "with": {"posa_axis": "x", "posa_source": "INENC1.VAL", **options},
    }


def wire(
    coupled_beamline: CoupledBeamline, puts: Sequence[tuple[str, object]] = ()
) -> None:
    """Wire the PandA as `wiring` does, then `puts` (names after its prefix)."""
    panda = coupled_beamline.panda
    with Context("pva") as ctx:
        for pv, value in [*wiring(panda), *((panda + n, v) for n, v in puts)]:
            ctx.put(pv, value, timeout=TIMEOUT)


def load_coupled(
    RE: RunEngine,
    coupled_beamline: CoupledBeamline,
    tmp_path_factory: pytest.TempPathFactory,
    logic: dict[str, object] | None = None,
    puts: Sequence[tuple[str, object]] = (),
) -> LoadedBeamline:
    """The beamline file on the coupled beamline, loaded and connected: the
    PandA wired (`wiring`, then `puts`: record names after its prefix) and
    triggering with `logic` (default `seq_logic`)."""
    panda = coupled_beamline.panda
    wire(coupled_beamline, puts)
    sim = coupled_beamline
    folder = tmp_path_factory.mktemp("coupled")
    (folder / "data").mkdir()  # the pandablocks-ioc writes only where it exists
    path = folder / "coupled.yaml"
    entry = json.dumps(logic or seq_logic())  # YAML reads JSON
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: coupled
            blueprints: [{DEVICES}]
            defaults: {{timeout: {TIMEOUT}, data_dir: "{folder / "data"}"}}
            devices:
              pmac: {{blueprint: Pmac, with: {{prefix: "{coupled_beamline.pmac}"}}}}
              x: {{blueprint: PmacMotor, with: {{prefix: "{sim.motor(1)}"}}}}
              y: {{blueprint: PmacMotor, with: {{prefix: "{sim.motor(2)}"}}}}
              det:
                blueprint: SimDetectorExternal
                with: {{prefix: "{coupled_beamline.detector(1)}"}}
              panda:
                blueprint: PandA
                with: {{prefix: "{panda}"}}
                logic: [{entry}]
            """
        )
    )
    beamline = load_beamline(path)
    RE(ensure_connected(*beamline))
    return beamline
