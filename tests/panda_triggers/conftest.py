"""The trigger logic on the real pandablocks-ioc in front of a simulated PandA."""

from __future__ import annotations

from ophyd_blueprint.testing.fixtures import (
    panda_ioc,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()

__all__ = ["panda_ioc", "pytest_runtest_makereport", "pytest_runtest_setup"]
