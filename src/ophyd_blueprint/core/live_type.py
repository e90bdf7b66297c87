"""Live typing: a signal made without a datatype takes the server's at connect.

A signal whose datatype is ``Any`` (a blueprint signal whose ``dtype`` is
omitted) learns its datatype when it connects. Each transport states what its
server reports as a `ServerType`, in words every control system can say (a
numpy scalar name, a number of dimensions, enum choices, table columns), and
`datatype_of` alone decides which datatype that is, so CA, PVA and Tango
cannot drift apart. From then on the signal is a signal of that datatype:
puts, describe, limits and errors take the same path as a declared one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .datatypes import NUMERIC_DTYPES, Array1D, StrictEnum
from .errors import DatatypeMismatchError

if TYPE_CHECKING:
    from .table import Table

__all__ = [
    "LIVE",
    "ServerType",
    "UncarriedTypeError",
    "datatype_of",
    "is_live",
    "live_enum",
    "live_table",
]

LIVE: Any = Any
"""The datatype a live-typed backend is made with: ``typing.Any``, typed so
that it passes where a datatype is expected."""

_NUMERIC = {np.dtype(scalar).name: scalar for scalar in NUMERIC_DTYPES}
_SCALAR_OF_KIND: dict[str, type] = {"b": bool, "i": int, "u": int, "f": float}


def is_live(datatype: object) -> bool:
    """Whether `datatype` asks for the server's type (it is ``Any``)."""
    return datatype is Any


@dataclass(frozen=True, slots=True)
class ServerType:
    """A value's type as its server reports it, in words every transport shares.

    `scalar` is a numpy scalar name (``float64``, ``uint8``, ``bool``),
    ``str`` or ``enum``; `dims` is 0 for a scalar, 1 for a 1-D array, 2 for
    anything of more dimensions (an image); `choices` are an enum's labels;
    `columns` make it a table of 1-D columns. `native` names the type as the
    control system does (``int32 PV``), for errors.
    """

    scalar: str
    dims: int = 0
    choices: tuple[str, ...] = ()
    columns: tuple[tuple[str, ServerType], ...] | None = None
    native: str = ""


class UncarriedTypeError(DatatypeMismatchError):
    """A live-typed signal's source has a type no signal datatype carries."""

    def __init__(self, source: str, actual: str, detail: str = "") -> None:
        super().__init__(source, "a datatype from the server", actual, detail)

    @property
    def reason(self) -> str:
        text = f"is a {self.actual}, which no signal datatype carries"
        return f"{text}: {self.detail}" if self.detail else text


def datatype_of(server: ServerType, source: str) -> Any:
    """The datatype a signal on `source` takes from what its server reports.

    Numbers become ``bool``/``int``/``float`` (1-D: ``Array1D`` of the
    server's scalar type; more dimensions: ``np.ndarray``); strings ``str``
    (1-D: ``Sequence[str]``); enums a `StrictEnum` of the server's choices;
    tables a `Table` of the server's columns. `UncarriedTypeError` otherwise.
    """
    native = server.native or server.scalar
    if server.columns is not None:
        return _table(server.columns, source, native)
    if server.scalar == "enum":
        if not server.choices or server.dims > 1:
            what = "an enum without choices" if not server.choices else "enum image"
            raise UncarriedTypeError(source, native, what)
        enum = live_enum(server.choices)
        return enum if server.dims == 0 else Sequence[enum]
    if server.scalar == "str":
        if server.dims > 1:
            raise UncarriedTypeError(source, native)
        return str if server.dims == 0 else Sequence[str]
    scalar = _NUMERIC.get(server.scalar)
    if scalar is None:
        raise UncarriedTypeError(source, native)
    if server.dims == 0:
        return _SCALAR_OF_KIND[np.dtype(scalar).kind]
    return Array1D[scalar] if server.dims == 1 else np.ndarray


@cache
def live_enum(choices: tuple[str, ...]) -> type[StrictEnum]:
    """The `StrictEnum` of a server's choices (one class per set of choices)."""
    members: dict[str, str] = {}
    for index, label in enumerate(choices):
        name = re.sub(r"\W+", "_", label.strip()).strip("_").upper()
        if not name or name[0].isdigit() or name in members:
            name = f"CHOICE_{index}"
        members[name] = label
    enum: type[StrictEnum] = StrictEnum("LiveEnum", list(members.items()))
    return enum


def _table(
    columns: tuple[tuple[str, ServerType], ...], source: str, native: str
) -> type[Table]:
    from .table import Table

    for name, column in columns:
        if not name.isidentifier() or name.startswith(("_", "model_")):
            detail = f"its column {name!r} cannot be a field of a Table"
            raise UncarriedTypeError(source, native, detail)
        if hasattr(Table, name):
            detail = f"its column {name!r} is the name of a Table method"
            raise UncarriedTypeError(source, native, detail)
        if column.dims != 1 or column.scalar not in (*_NUMERIC, "str"):
            detail = f"its column {name!r} is not a 1-D array of numbers or strings"
            raise UncarriedTypeError(source, native, detail)
    return live_table(
        tuple((name, datatype_of(column, source)) for name, column in columns)
    )


@cache
def live_table(columns: tuple[tuple[str, Any], ...]) -> type[Table]:
    """The `Table` of a server's columns (one class per set of columns)."""
    from pydantic import create_model

    from .table import Table

    fields: dict[str, Any] = {name: (datatype, ...) for name, datatype in columns}
    table: type[Table] = create_model("LiveTable", __base__=Table, **fields)
    return table
