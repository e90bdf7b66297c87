"""The URI schemes a source may use: those a transport is registered for.

A transport registers its scheme through the entry-point group
``ophyd_blueprint.transports`` (the group the runtime imports it from), so a
third-party transport is known here as soon as its distribution is
installed, without importing it. Schemes registered at run time
(``ophyd_blueprint.core.register_transport``) are the runtime's to pass in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points

__all__ = ["TRANSPORT_GROUP", "KnownSchemes", "installed_schemes"]

TRANSPORT_GROUP = "ophyd_blueprint.transports"
"""The entry-point group transports register their URI scheme in."""

_PathState = tuple[tuple[str, int], ...]

_read: tuple[_PathState, frozenset[str]] | None = None
"""The schemes last read, and the state of ``sys.path`` they were read in."""


def installed_schemes() -> frozenset[str]:
    """The schemes of the installed transports.

    Reading every distribution's metadata takes milliseconds, so it is read
    again only when ``sys.path`` or a folder on it has changed since (as
    installing or removing a distribution changes them).
    """
    global _read
    state = _path_state()
    if _read is None or _read[0] != state:
        names = frozenset(ep.name for ep in entry_points(group=TRANSPORT_GROUP))
        _read = (state, names)
    return _read[1]


def _path_state() -> _PathState:
    state: list[tuple[str, int]] = []
    for entry in sys.path:
        try:
            changed = os.stat(entry or ".").st_mtime_ns
        except OSError:
            changed = -1
        state.append((entry, changed))
    return tuple(state)


class KnownSchemes:
    """The schemes of the installed transports and the `registered` ones.

    The installed ones are looked up once per instance, and only when a
    scheme is not among the registered ones: make one per check.
    """

    def __init__(self, registered: Iterable[str] = ()) -> None:
        self._registered = frozenset(registered)
        self._installed: frozenset[str] | None = None

    def __contains__(self, scheme: object) -> bool:
        return scheme in self._registered or scheme in self._installed_schemes()

    def names(self) -> list[str]:
        """Every known scheme, sorted (for messages and suggestions)."""
        return sorted(self._registered | self._installed_schemes())

    def _installed_schemes(self) -> frozenset[str]:
        if self._installed is None:
            self._installed = installed_schemes()
        return self._installed
