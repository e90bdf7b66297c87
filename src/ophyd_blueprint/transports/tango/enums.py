"""Enums on Tango: DevState as `DevStateEnum`, and label checks against DevEnum.

Labels are compared exactly as written, case and spaces included, so a user
enum ``LOW = "low gain"`` matches the server label ``low gain``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from tango import DevState

from ophyd_blueprint.core.datatypes import StrictEnum, SubsetEnum
from ophyd_blueprint.core.errors import DatatypeMismatchError

__all__ = ["STATE_NAMES", "DevStateEnum", "check_enum_labels"]

STATE_NAMES: tuple[str, ...] = tuple(
    state.name for state in sorted(DevState.__members__.values(), key=int)
)
"""Tango state names, indexed by the state's number."""


class DevStateEnum(StrictEnum):
    """The Tango device states, as signals of a ``State`` attribute return them."""

    ON = "ON"
    OFF = "OFF"
    CLOSE = "CLOSE"
    OPEN = "OPEN"
    INSERT = "INSERT"
    EXTRACT = "EXTRACT"
    MOVING = "MOVING"
    STANDBY = "STANDBY"
    FAULT = "FAULT"
    INIT = "INIT"
    RUNNING = "RUNNING"
    ALARM = "ALARM"
    DISABLE = "DISABLE"
    UNKNOWN = "UNKNOWN"


def check_enum_labels(uri: str, enum: type[Enum], server: Sequence[str]) -> None:
    """Raise `DatatypeMismatchError` unless `enum` fits the server's labels.

    A `StrictEnum` must have exactly the server's labels; a `SubsetEnum` some
    of them.
    """
    mine = [str(member.value) for member in enum]
    missing = sorted(set(mine) - set(server))
    extra = sorted(set(server) - set(mine))
    if missing or (extra and not issubclass(enum, SubsetEnum)):
        kind = "SubsetEnum" if issubclass(enum, SubsetEnum) else "StrictEnum"
        raise DatatypeMismatchError(
            uri,
            enum.__name__,
            "enum attribute",
            f"it has choices {list(server)}, but the {kind} {enum.__name__} "
            f"has {mine}" + (f"; not on the server: {missing}" if missing else ""),
        )
