"""The stub type of a signal without dtype, from what its source alone says.

Such a signal takes its server's type at connect, so the file does not know
it: its stub says ``Any``, unless the source names something whose type is
the same on every server. Those are the fields of EPICS's common record part
(``.DESC`` is a string on every record type, ``.PREC`` an integer, a menu
such as ``.SCAN`` an enum, whose values are strings) and a Tango device's
``State`` (`DevStateEnum`) and ``Status`` (a string).
"""

from __future__ import annotations

import re

from .imports import PACKAGE, Imports

__all__ = ["live_type_text"]

_STR = "str"
_INT = "int"
_EPICS_FIELDS: dict[str, str] = {
    **dict.fromkeys(("DESC", "NAME", "EVNT", "EGU"), _STR),
    # menus: enums, whose members are strings
    **dict.fromkeys(
        ("SCAN", "PINI", "PRIO", "STAT", "SEVR", "NSTA", "NSEV", "ACKS", "ACKT"),
        _STR,
    ),
    **dict.fromkeys(("PHAS", "TSE", "DISV", "DISA", "PROC", "UDF", "PACT"), _INT),
    "PREC": _INT,
}
"""Fields whose type is the same on every record type that has them."""

_FIELD = re.compile(r"^(?:(?:ca|pva)://|(?!\w+://)).*\.([A-Z][A-Z0-9]*)$")
"""An EPICS record field: ``ca://`` or ``pva://`` (or no scheme), ``.FIELD``."""
_TANGO_MEMBER = re.compile(r"^tango://.*/(\w+)(?:#.*)?$")


def live_type_text(source: str, imports: Imports) -> str:
    """``str``, ``int``, ``DevStateEnum`` or ``Any`` for a signal reading `source`."""
    field = _FIELD.match(source)
    if field is not None and field[1] in _EPICS_FIELDS:
        return _EPICS_FIELDS[field[1]]
    member = _TANGO_MEMBER.match(source)
    if member is not None and member[1] == "Status":
        return _STR
    if member is not None and member[1] == "State":
        return imports.name(f"{PACKAGE}.transports.tango", "DevStateEnum")
    return imports.name("typing", "Any")
