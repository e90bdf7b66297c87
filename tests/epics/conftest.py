"""Real IOCs for the EPICS transport tests (session-scoped, loopback only)."""

from ophyd_blueprint.testing.fixtures import (
    epics_ioc,
    epics_ioc_qsrv1,
    pytest_runtest_makereport,
)
from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()

__all__ = ["epics_ioc", "epics_ioc_qsrv1", "pytest_runtest_makereport"]
