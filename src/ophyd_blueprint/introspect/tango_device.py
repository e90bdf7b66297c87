"""A live Tango device -> a `FoundDevice`: attributes and void commands.

One attribute-config query and one command-config query, through the Tango
transport's shared device connection. Attributes keep their Tango type (the
datatype a live-typed signal on them takes, `datatype_of_attribute`, written
as a blueprint declares it: DevEnum labels and DevState names become enum
choices), access (read-only
``r``, write-only ``w``, else ``rw``) and units; a void command (no argument,
no result) is an ``x`` signal. Other commands, and attributes no signal type
carries (DevEncoded), are left out with a note.
"""

from __future__ import annotations

import asyncio
from typing import cast

from tango import AttributeInfoEx, AttrWriteType, CmdArgType

from ophyd_blueprint.blueprint.vocabulary import Access, Dtype
from ophyd_blueprint.core import NotConnectedError
from ophyd_blueprint.core.datatype_words import words_of
from ophyd_blueprint.core.live_type import UncarriedTypeError
from ophyd_blueprint.transports.tango.client import CommandInfo
from ophyd_blueprint.transports.tango.connection import connect_device
from ophyd_blueprint.transports.tango.convert import datatype_of_attribute
from ophyd_blueprint.transports.tango.trl import parse_trl

from .errors import IntrospectionError
from .tree import FoundDevice, FoundSignal, snake_case

__all__ = ["read_tango"]

_VOID = int(CmdArgType.DevVoid)
_ACCESS: dict[int, Access] = {
    int(AttrWriteType.READ): "r",
    int(AttrWriteType.WRITE): "w",
    int(AttrWriteType.READ_WRITE): "rw",
    int(AttrWriteType.READ_WITH_WRITE): "rw",
}
_UNSET = {"", "Not specified", "No unit", "No display unit"}
_NO_DOC = {"", "No description"}


def split_device_uri(uri: str) -> tuple[str, str]:
    """``tango://h:p/a/b/c#dbase=no`` -> (``tango://h:p/a/b/c``, ``#dbase=no``)."""
    body, sep, fragment = uri.partition("#")
    return body.rstrip("/"), sep + fragment


_MIRRORS_AN_ATTRIBUTE = frozenset({"State", "Status"})
"""Commands every Tango device has that only repeat an attribute of the same
name; leaving them out is not worth a note."""


async def read_tango(uri: str, timeout: float, notes: list[str]) -> FoundDevice:
    """The attributes and void commands of device `uri`, typed by the server."""
    body, options = split_device_uri(uri)
    try:
        device = parse_trl(f"{body}/State{options}").device
    except ValueError as error:
        raise IntrospectionError(str(error)) from None
    try:
        async with asyncio.timeout(timeout):
            connection = await connect_device(uri, device, timeout)
            attributes, commands = await asyncio.gather(
                connection.all_attributes(uri, timeout),
                connection.all_commands(uri, timeout),
            )
    except TimeoutError:
        raise IntrospectionError(f"{uri}: no answer within {timeout} s") from None
    except NotConnectedError as error:
        raise IntrospectionError(str(error)) from None
    except Exception as error:
        raise IntrospectionError(f"{uri}: {error}") from None
    signals: dict[str, FoundSignal] = {}
    for info in attributes:
        found = _attribute(f"{body}/{info.name}{options}", info)
        if isinstance(found, str):
            notes.append(f"{uri}: left out attribute {info.name}, {found}")
        else:
            signals[_unique(snake_case(info.name), signals)] = found
    for command in commands:
        if command.cmd_name in _MIRRORS_AN_ATTRIBUTE:
            continue  # every device has them; the State/Status attributes serve
        found_command = _command(f"{body}/{command.cmd_name}{options}", command)
        if found_command is None:
            notes.append(
                f"{uri}: left out command {command.cmd_name}, which takes an "
                "argument or returns a result (only void commands are signals)"
            )
        else:
            signals[_unique(snake_case(command.cmd_name), signals)] = found_command
    return FoundDevice(where=uri, signals=signals)


def _unique(name: str, taken: dict[str, FoundSignal]) -> str:
    while name in taken:
        name += "_"
    return name


def _attribute(source: str, info: AttributeInfoEx) -> FoundSignal | str:
    try:
        words = words_of(datatype_of_attribute(source, info))
    except UncarriedTypeError as error:
        return error.reason.removeprefix("is ")
    units = None if info.unit in _UNSET else str(info.unit)
    doc = str(info.description) if info.description not in _NO_DOC else None
    return FoundSignal(
        _ACCESS.get(int(info.writable), "r"),
        source,
        dtype=cast(Dtype, words.dtype),
        choices=words.choices,
        units=units,
        doc=doc,
    )


def _command(source: str, info: CommandInfo) -> FoundSignal | None:
    if int(info.in_type) != _VOID or int(info.out_type) != _VOID:
        return None
    return FoundSignal("x", source)
