"""``ca://PV``: EPICS Channel Access through aioca.

`backend` holds the signal backend and the transport, `convert` how a
channel's native type carries a datatype, `client` the typed face of aioca.
"""

from .backend import CaSignalBackend, CaTransport, close_all_channels

__all__ = ["CaSignalBackend", "CaTransport", "close_all_channels"]
