"""The demo: embedded EPICS IOC and Tango server, the demo beamline, real scans;
then a fly scan on the coupled simulated beamline, mapped from its files."""

from .run import DEMO_BEAMLINE, DEMO_MAP, DEMO_PLOT, run_demo, serve_demo

__all__ = ["DEMO_BEAMLINE", "DEMO_MAP", "DEMO_PLOT", "run_demo", "serve_demo"]
