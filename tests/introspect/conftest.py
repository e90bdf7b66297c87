"""A real IOC serving the PVI test tree, and the real Tango test server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

import ophyd_blueprint.testing
from ophyd_blueprint.beamline import forget_discovered
from ophyd_blueprint.testing.fixtures import pytest_runtest_makereport, tango_server
from ophyd_blueprint.testing.ioc import EpicsIoc, configure_client_env

configure_client_env()

PVI_DB = Path(ophyd_blueprint.testing.__file__).parent / "db" / "pvi_device.db"

__all__ = ["pvi_ioc", "pytest_runtest_makereport", "tango_server"]


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def pvi_ioc(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EpicsIoc]:
    """The PVI tree of ``pvi_device.db`` on a PVXS IOC, with its own prefix."""
    ioc = EpicsIoc(db_files=[PVI_DB], log_dir=tmp_path_factory.mktemp("pvi-ioc"))
    try:
        await asyncio.to_thread(ioc.start)
        yield ioc
    finally:
        await asyncio.to_thread(ioc.stop)


@pytest.fixture
def fresh_discovery() -> Iterator[None]:
    """Beamline tests see their own introspection, not an earlier test's."""
    forget_discovered()
    yield
    forget_discovered()
