"""pytest fixtures that start the real servers, once per test session.

Use them from a ``conftest.py``::

    from ophyd_blueprint.testing.fixtures import (
        epics_ioc,
        epics_ioc_qsrv1,
        panda_ioc,  # the real pandablocks-ioc on a simulated PandA
        coupled_beamline,  # PMAC, detector and PandA on one clock
        pytest_runtest_makereport,  # attaches the servers' output to failing tests
        pytest_runtest_setup,  # restarts a pandablocks-ioc that gave its PandA up
        tango_server,
    )

This module needs pytest and pytest-asyncio; the servers themselves
(`EpicsIoc` in ``ophyd_blueprint.testing.ioc``, `TangoServer` in
``.tango_server``) do not, so the demo runs without them. The fixtures are
here only: the server modules do not import this one back.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Protocol, TypeVar

import pytest
import pytest_asyncio

from .coupled import CoupledBeamline
from .ioc import EpicsIoc
from .panda_ioc import PandablocksIoc, PandaIoc
from .server_process import running_servers
from .tango_server import TangoServer

__all__ = [
    "coupled_beamline",
    "epics_ioc",
    "epics_ioc_qsrv1",
    "panda_ioc",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "tango_server",
]


async def _close_ca_channels() -> None:
    if "aioca" in sys.modules:  # channels of every loop, closed or not
        from ophyd_blueprint.transports.ca import close_all_channels

        await close_all_channels()


class _Server(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


_S = TypeVar("_S", bound=_Server)


async def _for_the_session(server: _S) -> AsyncIterator[_S]:
    """`server` started, then stopped after its clients' CA channels close."""
    try:
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await _close_ca_channels()
        await asyncio.to_thread(server.stop)


# Async fixtures on the session loop: they stop the IOC before that loop closes,
# so client libraries' disconnect callbacks still find their loop open.
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def epics_ioc(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EpicsIoc]:
    """The test records on a PVXS IOC (CA and PVA via QSRV 2), once a session."""
    ioc = EpicsIoc(flavour="pvxs", log_dir=tmp_path_factory.mktemp("ioc-pvxs"))
    async for started in _for_the_session(ioc):
        yield started


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def epics_ioc_qsrv1(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EpicsIoc]:
    """The test records on an epicscorelibs IOC (CA and PVA via QSRV 1)."""
    ioc = EpicsIoc(flavour="qsrv1", log_dir=tmp_path_factory.mktemp("ioc-qsrv1"))
    async for started in _for_the_session(ioc):
        yield started


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def panda_ioc(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[PandaIoc]:
    """The real pandablocks-ioc on a simulated PandA, once a session.

    Its encoders stand still until a test sets
    ``panda_ioc.panda.set_encoder_position(...)``.
    """
    ioc = PandaIoc(log_dir=tmp_path_factory.mktemp("panda-ioc"))
    async for started in _for_the_session(ioc):
        yield started


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def coupled_beamline(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[CoupledBeamline]:
    """The coupled simulated beamline (a PMAC's X and Y motors counted by a
    simulated PandA whose TTLOUT1 triggers a detector looking at them) and the
    real pandablocks-ioc in front of the PandA, once a session."""
    beamline = CoupledBeamline(log_dir=tmp_path_factory.mktemp("coupled-beamline"))
    async for started in _for_the_session(beamline):
        yield started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the output tail of each running server (IOCs, simulated IOCs,
    pandablocks-ioc, Tango, Tiled) to a failing test's report."""
    report = yield
    if report.failed:
        for server in running_servers():
            report.sections.append((f"{server.what} output", server.log_tail()))
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before each test (and its fixtures), restart any pandablocks-ioc of
    the session that has given its PandA up, with a warning saying so.

    pandablocks-ioc gives a PandA up for good when one ``*CHANGES?`` goes
    unanswered for 1 s. The simulated PandA of `panda_ioc` is a thread of
    the test process, so a test that holds the GIL that long (a large numpy
    or HDF5 call) leaves every later PandA test of the session unable to put,
    arm or disarm. A test during which it happens still fails, with the
    stall in the IOC's log tail.
    """
    for server in running_servers():
        if isinstance(server, PandablocksIoc) and server.revive():
            item.warn(
                pytest.PytestWarning(
                    f"{server.what} had given its PandA up (a *CHANGES? "
                    "unanswered for 1 s): restarted before this test" + _stalls(server)
                )
            )


def _stalls(server: PandablocksIoc) -> str:
    said = server.panda.held_up(1) if isinstance(server, PandaIoc) else []
    return f"; the simulated PandA's thread was last held up {said[0]}" if said else ""


@pytest.fixture(scope="session")
def tango_server() -> Iterator[TangoServer]:
    """The test device server, started once per session."""
    with TangoServer() as server:
        yield server
