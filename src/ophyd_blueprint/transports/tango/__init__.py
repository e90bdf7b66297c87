"""``tango://`` signals on pytango's asyncio green mode.

URIs: ``tango://host:port/domain/family/member/name#dbase=no`` (no database)
or ``tango://domain/family/member/name`` (through TANGO_HOST); add
``&poll=0.5`` to the fragment (or ``#poll=0.5``) to poll every 0.5 s when the
server sends no change events. A signal with a datatype reads an attribute;
``signal_x`` runs a void command; `tango_command` calls one with an argument
or a result. All signals of one device share one proxy.
"""

from __future__ import annotations

from typing import Any

from ophyd_blueprint.core.backend import SignalBackend

from .attribute import DEFAULT_POLL_PERIOD, TangoAttributeBackend
from .command import TangoCommand, TangoCommandBackend, tango_command
from .device import TangoDevice, connect_tango_device, datatype_of_attribute
from .enums import DevStateEnum
from .trl import TangoTrl, parse_trl

__all__ = [
    "DEFAULT_POLL_PERIOD",
    "DevStateEnum",
    "TangoAttributeBackend",
    "TangoCommand",
    "TangoCommandBackend",
    "TangoDevice",
    "TangoTransport",
    "TangoTrl",
    "connect_tango_device",
    "datatype_of_attribute",
    "parse_trl",
    "tango_command",
]


class TangoTransport:
    """Makes attribute backends, or command backends for ``signal_x``."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        if datatype is None:
            return TangoCommandBackend(write_uri)
        return TangoAttributeBackend(datatype, read_uri, write_uri)
