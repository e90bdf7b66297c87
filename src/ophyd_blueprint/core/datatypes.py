"""The datatypes a signal can carry, described in one table.

Every supported Python datatype maps to one `DatatypeSpec`: the bluesky
`dtype`, the numpy dtype string, the shape, the enum choices, and the
function that checks a value before it is put. Transports and the builder ask
this module; nobody else decides what a datatype means. A class may describe
itself instead, with a ``__datatype_spec__`` classmethod (`Table` does, so this
module does not import pydantic).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_args, get_origin

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey, Limits

__all__ = [
    "Array1D",
    "DatatypeSpec",
    "StrictEnum",
    "SubsetEnum",
    "datatype_name",
    "datatype_spec",
    "make_datakey",
]

_G = TypeVar("_G", bound=np.generic)

Array1D = np.ndarray[tuple[int], np.dtype[_G]]
"""A 1-D numpy array of the given scalar type: ``Array1D[np.float64]``."""

JsonDtype = Literal["string", "number", "array", "boolean", "integer"]

NUMERIC_DTYPES: tuple[type[np.generic], ...] = (
    np.bool_,
    np.int8,
    np.uint8,
    np.int16,
    np.uint16,
    np.int32,
    np.uint32,
    np.int64,
    np.uint64,
    np.float32,
    np.float64,
)


_BOOLS = (bool, np.bool_)
_INTS = (int, np.integer)
_FLOATS = (float, np.floating)
_NUMBERS = (*_INTS, *_FLOATS)


class StrictEnum(StrEnum):
    """An enum whose labels must equal the server's choices exactly.

    Labels are kept as written, in any case and with spaces:
    ``class Shutter(StrictEnum): OPEN = "Open"; CLOSED = "closed now"``.
    """


class SubsetEnum(StrEnum):
    """An enum whose labels must all exist on the server, which may have more."""


@dataclass(frozen=True, slots=True)
class DatatypeSpec:
    """What a datatype means to bluesky and to a put.

    `coerce` returns the value in canonical form or raises `TypeError`.
    """

    datatype: Any
    name: str
    dtype: JsonDtype
    dtype_numpy: str
    shape: tuple[int | None, ...]
    choices: tuple[str, ...]
    coerce: Callable[[Any], Any]
    default: Callable[[], Any]


def datatype_name(datatype: Any) -> str:
    """A short readable name: ``float``, ``Array1D[int32]``, ``Sequence[str]``."""
    return datatype_spec(datatype).name


_CACHE: dict[Any, DatatypeSpec] = {}


def datatype_spec(datatype: Any) -> DatatypeSpec:
    """The spec of a supported datatype; `TypeError` names what is supported."""
    try:
        return _CACHE[datatype]
    except KeyError:
        pass
    except TypeError:
        return _build_spec(datatype)
    spec = _build_spec(datatype)
    _CACHE[datatype] = spec
    return spec


def describe_value(value: object) -> str:
    """A value and its type, shortened, for a `coerce` error."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _scalar_spec(datatype: type) -> DatatypeSpec | None:
    if datatype is bool:

        def coerce_bool(v: Any) -> bool:
            if issubclass(type(v), _BOOLS):
                return bool(v)
            if issubclass(type(v), _INTS) and v in (0, 1):
                return bool(v)
            raise TypeError(f"expected bool, got {describe_value(v)}")

        return DatatypeSpec(
            bool, "bool", "boolean", "|b1", (), (), coerce_bool, lambda: False
        )
    if datatype is int:

        def coerce_int(v: Any) -> int:
            if issubclass(type(v), _INTS) and type(v) is not bool:
                return int(v)
            if issubclass(type(v), _FLOATS) and float(v).is_integer():
                return int(v)
            raise TypeError(f"expected int, got {describe_value(v)}")

        return DatatypeSpec(int, "int", "integer", "<i8", (), (), coerce_int, int)
    if datatype is float:

        def coerce_float(v: Any) -> float:
            if issubclass(type(v), _NUMBERS) and type(v) is not bool:
                return float(v)
            raise TypeError(f"expected float, got {describe_value(v)}")

        return DatatypeSpec(
            float, "float", "number", "<f8", (), (), coerce_float, float
        )
    if datatype is str:

        def coerce_str(v: Any) -> str:
            if isinstance(v, str):
                return v
            raise TypeError(f"expected str, got {describe_value(v)}")

        return DatatypeSpec(str, "str", "string", "|S40", (), (), coerce_str, str)
    return None


def _enum_spec(datatype: type[Enum]) -> DatatypeSpec:
    members: list[Enum] = list(datatype)
    labels = tuple(str(m.value) for m in members)
    by_label: dict[str, Enum] = {str(m.value): m for m in members}

    def coerce_enum(v: Any) -> Enum:
        if isinstance(v, datatype):
            return v
        if isinstance(v, str) and v in by_label:
            return by_label[v]
        raise TypeError(
            f"expected one of {list(labels)} ({datatype.__name__}), "
            f"got {describe_value(v)}"
        )

    first = members[0] if members else None
    return DatatypeSpec(
        datatype,
        datatype.__name__,
        "string",
        "|S40",
        (),
        labels,
        coerce_enum,
        lambda: first,
    )


def _array_spec(scalar: type[np.generic]) -> DatatypeSpec:
    np_dtype = np.dtype(scalar)

    def coerce_array(v: Any) -> npt.NDArray[Any]:
        if isinstance(v, str | bytes) or v is None:
            raise TypeError(
                f"expected a 1-D array of {np_dtype.name}, got {describe_value(v)}"
            )
        arr = np.asarray(v)
        if arr.ndim != 1:
            raise TypeError(
                f"expected a 1-D array of {np_dtype.name}, got shape {arr.shape}"
            )
        if arr.dtype == np_dtype:
            return arr
        if arr.size == 0 or np.can_cast(arr.dtype, np_dtype, "same_kind"):
            return arr.astype(np_dtype)
        converted = arr.astype(np_dtype)
        if np.array_equal(converted, arr):  # e.g. a list of small ints to uint8
            return converted
        raise TypeError(f"expected a 1-D array of {np_dtype.name}, got {arr.dtype}")

    return DatatypeSpec(
        Array1D[scalar],
        f"Array1D[{np_dtype.name}]",
        "array",
        np_dtype.str,
        (None,),
        (),
        coerce_array,
        lambda: np.zeros(0, dtype=np_dtype),
    )


def _ndarray_spec() -> DatatypeSpec:
    def coerce_nd(v: Any) -> npt.NDArray[Any]:
        if isinstance(v, np.ndarray):
            return cast(npt.NDArray[Any], v)
        raise TypeError(f"expected a numpy ndarray, got {describe_value(v)}")

    return DatatypeSpec(
        np.ndarray,
        "ndarray",
        "array",
        "<f8",
        (),
        (),
        coerce_nd,
        lambda: np.zeros((0, 0)),
    )


def _sequence_spec(item: Any) -> DatatypeSpec:
    if item is str:

        def coerce_strs(v: Any) -> list[str]:
            if issubclass(type(v), list | tuple | np.ndarray):
                items = list(cast(Sequence[Any], v))
                if all(isinstance(i, str) for i in items):
                    return [str(i) for i in items]
            raise TypeError(f"expected a sequence of str, got {describe_value(v)}")

        return DatatypeSpec(
            Sequence[str],
            "Sequence[str]",
            "array",
            "|S40",
            (None,),
            (),
            coerce_strs,
            list,
        )
    if isinstance(item, type) and issubclass(item, Enum):
        inner = _enum_spec(item)

        def coerce_enums(v: Any) -> list[Any]:
            if isinstance(v, list | tuple):
                return [inner.coerce(i) for i in cast(Sequence[Any], v)]
            raise TypeError(
                f"expected a sequence of {item.__name__}, got {describe_value(v)}"
            )

        return DatatypeSpec(
            Sequence[item],
            f"Sequence[{item.__name__}]",
            "array",
            "|S40",
            (None,),
            inner.choices,
            coerce_enums,
            list,
        )
    raise TypeError(f"unsupported sequence item type {item!r}")


SUPPORTED = (
    "bool, int, float, str, a StrictEnum/SubsetEnum subclass, Sequence[str], "
    "Sequence[SomeEnum], Array1D[np.<numeric>], np.ndarray, a Table subclass"
)


def _build_spec(datatype: Any) -> DatatypeSpec:
    if isinstance(datatype, type):
        scalar = _scalar_spec(datatype)
        if scalar is not None:
            return scalar
        if issubclass(datatype, Enum):
            if not issubclass(datatype, StrictEnum | SubsetEnum):
                raise TypeError(
                    f"{datatype.__name__} must subclass StrictEnum or SubsetEnum"
                )
            return _enum_spec(datatype)
        if datatype is np.ndarray:
            return _ndarray_spec()
        # a class that describes itself, e.g. a Table subclass
        describe: Callable[[], DatatypeSpec] | None = getattr(
            cast(object, datatype), "__datatype_spec__", None
        )
        if describe is not None:
            return describe()
    origin = get_origin(datatype)
    args = get_args(datatype)
    if origin is np.ndarray and len(args) == 2:
        scalar_args = get_args(args[1])
        if scalar_args and scalar_args[0] in NUMERIC_DTYPES:
            return _array_spec(scalar_args[0])
    if origin is Sequence and len(args) == 1:
        return _sequence_spec(args[0])
    raise TypeError(f"unsupported datatype {datatype!r}; supported: {SUPPORTED}")


def make_datakey(
    spec: DatatypeSpec,
    source: str,
    *,
    value: Any = None,
    dtype_numpy: str | None = None,
    shape: Sequence[int | None] | None = None,
    choices: Sequence[str] | None = None,
    units: str | None = None,
    precision: int | None = None,
    limits: Limits | None = None,
) -> DataKey:
    """A bluesky DataKey for a signal of this datatype.

    Transports pass what they know natively (the server's numpy dtype, units,
    precision, limits); anything they leave out comes from the datatype.
    """
    if shape is None:
        if spec.shape == (None,) and value is not None and hasattr(value, "__len__"):
            shape = [len(value)]
        elif spec.datatype is np.ndarray and isinstance(value, np.ndarray):
            shape = list(cast(npt.NDArray[Any], value).shape)
        else:
            shape = list(spec.shape)
    if dtype_numpy is None:
        dtype_numpy = (
            cast(npt.NDArray[Any], value).dtype.str
            if isinstance(value, np.ndarray)
            else spec.dtype_numpy
        )
    key: DataKey = {
        "source": source,
        "dtype": spec.dtype,
        "dtype_numpy": dtype_numpy,
        "shape": list(shape),
    }
    all_choices = choices if choices is not None else spec.choices
    if all_choices:
        key["choices"] = list(all_choices)
    if units is not None:
        key["units"] = units
    if precision is not None:
        key["precision"] = precision
    if limits:
        key["limits"] = limits
    return key
