"""Plan stubs for ophyd-blueprint devices (usable with any async device)."""

from .connect import ensure_connected
from .fly import FlyScanError, fly_scan

__all__ = ["FlyScanError", "ensure_connected", "fly_scan"]
