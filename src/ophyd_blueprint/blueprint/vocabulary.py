"""The words of the blueprint language: dtypes, accesses, read categories.

``DTYPES`` is a contract with the builder and the stub generator.
"""

from __future__ import annotations

from typing import Literal, get_args

from .problems import did_you_mean

__all__ = [
    "ACCESSES",
    "ARRAY_DTYPES",
    "BEAMLINE_MEMBERS",
    "DEVICE_MEMBERS",
    "DTYPES",
    "ENUM_DTYPES",
    "PARAM_TYPES",
    "PROTOCOLS",
    "READ_CATEGORIES",
    "SCALAR_DTYPES",
    "SERVERLESS_SCHEMES",
    "Access",
    "ArrayDtype",
    "ColumnDtype",
    "DiscoveredSettings",
    "Dtype",
    "ParamType",
    "ProtocolName",
    "ReadCategory",
    "dtype_suggestion",
]

ScalarDtype = Literal["bool", "int", "float", "str", "enum"]
ColumnDtype = Literal[
    "bool[]",
    "int8[]",
    "uint8[]",
    "int16[]",
    "uint16[]",
    "int32[]",
    "uint32[]",
    "int64[]",
    "uint64[]",
    "float32[]",
    "float64[]",
    "str[]",
]
ArrayDtype = Literal[ColumnDtype, "enum[]"]
Dtype = Literal[ScalarDtype, ArrayDtype, "ndarray", "table"]
Access = Literal["r", "w", "rw", "x"]
ReadCategory = Literal["hinted", "normal", "config", "omitted"]
ParamType = Literal["str", "int", "float", "bool"]
ProtocolName = Literal["ca", "pva", "tango", "soft"]
DiscoveredSettings = Literal["none", "rw"]

SCALAR_DTYPES: tuple[str, ...] = get_args(ScalarDtype)
ARRAY_DTYPES: tuple[str, ...] = (*get_args(ColumnDtype), "enum[]")
DTYPES: tuple[str, ...] = (*SCALAR_DTYPES, *ARRAY_DTYPES, "ndarray", "table")
"""Every dtype a signal may declare, in documentation order."""
ENUM_DTYPES = frozenset({"enum", "enum[]"})
SERVERLESS_SCHEMES = frozenset({"soft", "mock"})
"""Schemes of signals with no server: they cannot leave their dtype out."""
ACCESSES: tuple[str, ...] = get_args(Access)
READ_CATEGORIES: tuple[str, ...] = get_args(ReadCategory)
PARAM_TYPES: tuple[str, ...] = get_args(ParamType)
PROTOCOLS: tuple[str, ...] = get_args(ProtocolName)
DEVICE_MEMBERS = frozenset(
    {
        "add_child",
        "add_children_as_readables",
        "add_readables",
        "blueprint",
        "child",
        "children",
        "connect",
        "describe",
        "describe_configuration",
        "exposed",
        "hints",
        "logic",
        "name",
        "parent",
        "read",
        "read_configuration",
        "set_name",
        "stage",
        "unstage",
    }
)
"""Attributes every built device has: a signal or child may not take them."""
BEAMLINE_MEMBERS = frozenset({"connect", "devices", "mock", "model", "name"})
"""Attributes of a loaded beamline: a device may not take them."""
"""URI schemes a source may use unless a caller registers more."""

_DTYPE_SYNONYMS = {
    "double": "float",
    "float64": "float",
    "float32": "float",
    "integer": "int",
    "long": "int",
    "short": "int",
    "int32": "int",
    "int64": "int",
    "string": "str",
    "boolean": "bool",
    "float[]": "float64[]",
    "double[]": "float64[]",
    "int[]": "int64[]",
    "string[]": "str[]",
    "array": "ndarray",
}


def dtype_suggestion(word: str) -> str | None:
    """The dtype a user most likely meant by ``word``, or None."""
    return did_you_mean(word, DTYPES, _DTYPE_SYNONYMS)
