"""Real Tango device servers for the Tango transport tests (loopback, no database)."""

from collections.abc import Iterator

import pytest

from ophyd_blueprint.testing.fixtures import tango_server
from ophyd_blueprint.testing.tango_server import TangoServer

__all__ = ["restartable_tango_server", "tango_server"]


@pytest.fixture(scope="package")
def restartable_tango_server() -> Iterator[TangoServer]:
    """A server of its own, for the tests that kill and restart it."""
    with TangoServer() as server:
        yield server
