"""A simulated PandABox: its real TCP protocol, its blocks running on a clock.

`SimPandA` serves the control (8888) and data (8889) ports on a loopback
address of its own, so the real pandablocks-ioc and the pandablocks client
talk to it as to hardware. See `server` for use, `blocks` for what it has.
"""

from .engine import EdgeWatcher, EncoderPosition, constant_position
from .server import CONTROL_PORT, DATA_PORT, CapturedRun, SimPandA, SimPandAError

__all__ = [
    "CONTROL_PORT",
    "DATA_PORT",
    "CapturedRun",
    "EdgeWatcher",
    "EncoderPosition",
    "SimPandA",
    "SimPandAError",
    "constant_position",
]
