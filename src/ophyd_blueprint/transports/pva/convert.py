"""Converters between PVA normative types and the datatypes of signals.

`make_converter` looks at a PV's structure once, at connect, checks it against
the datatype the signal asked for, and returns the few functions the hot
paths need: read a value out of a structure, and fill a put structure.
`server_type` says what a structure is, for a live-typed signal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from ophyd_blueprint.core.datatypes import DatatypeSpec, StrictEnum
from ophyd_blueprint.core.errors import DatatypeMismatchError
from ophyd_blueprint.core.limits import Bounds, LimitKind, limits
from ophyd_blueprint.core.live_type import ServerType
from ophyd_blueprint.core.table import Table

from .client import PvaStructure, type_code

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import Limits

__all__ = ["PvaConverter", "make_converter", "metadata_of", "server_type"]

Builder = Callable[[PvaStructure], None]

_SCALARS: dict[str, np.dtype[Any]] = {
    code: np.dtype(name)
    for code, name in {
        "?": "bool",
        "b": "int8",
        "B": "uint8",
        "h": "int16",
        "H": "uint16",
        "i": "int32",
        "I": "uint32",
        "l": "int64",
        "L": "uint64",
        "f": "float32",
        "d": "float64",
    }.items()
}
_INTEGERS = frozenset("bBhHiIlL")
_FLOATS = frozenset("fd")
_STRING_DTYPE = "|S40"

_value: Callable[[PvaStructure], Any] = itemgetter("value")


@dataclass(frozen=True, slots=True)
class PvaConverter:
    """What one signal needs to read and write one PV, decided at connect.

    `fields` is the pvRequest field list the value needs; `read` turns a
    structure with those fields into the signal's value; `write` turns a value
    into a put builder. `numeric` says whether units, precision and limits
    belong in the DataKey.
    """

    native: str
    fields: str
    read: Callable[[PvaStructure], Any]
    write: Callable[[Any], Builder]
    dtype_numpy: str
    choices: tuple[str, ...] | None = None
    numeric: bool = False
    floating: bool = False


def _put(
    field: str, convert: Callable[[Any], Any] | None = None
) -> Callable[[Any], Builder]:
    """A writer storing the (converted) value into `field`."""
    if convert is None:

        def write(value: Any) -> Builder:
            def build(structure: PvaStructure) -> None:
                structure[field] = value

            return build

        return write

    def write_converted(value: Any) -> Builder:
        native = convert(value)

        def build(structure: PvaStructure) -> None:
            structure[field] = native

        return build

    return write_converted


def describe_native(structure: PvaStructure) -> str:
    """A readable name of the PV's type: ``float64``, ``int32 array``, ``enum``."""
    nt = structure.getID()
    if "NTEnum" in nt:
        return "enum"
    if "NTTable" in nt:
        return "table"
    if "NTNDArray" in nt:
        return "NTNDArray"
    code = type_code(structure, "value") if "value" in structure else None
    if isinstance(code, str):
        return describe_code(code)
    return nt or "structure"


def server_type(structure: PvaStructure) -> ServerType:
    """What a PV of this structure is, for a live-typed signal."""
    native = f"{describe_native(structure)} PV"
    nt = structure.getID()
    if "NTEnum" in nt:
        choices = tuple(cast(Sequence[str], structure["value.choices"]))
        return ServerType("enum", choices=choices, native=native)
    if "NTNDArray" in nt:  # its element type may change with every image
        return ServerType("float64", dims=2, native=native)
    if "value" not in structure:
        return ServerType("structure", native=native)
    code = type_code(structure, "value")
    if "NTTable" in nt and isinstance(code, tuple):
        fields = cast(Sequence[tuple[str, Any]], cast(tuple[Any, ...], code)[2])
        columns = tuple((name, _code_type(c, native)) for name, c in fields)
        return ServerType("table", columns=columns, native=native)
    return _code_type(code, native)


def _code_type(code: Any, native: str) -> ServerType:
    if not isinstance(code, str):
        return ServerType(repr(code), native=native)
    dims = 1 if code.startswith("a") else 0
    scalar = code[dims:]
    name = "str" if scalar == "s" else _SCALARS.get(scalar, np.dtype(object)).name
    return ServerType(name, dims, native=native)


def make_converter(
    spec: DatatypeSpec, structure: PvaStructure, uri: str
) -> PvaConverter:
    """The converter for `spec` on a PV of this structure.

    Raises `DatatypeMismatchError` naming both types when there is none.
    """
    native = describe_native(structure)
    converter = _converter_for(spec, structure, native, uri)
    if converter is None:
        raise DatatypeMismatchError(uri, spec.name, f"{native} PV")
    return converter


def _converter_for(
    spec: DatatypeSpec, structure: PvaStructure, native: str, uri: str
) -> PvaConverter | None:
    datatype = spec.datatype
    if native == "enum":
        return _enum_pv(spec, structure, uri)
    if native == "table":
        return _table(spec, structure, uri) if _is_table(datatype) else None
    if native == "NTNDArray":
        return _ndarray(structure) if datatype is np.ndarray else None
    code = type_code(structure, "value")
    if not isinstance(code, str):
        return None
    if code.startswith("a"):
        return _array(spec, code[1:], structure, native, uri)
    return _scalar(spec, code, structure, native, uri)


def _is_table(datatype: Any) -> bool:
    return isinstance(datatype, type) and issubclass(datatype, Table)


def _is_enum(datatype: Any) -> bool:
    return isinstance(datatype, type) and issubclass(datatype, Enum)


def _scalar(
    spec: DatatypeSpec, code: str, structure: PvaStructure, native: str, uri: str
) -> PvaConverter | None:
    datatype = spec.datatype
    dtype = _SCALARS.get(code)
    if datatype is str and code == "s":
        return PvaConverter(native, "value", _value, _put("value"), _STRING_DTYPE)
    if _is_enum(datatype) and code == "s":
        return _enum_on_string(spec, structure, uri)
    if dtype is None:
        return None
    numeric = code != "?"
    floating = code in _FLOATS
    if datatype is bool and (code == "?" or code in _INTEGERS):
        read: Callable[[PvaStructure], Any] = (
            _value if code == "?" else lambda s: s["value"] != 0
        )
        write = _put("value") if code == "?" else _put("value", int)
        return PvaConverter(native, "value", read, write, "|b1")
    if (datatype is int and code in _INTEGERS) or (
        datatype is float and code in _FLOATS
    ):
        return PvaConverter(
            native, "value", _value, _put("value"), dtype.str, None, numeric, floating
        )
    return None


def _labels_check(spec: DatatypeSpec, server: Sequence[str], uri: str) -> None:
    """StrictEnum: the same label set; SubsetEnum: the user's labels ⊆ the server's."""
    mine = set(spec.choices)
    theirs = set(server)
    strict = issubclass(spec.datatype, StrictEnum)
    if (mine != theirs) if strict else not mine <= theirs:
        kind = "exactly" if strict else "a subset of"
        raise DatatypeMismatchError(
            uri,
            spec.name,
            "enum PV",
            f"it has choices {list(server)}, but {spec.name} has labels "
            f"{list(spec.choices)}, which must be {kind} the PV's choices",
        )


def _enum_pv(
    spec: DatatypeSpec, structure: PvaStructure, uri: str
) -> PvaConverter | None:
    choices = tuple(cast(Sequence[str], structure["value.choices"]))
    index_of = {label: i for i, label in enumerate(choices)}
    datatype = spec.datatype
    if datatype is bool:
        if len(choices) != 2:
            raise DatatypeMismatchError(
                uri,
                "bool",
                f"enum PV with {len(choices)} choices {list(choices)}",
                "a bool needs exactly 2",
            )
        return PvaConverter(
            "enum",
            "value.index",
            lambda s: s["value.index"] != 0,
            _put("value.index", int),
            "|b1",
        )
    if datatype is str:

        def label_index(label: str) -> int:
            try:
                return index_of[label]
            except KeyError:
                raise ValueError(
                    f"{label!r} is not one of {list(choices)} of {uri}"
                ) from None

        return PvaConverter(
            "enum",
            "value.index",
            _by_index(choices),
            _put("value.index", label_index),
            _STRING_DTYPE,
            choices,
        )
    if not _is_enum(datatype):
        return None
    _labels_check(spec, choices, uri)
    members: Mapping[str, Enum] = {str(m.value): m for m in cast(type[Enum], datatype)}
    by_index = tuple(members.get(label, label) for label in choices)
    member_index = {member: index_of[label] for label, member in members.items()}
    return PvaConverter(
        "enum",
        "value.index",
        _by_index(by_index),
        _put("value.index", member_index.__getitem__),
        _STRING_DTYPE,
        choices,
    )


def _by_index(values: Sequence[Any]) -> Callable[[PvaStructure], Any]:
    def read(s: PvaStructure) -> Any:
        return values[s["value.index"]]

    return read


def _enum_on_string(
    spec: DatatypeSpec, structure: PvaStructure, uri: str
) -> PvaConverter:
    """An enum on a string PV: its current value must be one of the labels."""
    members: Mapping[str, Enum] = {
        str(m.value): m for m in cast(type[Enum], spec.datatype)
    }
    current = cast(str, structure["value"])
    if current not in members:
        raise DatatypeMismatchError(
            uri,
            spec.name,
            "string PV",
            f"its value {current!r} is not one of the labels {list(spec.choices)}",
        )
    lookup = members.get

    def read(s: PvaStructure) -> Any:
        label: str = s["value"]
        return lookup(label, label)

    return PvaConverter(
        "string",
        "value",
        read,
        _put("value", lambda member: str(member.value)),
        _STRING_DTYPE,
        spec.choices,
    )


def _array(
    spec: DatatypeSpec, code: str, structure: PvaStructure, native: str, uri: str
) -> PvaConverter | None:
    datatype = spec.datatype
    if code == "s":
        if spec.name == "Sequence[str]":
            return PvaConverter(native, "value", _value, _put("value"), _STRING_DTYPE)
        if spec.choices and spec.dtype == "array":
            return _enum_array(spec, structure, native, uri)
        return None
    dtype = _SCALARS.get(code)
    if dtype is None:
        return None
    if datatype is np.ndarray or spec.dtype_numpy == dtype.str:
        floating = code in _FLOATS
        return PvaConverter(
            native, "value", _value, _put("value"), dtype.str, None, True, floating
        )
    return None


def _enum_array(
    spec: DatatypeSpec, structure: PvaStructure, native: str, uri: str
) -> PvaConverter:
    """A sequence of enums on a string array: every current element is a label."""
    item = get_item_enum(spec)
    members: Mapping[str, Enum] = {str(m.value): m for m in item}
    stray = [v for v in cast(Sequence[str], structure["value"]) if v not in members]
    if stray:
        raise DatatypeMismatchError(
            uri,
            spec.name,
            "string array PV",
            f"it holds {stray}, which are not labels {list(spec.choices)}",
        )
    lookup = members.get
    return PvaConverter(
        native,
        "value",
        lambda s: [lookup(v, v) for v in s["value"]],
        _put("value", lambda values: [str(m.value) for m in values]),
        _STRING_DTYPE,
        spec.choices,
    )


def get_item_enum(spec: DatatypeSpec) -> type[Enum]:
    """The item enum of a ``Sequence[SomeEnum]`` spec."""
    return cast(type[Enum], spec.datatype.__args__[0])


def _ndarray(structure: PvaStructure) -> PvaConverter:
    """NTNDArray <-> an n-D array; ``dimension[0]`` is the fastest axis."""

    def read(s: PvaStructure) -> npt.NDArray[Any]:
        flat = cast(npt.NDArray[Any], s["value"])
        dims = cast(Sequence[Mapping[str, int]], s["dimension"])
        return flat.reshape([d["size"] for d in reversed(dims)]) if dims else flat

    def write(value: npt.NDArray[Any]) -> Builder:
        flat = value.ravel()
        dims = [{"size": n} for n in reversed(value.shape)]

        def build(s: PvaStructure) -> None:
            s["value"] = flat
            s["dimension"] = dims

        return build

    current = read(structure)
    return PvaConverter("NTNDArray", "value,dimension", read, write, current.dtype.str)


def _table(spec: DatatypeSpec, structure: PvaStructure, uri: str) -> PvaConverter:
    """NTTable <-> a `Table` subclass whose columns match the PV's, by name and type."""
    table = cast(type[Table], spec.datatype)
    code = type_code(structure, "value")
    server: dict[str, str] = dict(code[2])
    wanted = table.columns()
    if set(server) != set(wanted):
        raise DatatypeMismatchError(
            uri,
            table.__name__,
            "table PV",
            f"it has columns {sorted(server)}, but {table.__name__} has "
            f"{sorted(wanted)}",
        )
    readers: list[tuple[str, Callable[[Any], Any]]] = []
    natives: dict[str, np.dtype[Any] | None] = {}
    for name, column in wanted.items():
        native = server[name]
        if native == "as" and column.name == "Sequence[str]":
            readers.append((name, list))
            natives[name] = None
            continue
        dtype = _SCALARS.get(native[1:])
        ok = dtype is not None and (
            column.dtype_numpy == dtype.str
            or (column.dtype_numpy == "|b1" and native[1:] in "bB")
        )
        if not ok:
            raise DatatypeMismatchError(
                uri,
                table.__name__,
                "table PV",
                f"column {name!r} is {describe_code(native)}, but "
                f"{table.__name__} asked for {column.name}",
            )
        natives[name] = dtype
        if column.dtype_numpy == "|b1" and native != "a?":
            readers.append((name, lambda a: cast(npt.NDArray[Any], a).astype(bool)))
        else:
            readers.append((name, _same))

    def read(s: PvaStructure) -> Table:
        columns = s["value"]
        return table.model_validate({n: f(columns[n]) for n, f in readers})

    def write(value: Table) -> Builder:
        columns = {
            n: (getattr(value, n) if dt is None else np.asarray(getattr(value, n), dt))
            for n, dt in natives.items()
        }

        def build(s: PvaStructure) -> None:
            for n, column in columns.items():
                s[f"value.{n}"] = column

        return build

    return PvaConverter("table", "value", read, write, spec.dtype_numpy)


def _same(value: Any) -> Any:
    return value


def describe_code(code: str) -> str:
    """``"ai"`` -> ``"int32 array"``."""
    array = code.startswith("a")
    scalar = code[1:] if array else code
    name = "string" if scalar == "s" else str(_SCALARS.get(scalar, scalar))
    return f"{name} array" if array else name


def metadata_of(
    structure: PvaStructure, converter: PvaConverter
) -> tuple[str | None, int | None, Limits | None]:
    """Units, precision (floats only) and limits from display/control/valueAlarm."""
    if not converter.numeric or "display" not in structure:
        return None, None, None
    units = cast(str, structure["display.units"])
    precision = (
        int(structure["display.precision"])
        if converter.floating and "display.precision" in structure
        else None
    )
    fields: dict[LimitKind, tuple[str, str]] = {
        "display": ("display.limitLow", "display.limitHigh"),
        "control": ("control.limitLow", "control.limitHigh"),
        "alarm": ("valueAlarm.lowAlarmLimit", "valueAlarm.highAlarmLimit"),
        "warning": ("valueAlarm.lowWarningLimit", "valueAlarm.highWarningLimit"),
    }
    bounds: dict[LimitKind, Bounds] = {
        kind: (float(structure[low]), float(structure[high]))
        for kind, (low, high) in fields.items()
        if low in structure
    }
    return units, precision, limits(bounds)
