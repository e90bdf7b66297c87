"""Plan stubs for ophyd-blueprint devices (usable with any async device)."""

from .connect import ensure_connected

__all__ = ["ensure_connected"]
