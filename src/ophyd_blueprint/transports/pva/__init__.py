"""``pva://PV``: PV Access through p4p.

`backend` holds the signal backend and the transport, `convert` how a PV's
normative type carries a datatype, `client` the typed face of p4p.
"""

from .backend import PvaSignalBackend, PvaTransport, pva_client, use_pva_config

__all__ = ["PvaSignalBackend", "PvaTransport", "pva_client", "use_pva_config"]
