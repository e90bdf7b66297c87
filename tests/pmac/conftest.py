"""The simulated PMAC IOC (caproto, dls pmac's record names), once for the
package, and beamlines of the shipped ``Pmac`` and ``PmacMotor`` blueprints on
it: connected in a test's loop (`beamline`) or in a RunEngine's, with
detectors beside them (`fly_beamline`)."""

from __future__ import annotations

import asyncio
import importlib
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from bluesky.run_engine import RunEngine
from scanspec.specs import Fly, Line, Spec

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import ensure_connected
from ophyd_blueprint.testing.ioc import configure_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc
from ophyd_blueprint.testing.sim_pmac import SimMotor

configure_client_env()
pytest.register_assert_rewrite("tests.pmac.pvt")

DEVICES = Path(__file__).parents[2] / "devices"
DATA = Path(__file__).parent / "data"
BUFFER_LENGTH = 5
"""Points the simulated controller takes at a time: small, so that runs of a
few points are appended to (a real PMAC takes 1000)."""
MOTORS = (
    SimMotor(
        axis="X",
        velocity=4.0,
        max_velocity=5.0,
        acceleration=0.05,
        low_limit=-10.0,
        high_limit=20.0,
    ),
    SimMotor(
        axis="Y",
        velocity=2.0,
        max_velocity=3.0,
        acceleration=0.05,
        low_limit=-5.0,
        high_limit=5.0,
        units="deg",
    ),
)


async def _until_disconnected(prefix: str, timeout: float) -> None:
    """Wait until this loop's CA channels to `prefix` have seen the IOC go."""
    aioca: Any = importlib.import_module("aioca")

    def connected() -> bool:
        infos: list[Any] = aioca.get_channel_infos()
        return any(i.connected and i.name.startswith(prefix) for i in infos)

    async with asyncio.timeout(timeout):
        while connected():
            await asyncio.sleep(0.02)


# async, on the session loop: the CA client's disconnect callbacks then still
# find their loop open when the IOC stops
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def sim_pmac(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[SimPmacIoc]:
    """Two motors (M1 on X, M2 on Y), the trajectory scan and CS1."""
    ioc = SimPmacIoc(
        MOTORS,
        buffer_length=BUFFER_LENGTH,
        log_dir=tmp_path_factory.mktemp("sim-pmac"),
    )
    await asyncio.to_thread(ioc.start)
    try:
        yield ioc
    finally:
        await asyncio.to_thread(ioc.stop)
        await _until_disconnected(ioc.prefix, timeout=10)


def beamline_file(directory: Path, ioc: SimPmacIoc) -> Path:
    path = directory / "pmac.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: pmac
            blueprints: [{DEVICES}]
            defaults: {{protocol: ca, timeout: 5.0}}
            devices:
              pmac: {{blueprint: Pmac, with: {{prefix: "{ioc.prefix}"}}}}
              x: {{blueprint: PmacMotor, with: {{prefix: "{ioc.motor(1)}"}}}}
              y: {{blueprint: PmacMotor, with: {{prefix: "{ioc.motor(2)}"}}}}
            """
        )
    )
    return path


@pytest.fixture(scope="module")
async def beamline(
    sim_pmac: SimPmacIoc, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    bl = load_beamline(beamline_file(tmp_path_factory.mktemp("bl"), sim_pmac))
    await bl.connect(strict=True)
    return bl


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


@pytest.fixture(scope="module")
def detector_ioc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDetectorIoc]:
    """A simulated areaDetector of the module's own."""
    with SimDetectorIoc(log_dir=tmp_path_factory.mktemp("det")) as ioc:
        yield ioc


def fly_beamline(
    RE: RunEngine,
    folder: Path,
    pmac: str,
    motors: tuple[str, str],
    devices: str,
) -> LoadedBeamline:
    """Beamline ``pmac`` (the PMAC at prefix `pmac`, its motors `x` and `y` at
    `motors`) and `devices` (YAML lines of ``devices:``, blueprints of
    ``devices/`` and ``tests/pmac/data``), data in `folder`, connected in
    `RE`'s loop."""
    x, y = motors
    path = folder / "pmac.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: pmac
            blueprints: [{DEVICES}, {DATA}]
            defaults: {{timeout: 5.0, data_dir: "{folder / "data"}"}}
            devices:
              pmac: {{blueprint: Pmac, with: {{prefix: "{pmac}"}}}}
              x: {{blueprint: PmacMotor, with: {{prefix: "{x}"}}}}
              y: {{blueprint: PmacMotor, with: {{prefix: "{y}"}}}}
            """
        )
        + textwrap.indent(textwrap.dedent(devices), "  ")
    )
    beamline = load_beamline(path)
    RE(ensure_connected(*beamline))
    return beamline


def snake(bl: Any) -> Spec[Any]:
    """The fly scans' 4 x 50 snake of 20 ms frames: x over 0..2, y over 0..1."""
    return Fly(0.02 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 50)))
