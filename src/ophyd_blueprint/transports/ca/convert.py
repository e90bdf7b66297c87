"""How one CA channel carries one datatype: checked once at connect.

`conversion_for` compares the channel's native type (DBF code and element
count) with the datatype a signal asked for, and returns the request type and
the two converters the hot paths use, or a `DatatypeMismatchError` naming both types.
`server_type` says what a channel is, for a live-typed signal.

CA has no 64-bit integers: int64/uint64/uint32 records reach CA clients as
DOUBLE. An ``int`` signal on an int64in/int64out record is read and written as
DBR_STRING (exact to 64 bits); ``Array1D[np.int64]`` etc. on such waveforms
are carried as doubles (exact only below 2**53).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from ophyd_blueprint.core.datatypes import DatatypeSpec, StrictEnum
from ophyd_blueprint.core.errors import DatatypeMismatchError
from ophyd_blueprint.core.limits import limits
from ophyd_blueprint.core.live_type import ServerType

from . import client as ca

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import Limits

__all__ = [
    "CaConversion",
    "conversion_for",
    "extra_pv",
    "limits_of",
    "native_name",
    "needs",
    "server_type",
]

_NATIVE_NAMES = {
    ca.DBF_STRING: "string",
    ca.DBF_SHORT: "int16",
    ca.DBF_FLOAT: "float32",
    ca.DBF_ENUM: "enum",
    ca.DBF_CHAR: "uint8 (char)",
    ca.DBF_LONG: "int32",
    ca.DBF_DOUBLE: "float64",
}
_NATIVE_NUMPY = {
    ca.DBF_STRING: "|S40",
    ca.DBF_SHORT: "<i2",
    ca.DBF_FLOAT: "<f4",
    ca.DBF_ENUM: "<u2",
    ca.DBF_CHAR: "|u1",
    ca.DBF_LONG: "<i4",
    ca.DBF_DOUBLE: "<f8",
}
_ARRAY_DTYPES: dict[int, tuple[np.dtype[Any], ...]] = {
    ca.DBF_CHAR: (np.dtype(np.uint8), np.dtype(np.int8)),
    ca.DBF_SHORT: (np.dtype(np.int16),),
    ca.DBF_LONG: (np.dtype(np.int32), np.dtype(np.uint16)),
    ca.DBF_FLOAT: (np.dtype(np.float32),),
    ca.DBF_DOUBLE: (np.dtype(np.float64),),
    ca.DBF_ENUM: (np.dtype(np.uint16),),
}
_WIDE_FTVL = {
    "ULONG": np.dtype(np.uint32),
    "INT64": np.dtype(np.int64),
    "UINT64": np.dtype(np.uint64),
}
_INT_FIELDS = (ca.DBF_LONG, ca.DBF_SHORT, ca.DBF_CHAR)
_INT64_RECORDS = ("int64in", "int64out")


@dataclass(frozen=True, slots=True)
class CaConversion:
    """The request type and converters of one channel for one datatype."""

    dbr: int | None
    """The `datatype` argument of caget/caput/camonitor (None: native)."""
    to_python: Callable[[Any], Any]
    to_ca: Callable[[Any], Any]
    dtype_numpy: str
    shape: list[int | None]
    choices: tuple[str, ...] | None = None


_SERVER_SCALARS = {
    ca.DBF_STRING: "str",
    ca.DBF_SHORT: "int16",
    ca.DBF_FLOAT: "float32",
    ca.DBF_ENUM: "enum",
    ca.DBF_CHAR: "uint8",
    ca.DBF_LONG: "int32",
    ca.DBF_DOUBLE: "float64",
}


def server_type(field: int, count: int, choices: Sequence[str] = ()) -> ServerType:
    """What a channel of `field` x `count` is, for a live-typed signal.

    More than one element is an array (a waveform of NELM 1 reads as a
    scalar); CA carries 64-bit integers as DOUBLE, so they type as float.
    """
    return ServerType(
        _SERVER_SCALARS.get(field, f"DBF {field}"),
        1 if count > 1 else 0,
        tuple(choices),
        native=f"{native_name(field, count)} PV",
    )


def _same(value: Any) -> Any:
    return value


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(s) for s in cast(Sequence[Any], value)]


def _int8_view(value: Any) -> npt.NDArray[np.int8]:
    return np.asarray(value).view(np.int8)


def native_name(field: int, count: int) -> str:
    """``float64`` or ``float64 array[8]``: how errors name a channel's type."""
    name = _NATIVE_NAMES.get(field, f"DBF {field}")
    return f"{name} array[{count}]" if count > 1 else name


def _record(pv: str) -> str:
    return pv.partition(".")[0].removesuffix("$")


def needs(spec: DatatypeSpec, field: int) -> str | None:
    """The extra PV to read before `conversion_for` can decide, if any.

    ``"enums"`` (the channel's choices), ``"RTYP"`` or ``"FTVL"`` (a record
    field, for 64-bit integers that CA carries as DOUBLE).
    """
    datatype = spec.datatype
    if isinstance(datatype, type) and issubclass(datatype, Enum):
        return "enums" if field == ca.DBF_ENUM else None
    if field != ca.DBF_DOUBLE:
        return None
    if datatype is int:
        return "RTYP"
    # only 64-bit and unsigned 32-bit waveforms travel as DOUBLE: other arrays
    # (float64 among them) need no extra round trip at connect
    if (
        spec.shape == (None,)
        and spec.dtype == "array"
        and spec.name != "Sequence[str]"
        and np.dtype(spec.dtype_numpy) in _WIDE_FTVL.values()
    ):
        return "FTVL"
    return None


def extra_pv(pv: str, need: str) -> str:
    """The PV that answers `needs` for channel `pv`."""
    return pv if need == "enums" else f"{_record(pv)}.{need}"


_SHARED: dict[tuple[DatatypeSpec, int, int, str | None], CaConversion | None] = {}
"""Conversions without per-channel state, shared by every channel alike: one
object for thousands of signals of one kind."""


def conversion_for(
    spec: DatatypeSpec, uri: str, field: int, count: int, extra: Any = None
) -> CaConversion:
    """The conversion of `spec` on a channel of `field` x `count`.

    Raises `DatatypeMismatchError` naming both types when there is none.

    `extra` is the answer to `needs` (choices, RTYP or FTVL) when it asked.
    """
    if isinstance(spec.datatype, type) and issubclass(spec.datatype, Enum):
        found = _conversion(spec, field, count, extra, uri)  # names uri in errors
    else:
        key = (spec, field, count, None if extra is None else str(extra))
        if key not in _SHARED:
            _SHARED[key] = _conversion(spec, field, count, extra, uri)
        found = _SHARED[key]
    if found is None:
        raise DatatypeMismatchError(uri, spec.name, f"{native_name(field, count)} PV")
    return found


def _conversion(
    spec: DatatypeSpec, field: int, count: int, extra: Any, uri: str
) -> CaConversion | None:
    datatype = spec.datatype
    native = _NATIVE_NUMPY.get(field, "")
    if datatype is float and field in (ca.DBF_DOUBLE, ca.DBF_FLOAT) and count == 1:
        return CaConversion(None, float, _same, native, [])
    if datatype is int and count == 1:
        if field in _INT_FIELDS:
            return CaConversion(None, int, _same, native, [])
        if field == ca.DBF_DOUBLE and str(extra) in _INT64_RECORDS:
            return CaConversion(ca.DBR_STRING, int, str, "<i8", [])
        return None
    if datatype is bool and count == 1 and field in (*_INT_FIELDS, ca.DBF_ENUM):
        return CaConversion(None, bool, int, native, [])
    if datatype is str:
        if field == ca.DBF_STRING and count == 1:
            return CaConversion(None, str, _same, native, [])
        if field == ca.DBF_ENUM:
            return CaConversion(ca.DBR_STRING, str, _same, "|S40", [])
        if field == ca.DBF_CHAR and count > 1:
            return CaConversion(ca.DBR_CHAR_STR, str, _same, "|S40", [])
        return None
    if isinstance(datatype, type) and issubclass(datatype, Enum):
        if field != ca.DBF_ENUM:
            return None
        return _enum_conversion(datatype, tuple(cast(Sequence[str], extra)), uri)
    if spec.name == "Sequence[str]":
        if field == ca.DBF_STRING:
            return CaConversion(None, _str_list, _same, native, [count])
        return None
    if datatype is np.ndarray:
        if field in _ARRAY_DTYPES:
            return CaConversion(None, np.asarray, _same, native, [count])
        return None
    if spec.shape == (None,) and spec.dtype == "array":
        return _array_conversion(np.dtype(spec.dtype_numpy), field, count, extra)
    return None


def _array_conversion(
    wanted: np.dtype[Any], field: int, count: int, ftvl: Any
) -> CaConversion | None:
    allowed = _ARRAY_DTYPES.get(field, ())
    if field == ca.DBF_DOUBLE and _WIDE_FTVL.get(str(ftvl)) == wanted:
        allowed = (*allowed, wanted)
    if wanted not in allowed:
        return None
    native = allowed[0]
    if wanted == native:
        return CaConversion(None, np.asarray, _same, wanted.str, [count])
    to_native = partial(np.asarray, dtype=native)
    if wanted == np.dtype(np.int8):
        return CaConversion(None, _int8_view, to_native, wanted.str, [count])
    return CaConversion(
        None, partial(np.asarray, dtype=wanted), to_native, wanted.str, [count]
    )


def _enum_conversion(
    datatype: type[Enum], server: tuple[str, ...], uri: str
) -> CaConversion:
    labels = [str(m.value) for m in datatype]
    strict = issubclass(datatype, StrictEnum)
    if (set(labels) != set(server)) if strict else not set(labels) <= set(server):
        kind = "the same choices as" if strict else "only choices of"
        raise DatatypeMismatchError(
            uri,
            datatype.__name__,
            "enum PV",
            f"it has choices {list(server)}; {datatype.__name__} has {labels}, "
            f"and a {'StrictEnum' if strict else 'SubsetEnum'} must have {kind} "
            "the PV",
        )
    by_label: dict[str, Any] = {str(m.value): m for m in datatype}
    values = tuple(by_label.get(label, label) for label in server)
    index = {label: i for i, label in enumerate(server)}
    return CaConversion(
        None, values.__getitem__, index.__getitem__, "|S40", [], choices=server
    )


def limits_of(ctrl: Any) -> Limits | None:
    """Control, display, alarm (major) and warning (minor) limits of a CTRL value."""
    if not hasattr(ctrl, "upper_disp_limit"):
        return None
    return limits(
        {
            "control": (ctrl.lower_ctrl_limit, ctrl.upper_ctrl_limit),
            "display": (ctrl.lower_disp_limit, ctrl.upper_disp_limit),
            "alarm": (ctrl.lower_alarm_limit, ctrl.upper_alarm_limit),
            "warning": (ctrl.lower_warning_limit, ctrl.upper_warning_limit),
        }
    )
