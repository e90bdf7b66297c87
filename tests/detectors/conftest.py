"""A simulated areaDetector IOC (caproto, real record names) and a RunEngine."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.plans import ensure_connected
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

DEVICES = Path(__file__).parents[2] / "devices"


@pytest.fixture(scope="package")
def sim_detector_ioc(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SimDetectorIoc]:
    """areaDetector's simulation driver and HDF5 plugin, once for these tests."""
    with SimDetectorIoc(log_dir=tmp_path_factory.mktemp("sim-det")) as ioc:
        yield ioc


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


def beamline_file(
    directory: Path, prefix: str, data_dir: Path, extra: str = ""
) -> Path:
    path = directory / "detectors.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: detectors
            blueprints: [{DEVICES}]
            defaults: {{protocol: ca, timeout: 5.0, data_dir: "{data_dir}"}}
            devices:
              det: {{blueprint: SimDetector, with: {{prefix: "{prefix}"}}}}
            """
        )
        + extra
    )
    return path


def connected_beamline(RE: RunEngine, path: Path) -> LoadedBeamline:
    beamline = load_beamline(path)
    RE(ensure_connected(*beamline))
    return beamline


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def beamline(
    RE: RunEngine,
    sim_detector_ioc: SimDetectorIoc,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> LoadedBeamline:
    path = beamline_file(
        tmp_path_factory.mktemp("bl"), sim_detector_ioc.prefix, data_dir
    )
    bl = connected_beamline(RE, path)
    RE(_fast_frames(bl))
    return bl


def _fast_frames(bl: LoadedBeamline) -> Any:
    import bluesky.plan_stubs as bps

    det: Any = bl.det
    yield from bps.mv(det.cam.acquire_time, 0.002, det.cam.acquire_period, 0.003)


def value(RE: RunEngine, signal: Any) -> Any:
    """The signal's value, read in the RunEngine's loop."""
    import bluesky.plan_stubs as bps

    return RE(bps.rd(signal)).plan_result
