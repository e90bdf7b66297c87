"""The demo: embedded EPICS IOC and Tango server, the demo beamline, real scans."""

from .run import DEMO_BEAMLINE, DEMO_PLOT, run_demo, serve_demo

__all__ = ["DEMO_BEAMLINE", "DEMO_PLOT", "run_demo", "serve_demo"]
