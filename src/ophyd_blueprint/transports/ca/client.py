"""The typed face of aioca: the few calls the CA transport makes, cast once here.

aioca ships no stubs (and no py.typed); the module is imported as `Any` and
these aliases give pyright exact signatures at no runtime cost: they are the
aioca functions themselves.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
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
    "share_pyepics_context",
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


_context_settled = False
"""Whether the first connect has looked for pyepics' CA context."""


def share_pyepics_context() -> None:
    """Let aioca take pyepics' CA context, if pyepics has made one and aioca
    has none yet: one context for ophyd (sync) and ophyd-blueprint.

    bluesky's RunEngine imports ophyd, and ophyd's pyepics layer makes a CA
    context in the thread that imports it. Devices connect in the
    RunEngine's thread, where aioca would make a second one: every IOC then
    has two TCP circuits to the process, and a thread that has used both
    gets aioca's warning ("There is already a CA context for this thread")
    and loses pyepics' context. Attached in this thread before aioca's first
    call, pyepics' context is the one aioca adopts (and pyepics, which made
    it, destroys it at exit, after aioca has closed its channels). Tried
    once, at the first connect of the process; pyepics not loaded, not
    started, or without preemptive callbacks (aioca needs them) is left so.
    """
    global _context_settled
    _context_settled = True
    epics_ca: Any = sys.modules.get("epics.ca")
    aioca_context = getattr(getattr(_catools, "_Context", None), "_ca_context", None)
    if epics_ca is None or aioca_context is not None:
        return
    initial = getattr(epics_ca, "initial_context", None)
    preemptive = getattr(epics_ca, "PREEMPTIVE_CALLBACK", False)  # as aioca's
    if initial is not None and preemptive and not epics_ca.current_context():
        epics_ca.attach_context(initial)


async def channel_type(pv: str) -> tuple[int, int]:
    """Connect ``pv`` (no timeout: the caller bounds it); its DBF type and count.

    `cainfo` also asks libca for the host name and access rights, a fifth of
    the CPU of connecting thousands of PVs; the transport needs only these
    two. aioca's channel cache is used directly where this aioca has it,
    else `cainfo`.
    """
    if not _context_settled:
        share_pyepics_context()
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
