"""A real IOC for the interop tests (session-scoped, loopback only)."""

from ophyd_blueprint.testing.fixtures import epics_ioc, pytest_runtest_makereport
from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()

__all__ = ["epics_ioc", "pytest_runtest_makereport"]
