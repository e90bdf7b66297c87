"""The typed face of aioca: the few calls the CA transport makes, cast once here.

aioca ships no stubs (and no py.typed); the module is imported as `Any` and
these aliases give pyright exact signatures at no runtime cost: they are the
aioca functions themselves.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

aioca: Any = importlib.import_module("aioca")

__all__ = [
    "DBF_CHAR",
    "DBF_DOUBLE",
    "DBF_ENUM",
    "DBF_FLOAT",
    "DBF_LONG",
    "DBF_SHORT",
    "DBF_STRING",
    "DBR_CHAR_STR",
    "DBR_STRING",
    "FORMAT_CTRL",
    "FORMAT_RAW",
    "FORMAT_TIME",
    "CANothing",
    "ChannelInfo",
    "Monitor",
    "caget",
    "cainfo",
    "camonitor",
    "caput",
    "channel_type",
    "purge_channel_caches",
]

DBF_STRING = 0
DBF_SHORT = 1
DBF_FLOAT = 2
DBF_ENUM = 3
DBF_CHAR = 4
DBF_LONG = 5
DBF_DOUBLE = 6
CANothing = cast(type[Exception], aioca.CANothing)
"""What aioca raises (and a monitor delivers) when a channel fails or drops."""
DBR_STRING: int = aioca.DBR_STRING
DBR_CHAR_STR: int = aioca.DBR_CHAR_STR
FORMAT_RAW: int = aioca.FORMAT_RAW
FORMAT_TIME: int = aioca.FORMAT_TIME
FORMAT_CTRL: int = aioca.FORMAT_CTRL


class ChannelInfo(Protocol):
    """What `cainfo` says of a connected channel."""

    @property
    def datatype(self) -> int: ...
    @property
    def count(self) -> int: ...


class Monitor(Protocol):
    """A running camonitor subscription."""

    def close(self) -> None: ...


caget = cast(Callable[..., Awaitable[Any]], aioca.caget)
"""``caget(pv, datatype=None, format=FORMAT_RAW, count=0, timeout=5.0)``."""

caput = cast(Callable[..., Awaitable[object]], aioca.caput)
"""``caput(pv, value, datatype=None, wait=False, timeout=5.0)``."""

cainfo = cast(Callable[..., Awaitable[ChannelInfo]], aioca.cainfo)
"""``cainfo(pv, wait=True, timeout=5.0)``: connects, then describes the channel."""

_catools: Any = importlib.import_module("aioca._catools")
_get_channel: Any = getattr(_catools, "get_channel", None)
_cadef: Any = getattr(_catools, "cadef", None)
_FAST_INFO = _get_channel is not None and all(
    hasattr(_cadef, name) for name in ("ca_field_type", "ca_element_count")
)


async def channel_type(pv: str) -> tuple[int, int]:
    """Connect ``pv`` (no timeout: the caller bounds it); its DBF type and count.

    `cainfo` also asks libca for the host name and access rights, a fifth of
    the CPU of connecting thousands of PVs; the transport needs only these
    two. aioca's channel cache is used directly where this aioca has it,
    else `cainfo`.
    """
    if not _FAST_INFO:
        info = await cainfo(pv, timeout=None)
        return info.datatype, info.count
    channel = _get_channel(pv)
    while True:
        await channel.wait()
        datatype: int = _cadef.ca_field_type(channel)
        if datatype >= 0:
            return datatype, _cadef.ca_element_count(channel)
        await asyncio.sleep(0)  # dropped since; let aioca hear of it, then wait


purge_channel_caches = cast(Callable[[], None], aioca.purge_channel_caches)
"""Close every channel (and its monitors) aioca holds, on every loop."""

camonitor = cast(Callable[..., Monitor], aioca.camonitor)
"""``camonitor(pv, callback, datatype=None, format=..., all_updates=False,
notify_disconnect=False)``."""
