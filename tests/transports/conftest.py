"""Servers of their own for the tests that hold every transport to one behaviour.

The shared session IOC serves the test records; the restartable IOC and Tango
server are killed and started again by the tests.
"""

from collections.abc import Iterator

import pytest

from ophyd_blueprint.testing.fixtures import (
    epics_ioc,
    pytest_runtest_makereport,
    tango_server,
)
from ophyd_blueprint.testing.ioc import EpicsIoc, configure_client_env
from ophyd_blueprint.testing.tango_server import TangoServer

configure_client_env()

__all__ = [
    "epics_ioc",
    "pytest_runtest_makereport",
    "restartable_ioc",
    "restartable_tango_server",
    "tango_server",
]


@pytest.fixture(scope="package")
def restartable_ioc(
    epics_ioc: EpicsIoc, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EpicsIoc]:
    """An IOC of its own, serving ``V`` (an ao, 1.5 at start) over CA and PVA.

    It comes after `epics_ioc` so that it never takes the first port slot,
    whose UDP port this process's PVA client binds (`kill` waits for its
    ports to be free).
    """
    with EpicsIoc(
        db_files=(),
        records='record(ao, "$(P)V") { field(VAL, "1.5") }',
        log_dir=tmp_path_factory.mktemp("restartable-ioc"),
    ) as ioc:
        yield ioc


@pytest.fixture(scope="package")
def restartable_tango_server() -> Iterator[TangoServer]:
    """A Tango device server of its own."""
    with TangoServer() as server:
        yield server
