"""Real IOCs for the EPICS transport tests (session-scoped, loopback only)."""

from ophyd_blueprint.testing.ioc import (
    configure_client_env,
    epics_ioc,
    epics_ioc_qsrv1,
    pytest_runtest_makereport,
)

configure_client_env()

__all__ = ["epics_ioc", "epics_ioc_qsrv1", "pytest_runtest_makereport"]
