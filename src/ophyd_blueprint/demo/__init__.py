"""The demo: embedded EPICS IOC and Tango server, the demo beamline, real scans."""

from .run import DEMO_BEAMLINE, run_demo

__all__ = ["DEMO_BEAMLINE", "run_demo"]
