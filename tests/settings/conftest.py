"""Real servers for the settings tests: an IOC of test axes, the Tango server,
a RunEngine, and beamline files that point at them."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from bluesky.run_engine import RunEngine

from ophyd_blueprint.demo.run import DEMO_DB
from ophyd_blueprint.testing.fixtures import tango_server
from ophyd_blueprint.testing.ioc import EpicsIoc, configure_client_env
from ophyd_blueprint.transports.ca import close_all_channels

from ..distributions import installed
from .records import axis_records

configure_client_env()

__all__ = ["tango_server"]

ROOT = Path(__file__).parents[2]
DEVICES = [Path(__file__).parent / "devices", ROOT / "devices"]
AXES = 24
"""Axes on the IOC: each test that changes one takes a fresh one."""

_fresh = itertools.count(1)


# async, on the session loop; every CA channel is closed before the IOC stops,
# so libca has no lost circuit to report to a loop (the RunEngine's) later
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def axes_ioc(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EpicsIoc]:
    """An IOC of `AXES` test axes (``A1:`` ... ) and the demo IOC's records
    (its axis ``X``, for the README), once for these tests."""
    records = axis_records(*(f"A{i}:" for i in range(1, AXES + 1)))
    ioc = EpicsIoc(
        db_files=(DEMO_DB,), records=records, log_dir=tmp_path_factory.mktemp("axes")
    )
    try:
        await asyncio.to_thread(ioc.start)
        yield ioc
    finally:
        await close_all_channels()
        await asyncio.to_thread(ioc.stop)


@pytest.fixture
def axis(axes_ioc: EpicsIoc) -> str:
    """The prefix of an axis no other test has touched, e.g. ``T1-ab:A3:``."""
    number = next(_fresh)
    assert number <= AXES, "add axes to the IOC"
    return axes_ioc.pv(f"A{number}:")


@pytest.fixture(scope="session")
def RE() -> RunEngine:
    """The RunEngine; every CA channel of these tests lives in its loop (the
    tests change and read values with plans), as in a beamline session."""
    return RunEngine(context_managers=[], call_returns_result=True)


def beamline_file(directory: Path, devices: str, timeout: float = 5.0) -> Path:
    """A beamline `lab` of `devices` (YAML lines ``name: {blueprint: ...}``)."""
    path = directory / "lab.yaml"
    search = ", ".join(str(d) for d in DEVICES)
    path.write_text(
        f"beamline: lab\nblueprints: [{search}]\n"
        f"defaults: {{protocol: ca, timeout: {timeout}}}\ndevices:\n"
        + textwrap.indent(textwrap.dedent(devices), "  ")
    )
    return path


def blueprint_cli(
    *argv: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as a user runs it."""
    code = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
    return python(code, *argv, cwd=cwd)


def python(
    code: str, *argv: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`code` run by this Python in a process of its own."""
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


@pytest.fixture
def backwards_logic(tmp_path: Path) -> Iterator[None]:
    """A registered logic that orders acceleration before velocity."""
    source = """\
        from ophyd_blueprint.logic.base import (
            READABLE, WRITABLE, Logic, SettingsRules, role
        )

        class Backwards(Logic):
            roles = (
                role("velocity", READABLE & WRITABLE),
                role("acceleration", READABLE & WRITABLE),
            )
            settings = SettingsRules(order=(("acceleration", "velocity"),))
        """
    entry_points = (
        "[ophyd_blueprint.logic]\nexample.Backwards = backwards_logic:Backwards\n"
    )
    where = tmp_path / "plugin"
    where.mkdir()
    with installed(where, "backwards-logic", "backwards_logic", source, entry_points):
        yield
