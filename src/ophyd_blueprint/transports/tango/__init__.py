"""``tango://`` signals on pytango's asyncio green mode.

URIs: ``tango://host:port/domain/family/member/name#dbase=no`` (no database)
or ``tango://domain/family/member/name`` (through TANGO_HOST). A signal with
a datatype reads an attribute, on the server's change events (polled from
the client every `DEFAULT_POLL_PERIOD`, or ``#poll=0.5``, only for an
attribute that has none); ``signal_x`` runs a void command; `tango_command`
calls one with an argument or a result. All signals of one device share one
proxy.

Modules, as in the other transports: `backend` (the signal backend and the
transport), `convert` (native types and qualities), `client` (the typed face
of pytango); and Tango's own: `trl`, `connection` (one per device),
`monitor`, `command`, `device` (a whole device typed live), `enums`.
"""

from .backend import DEFAULT_POLL_PERIOD, TangoAttributeBackend, TangoTransport
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
