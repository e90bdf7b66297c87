"""The typed face of aioca: the few calls the CA transport makes, cast once here.

aioca ships no stubs (and no py.typed); the module is imported as `Any` and
these aliases give pyright exact signatures at no runtime cost: they are the
aioca functions themselves.
"""

from __future__ import annotations

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

camonitor = cast(Callable[..., Monitor], aioca.camonitor)
"""``camonitor(pv, callback, datatype=None, format=..., all_updates=False,
notify_disconnect=False)``."""
