"""From an attribute's native Tango type to a signal's datatype, decided once.

`attribute_codec` checks the server's attribute config against the datatype
the signal asked for and returns an `AttributeCodec`: the functions that turn
a read value into the signal's value and a put value into what Tango takes
(None where nothing needs doing, so the read path makes no call), and the
DataKey facts (numpy dtype, units, precision, limits, choices).
`datatype_of_attribute` is the datatype a live-typed signal takes.

An attribute's quality becomes the reading's ``alarm_severity`` (and
``message``), matching EPICS severities where the meaning matches:

========  ===============  ===========
quality   alarm_severity   message
========  ===============  ===========
VALID     0                (none)
WARNING   1 (MINOR)        "warning"
ALARM     2 (MAJOR)        "alarm"
INVALID   3 (INVALID)      "invalid"
CHANGING  0                "changing"
========  ===============  ===========

CHANGING is not an alarm (a motor on its way), so it keeps severity 0 and
says so in the message. A lost connection is `core.backend.DISCONNECTED` (-1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
from tango import (
    AttrDataFormat,
    AttributeInfoEx,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
)

from ophyd_blueprint.core.datatypes import DatatypeSpec
from ophyd_blueprint.core.errors import DatatypeMismatchError
from ophyd_blueprint.core.limits import limits
from ophyd_blueprint.core.live_type import ServerType, datatype_of

from .enums import STATE_NAMES, DevStateEnum, check_enum_labels

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import Limits

__all__ = [
    "NUMPY_OF_TANGO",
    "SEVERITY_OF_QUALITY",
    "VALID",
    "AttributeCodec",
    "attribute_codec",
    "datakey_metadata",
    "datatype_of_attribute",
    "native_name",
    "server_type",
]

NUMPY_OF_TANGO: dict[int, np.dtype[Any]] = {
    int(CmdArgType.DevBoolean): np.dtype(np.bool_),
    int(CmdArgType.DevShort): np.dtype(np.int16),
    int(CmdArgType.DevUShort): np.dtype(np.uint16),
    int(CmdArgType.DevLong): np.dtype(np.int32),
    int(CmdArgType.DevULong): np.dtype(np.uint32),
    int(CmdArgType.DevLong64): np.dtype(np.int64),
    int(CmdArgType.DevULong64): np.dtype(np.uint64),
    int(CmdArgType.DevFloat): np.dtype(np.float32),
    int(CmdArgType.DevDouble): np.dtype(np.float64),
    int(CmdArgType.DevUChar): np.dtype(np.uint8),
}
"""Numeric Tango types and their numpy dtypes."""

VALID = int(AttrQuality.ATTR_VALID)
"""The common quality, tested first on the read path."""

SEVERITY_OF_QUALITY: dict[int, tuple[int, str]] = {
    int(AttrQuality.ATTR_WARNING): (1, "warning"),
    int(AttrQuality.ATTR_ALARM): (2, "alarm"),
    int(AttrQuality.ATTR_INVALID): (3, "invalid"),
    int(AttrQuality.ATTR_CHANGING): (0, "changing"),
}
"""Severity and message of every quality but VALID (severity 0, no message)."""

_STRING = int(CmdArgType.DevString)
_ENUM = int(CmdArgType.DevEnum)
_STATE = int(CmdArgType.DevState)
_SCALAR = int(AttrDataFormat.SCALAR)
_SPECTRUM = int(AttrDataFormat.SPECTRUM)
_IMAGE = int(AttrDataFormat.IMAGE)
_WRITABLE = {
    int(AttrWriteType.WRITE),
    int(AttrWriteType.READ_WRITE),
    int(AttrWriteType.READ_WITH_WRITE),
}
_UNSET = {"", "Not specified", "No unit", "No display unit"}
_PRECISION = re.compile(r"%[-+ #0]*\d*\.(\d+)[fFeEgG]")

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class AttributeCodec:
    """What one attribute signal needs to read, write and describe itself."""

    decode: Convert | None
    """Tango value -> signal value; None: the value is already right."""
    encode: Convert | None
    """Signal value -> Tango value; None: pass it as it is."""
    writable: bool
    dtype_numpy: str | None
    choices: tuple[str, ...] | None
    info: AttributeInfoEx
    """The server's config; `datakey_metadata` reads it when describing."""


def native_name(data_type: int, data_format: int) -> str:
    """``float64``, ``string``, ``enum``, ``state``, ``int32 spectrum``, ..."""
    if data_type in NUMPY_OF_TANGO:
        name = NUMPY_OF_TANGO[data_type].name
    elif data_type in (_STRING, _ENUM, _STATE):
        name = {_STRING: "string", _ENUM: "enum", _STATE: "state"}[data_type]
    else:
        name = CmdArgType(data_type).name
    suffix = {_SPECTRUM: " spectrum", _IMAGE: " image"}.get(data_format, "")
    return name + suffix


def server_type(info: AttributeInfoEx) -> ServerType:
    """What an attribute is, for a live-typed signal."""
    data_type = int(info.data_type)
    data_format = int(info.data_format)
    numpy = NUMPY_OF_TANGO.get(data_type)
    dims = {_SCALAR: 0, _SPECTRUM: 1}.get(data_format, 2)
    native = f"{native_name(data_type, data_format)} attribute"
    if numpy is not None:
        return ServerType(numpy.name, dims, native=native)
    if data_type == _STRING:
        return ServerType("str", dims, native=native)
    labels = _labels(data_type, info)
    if labels is not None:
        return ServerType("enum", dims, labels, native=native)
    return ServerType(CmdArgType(data_type).name, dims, native=native)


def datatype_of_attribute(uri: str, info: AttributeInfoEx) -> Any:
    """The datatype a live-typed signal on this attribute takes.

    DevState is `DevStateEnum`; everything else is decided by
    `core.live_type.datatype_of` (a DevEnum becomes a `StrictEnum` of its
    labels). `UncarriedTypeError` for a type no signal carries (DevEncoded).
    """
    if int(info.data_type) == _STATE and int(info.data_format) == _SCALAR:
        return DevStateEnum
    return datatype_of(server_type(info), uri)


def attribute_codec(
    uri: str, spec: DatatypeSpec, info: AttributeInfoEx
) -> AttributeCodec:
    """The codec for `spec` on this attribute, or `DatatypeMismatchError`."""
    data_type = int(info.data_type)
    data_format = int(info.data_format)
    labels = _labels(data_type, info)
    decode, encode = _converters(uri, spec, data_type, data_format, labels)
    numpy = NUMPY_OF_TANGO.get(data_type)
    return AttributeCodec(
        decode=decode,
        encode=encode,
        writable=int(info.writable) in _WRITABLE,
        dtype_numpy=None if numpy is None else numpy.str,
        choices=labels if spec.choices or spec.datatype is str else None,
        info=info,
    )


def datakey_metadata(
    info: AttributeInfoEx,
) -> tuple[str | None, int | None, Limits | None]:
    """Units, precision and limits of an attribute, as a DataKey has them."""
    units = None if info.unit in _UNSET else info.unit
    numeric = int(info.data_type) in NUMPY_OF_TANGO
    return units, _precision(info.format) if numeric else None, _limits(info)


def _labels(data_type: int, info: AttributeInfoEx) -> tuple[str, ...] | None:
    if data_type == _ENUM:
        return tuple(str(label) for label in info.enum_labels)
    if data_type == _STATE:
        return STATE_NAMES
    return None


def _mismatch(
    uri: str, spec: DatatypeSpec, data_type: int, data_format: int
) -> DatatypeMismatchError:
    native = native_name(data_type, data_format)
    return DatatypeMismatchError(uri, spec.name, f"{native} attribute")


def _converters(
    uri: str,
    spec: DatatypeSpec,
    data_type: int,
    data_format: int,
    labels: tuple[str, ...] | None,
) -> tuple[Convert | None, Convert | None]:
    datatype = spec.datatype
    numpy = NUMPY_OF_TANGO.get(data_type)
    if data_format == _SCALAR:
        if datatype is bool and data_type == int(CmdArgType.DevBoolean):
            return None, None
        if datatype is int and numpy is not None and numpy.kind in "iu":
            return None, None
        if datatype is float and numpy is not None and numpy.kind == "f":
            return None, None
        if datatype is str and data_type == _STRING:
            return None, None
        if labels is not None and datatype is str:
            return _label_converters(labels, labels)
        if (
            labels is not None
            and isinstance(datatype, type)
            and issubclass(datatype, Enum)
        ):
            check_enum_labels(uri, datatype, labels)
            return _label_converters(labels, _enum_members(datatype, labels))
    elif spec.shape == (None,) or datatype is np.ndarray:
        converters = _array_converters(spec, data_type, data_format, numpy)
        if converters is not None:
            return converters
    raise _mismatch(uri, spec, data_type, data_format)


def _enum_members(enum: type[Enum], labels: Sequence[str]) -> tuple[Any, ...]:
    """Server index -> member; a label a SubsetEnum lacks stays a str."""
    by_label = {str(member.value): member for member in enum}
    return tuple(by_label.get(label, label) for label in labels)


def _label_converters(
    labels: Sequence[str], values: Sequence[Any]
) -> tuple[Convert, Convert]:
    index = {label: i for i, label in enumerate(labels)}
    return tuple(values).__getitem__, index.__getitem__


def _array_converters(
    spec: DatatypeSpec, data_type: int, data_format: int, numpy: np.dtype[Any] | None
) -> tuple[Convert, None] | None:
    if spec.datatype is np.ndarray and numpy is not None:
        return _or_empty(np.zeros((0,) * (1 if data_format == _SPECTRUM else 2), numpy))
    if data_format != _SPECTRUM:
        return None
    if spec.name == "Sequence[str]" and data_type == _STRING:
        return _strings, None
    if spec.name.startswith("Array1D") and numpy == np.dtype(spec.dtype_numpy):
        return _or_empty(np.zeros(0, numpy))
    return None


def _or_empty(empty: np.ndarray[Any, Any]) -> tuple[Convert, None]:
    """Tango sends None for an empty array; the signal gives an empty one."""

    def decode(value: Any) -> Any:
        return empty if value is None else value

    return decode, None


def _strings(value: Any) -> list[str]:
    return [] if value is None else list(value)


def _precision(format_: str) -> int | None:
    found = _PRECISION.search(format_)
    return None if found is None else int(found.group(1))


def _number(text: str) -> float | None:
    try:
        return None if text in _UNSET else float(text)
    except ValueError:
        return None


def _limits(info: AttributeInfoEx) -> Limits | None:
    alarms = info.alarms
    return limits(
        {
            "control": (_number(info.min_value), _number(info.max_value)),
            "alarm": (_number(alarms.min_alarm), _number(alarms.max_alarm)),
            "warning": (_number(alarms.min_warning), _number(alarms.max_warning)),
        }
    )
