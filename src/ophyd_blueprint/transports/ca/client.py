"""The typed face of aioca: the few calls the CA transport makes, cast once here.

aioca ships no stubs (and no py.typed); the module is imported as `Any` and
these aliases give pyright exact signatures at no runtime cost: they are the
aioca functions themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

aioca: Any = importlib.import_module("aioca")
_log = logging.getLogger(__name__)

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
"""Whether the first connect has settled which CA context aioca takes."""
_RUN_ENGINE_MODULES = frozenset({"bluesky", "ophyd"})
"""Imported, they say a RunEngine (which imports ophyd, so pyepics) may come."""


def share_pyepics_context() -> None:
    """Have aioca and pyepics share one CA context, pyepics' (if it is
    installed): called at the first connect of the process, before aioca
    has made a context of its own.

    bluesky's RunEngine imports ophyd, and ophyd's pyepics makes a CA
    context in the thread that imports it; devices connect in the
    RunEngine's thread, where aioca would make a second. Every IOC then had
    two TCP circuits to the process, and a thread that used both got aioca's
    warning ("There is already a CA context for this thread") and lost
    pyepics' context. The other order was worse: pyepics, started in a
    thread where aioca's context is attached, takes that context as its own
    and destroys it at exit before aioca has closed its channels, and the
    interpreter crashes on the way out.

    So pyepics is started here if it has not been (in this thread: the
    context is made here) or its context is attached here; aioca adopts it
    and leaves its destruction to pyepics, whose exit handler now runs after
    aioca's. pyepics without preemptive callbacks (aioca needs them), or
    that cannot start, is left alone and aioca makes its own context. A
    process that has imported neither bluesky nor ophyd is not made to
    import pyepics (0.1-0.35 s): no RunEngine is on its way.
    """
    global _context_settled
    _context_settled = True
    if getattr(getattr(_catools, "_Context", None), "_ca_context", None):
        return  # aioca has its context already (used before, directly)
    try:
        epics_ca = _pyepics()
        if epics_ca is None or not getattr(epics_ca, "PREEMPTIVE_CALLBACK", False):
            return
        # starts pyepics here, or attaches its context if this thread has none
        current = epics_ca.current_context()
        if not current or current == epics_ca.initial_context:
            epics_ca.use_initial_context()
    except Exception as error:  # pyepics' own trouble must not stop a connect
        _log.warning("CA: not sharing pyepics' context (%s)", error)


def _pyepics() -> Any:
    """pyepics' ``epics.ca``, if it is started or, once imported, would load
    aioca's libca; else None (a second libca in the process would share
    nothing; tried, it left aioca's CA searches unanswered).

    As ophyd does, ``epicscorelibs.path.pyepics`` is imported first: it points
    pyepics at epicscorelibs' libca (unless ``PYEPICS_LIBCA`` says otherwise).
    """
    epics_ca: Any = sys.modules.get("epics.ca")
    if epics_ca is None:
        if not _RUN_ENGINE_MODULES & sys.modules.keys():
            return None  # no RunEngine coming: pyepics is not worth its import
        if importlib.util.find_spec("epics") is None:
            return None  # no pyepics: aioca's context is the only one
        with contextlib.suppress(ImportError):
            importlib.import_module("epicscorelibs.path.pyepics")
        epics_ca = importlib.import_module("epics.ca")
    if getattr(epics_ca, "libca", None) is not None:
        return epics_ca  # started: its context is attached, if it is aioca's lib
    ours = getattr(getattr(_cadef, "libca", None), "_name", None)
    theirs = epics_ca.find_libca()
    if ours is None or os.path.realpath(theirs) != os.path.realpath(ours):
        return None
    return epics_ca


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
