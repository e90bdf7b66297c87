"""Tango commands: a void one is a `SignalX`; one with an argument or a result
is a `TangoCommand`, an awaitable callable: ``await scale(2.0) -> 4.0``.

Argument and result types are checked against the server's command config at
connect; a call's argument is checked before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import numpy as np
from tango import CmdArgType

from ophyd_blueprint.core.backend import ReadingCallback, SignalBackend
from ophyd_blueprint.core.datatypes import DatatypeSpec, datatype_spec
from ophyd_blueprint.core.device import DEFAULT_TIMEOUT, Device
from ophyd_blueprint.core.errors import DatatypeMismatchError, NotConnectedError

from .client import CommandInfo, DevFailed, describe_error
from .connection import NOT_YET, DeviceConnection, connect_device
from .convert import NUMPY_OF_TANGO
from .trl import parse_trl

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["TangoCommand", "TangoCommandBackend", "tango_command"]

A = TypeVar("A")
R = TypeVar("R")

_VOID = int(CmdArgType.DevVoid)
_ARRAY_ITEM = {
    int(CmdArgType.DevVarBooleanArray): int(CmdArgType.DevBoolean),
    int(CmdArgType.DevVarCharArray): int(CmdArgType.DevUChar),
    int(CmdArgType.DevVarShortArray): int(CmdArgType.DevShort),
    int(CmdArgType.DevVarUShortArray): int(CmdArgType.DevUShort),
    int(CmdArgType.DevVarLongArray): int(CmdArgType.DevLong),
    int(CmdArgType.DevVarULongArray): int(CmdArgType.DevULong),
    int(CmdArgType.DevVarLong64Array): int(CmdArgType.DevLong64),
    int(CmdArgType.DevVarULong64Array): int(CmdArgType.DevULong64),
    int(CmdArgType.DevVarFloatArray): int(CmdArgType.DevFloat),
    int(CmdArgType.DevVarDoubleArray): int(CmdArgType.DevDouble),
}


def _fits(spec: DatatypeSpec | None, tango_type: int) -> bool:
    """Whether a command argument or result of `tango_type` carries `spec`."""
    if spec is None:
        return tango_type == _VOID
    datatype = spec.datatype
    numpy = NUMPY_OF_TANGO.get(tango_type)
    if datatype is bool:
        return tango_type == int(CmdArgType.DevBoolean)
    if datatype is int:
        return numpy is not None and numpy.kind in "iu"
    if datatype is float:
        return numpy is not None and numpy.kind == "f"
    if datatype is str:
        return tango_type == int(CmdArgType.DevString)
    if spec.name == "Sequence[str]":
        return tango_type == int(CmdArgType.DevVarStringArray)
    item = NUMPY_OF_TANGO.get(_ARRAY_ITEM.get(tango_type, -1))
    return spec.name.startswith("Array1D") and item == np.dtype(spec.dtype_numpy)


def _type_name(tango_type: int) -> str:
    return CmdArgType(tango_type).name


async def _resolve(
    uri: str, timeout: float
) -> tuple[DeviceConnection, CommandInfo, str]:
    trl = parse_trl(uri)
    connection = await connect_device(uri, trl.device, timeout)
    info = await connection.command_info(uri, trl.member, timeout)
    return connection, info, trl.member


async def _run(connection: DeviceConnection, uri: str, name: str, arg: Any) -> Any:
    try:
        return await connection.proxy.command_inout(name, arg)
    except DevFailed as e:
        raise RuntimeError(f"{uri} failed: {describe_error(e)}") from None


class TangoCommandBackend(SignalBackend[None]):
    """A `SignalX` on a command that takes and returns nothing."""

    __slots__ = ("_connection", "_name", "_uri")

    def __init__(self, uri: str) -> None:
        super().__init__(None)
        self._uri = uri
        self._connection: DeviceConnection | None = None
        self._name = parse_trl(uri).member

    def source(self, name: str, read: bool) -> str:
        return self._uri

    async def connect(self, timeout: float) -> None:
        if self._connection is not None:
            return
        connection, info, _ = await _resolve(self._uri, timeout)
        if int(info.in_type) != _VOID:
            raise DatatypeMismatchError(
                self._uri,
                "trigger",
                f"command that takes a {_type_name(int(info.in_type))} argument",
                "use tango_command(<argument type>, <result type>, uri) to call it",
            )
        self._connection = connection

    async def put(self, value: None, wait: bool) -> None:
        if self._connection is None:
            raise NotConnectedError(NOT_YET, source=self._uri)
        await _run(self._connection, self._uri, self._name, None)

    def _no_value(self) -> TypeError:
        return TypeError(f"{self._uri} is a command: it has no value to read")

    async def get_datakey(self, source: str) -> DataKey:
        raise self._no_value()

    async def get_reading(self) -> Reading[None]:
        raise self._no_value()

    async def get_value(self) -> None:
        raise self._no_value()

    async def get_setpoint(self) -> None:
        raise self._no_value()

    def set_callback(self, callback: ReadingCallback[None] | None) -> None:
        if callback is not None:
            raise self._no_value()


class TangoCommand(Device, Generic[A, R]):
    """A Tango command to call: ``result = await command(argument)``.

    A `Device`, so it connects with the tree it belongs to; each call is
    bounded by `timeout`.
    """

    def __init__(
        self,
        in_type: type[A] | None,
        out_type: type[R] | None,
        uri: str,
        timeout: float = DEFAULT_TIMEOUT,
        name: str = "",
    ) -> None:
        self.source = uri
        self._in = None if in_type is None else datatype_spec(in_type)
        self._out = None if out_type is None else datatype_spec(out_type)
        self._timeout = timeout
        self._connection: DeviceConnection | None = None
        self._member = parse_trl(uri).member
        self._decode: Callable[[Any], Any] | None = None
        super().__init__(name)

    async def _connect_self(self, mock: bool, timeout: float) -> None:
        if self._connection is not None:
            return
        connection, info, _ = await _resolve(self.source, timeout)
        for role, spec, tango_type in (
            ("argument", self._in, int(info.in_type)),
            ("result", self._out, int(info.out_type)),
        ):
            if not _fits(spec, tango_type):
                asked = "no" if spec is None else f"a {spec.name}"
                raise DatatypeMismatchError(
                    self.source,
                    f"{asked} {role}",
                    f"command that has a {_type_name(tango_type)} {role}",
                )
        out = self._out
        if out is not None and out.name == "Sequence[str]":
            self._decode = list
        self._connection = connection

    async def __call__(self, arg: A | None = None) -> R:
        connection = self._connection
        if connection is None:
            raise NotConnectedError(NOT_YET, source=self.source)
        spec = self._in
        if spec is not None:
            try:
                arg = spec.coerce(arg)
            except TypeError as e:
                raise TypeError(f"{self.source} takes {spec.name}: {e}") from None
        elif arg is not None:
            raise TypeError(f"{self.source} takes no argument, got {arg!r}")
        async with asyncio.timeout(self._timeout):
            result = await _run(connection, self.source, self._member, arg)
        decode = self._decode
        return result if decode is None else decode(result)


@overload
def tango_command(
    in_type: type[A],
    out_type: type[R],
    uri: str,
    *,
    timeout: float = ...,
    name: str = ...,
) -> TangoCommand[A, R]: ...
@overload
def tango_command(
    in_type: None, out_type: type[R], uri: str, *, timeout: float = ..., name: str = ...
) -> TangoCommand[None, R]: ...
@overload
def tango_command(
    in_type: type[A], out_type: None, uri: str, *, timeout: float = ..., name: str = ...
) -> TangoCommand[A, None]: ...
def tango_command(
    in_type: type[Any] | None,
    out_type: type[Any] | None,
    uri: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    name: str = "",
) -> TangoCommand[Any, Any]:
    """A callable command: ``scale = tango_command(float, float, uri)``.

    ``None`` for a type means the command takes (or returns) nothing.
    """
    return TangoCommand(in_type, out_type, uri, timeout, name)
