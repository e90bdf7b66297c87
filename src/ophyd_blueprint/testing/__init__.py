"""Fixtures that start real servers (EPICS IOC, Tango) for tests, and helpers."""
