"""The words that name a signal's datatype (``float``, ``int32[]``, ``ndarray``).

A declared signal says its datatype with one word. The builder turns the word
into the datatype and the stub generator into its annotation, both from
`DATATYPE_OF_WORD`, so the two cannot drift apart. ``enum``, ``enum[]`` and
``table`` are not in it: each names a class made per signal from its choices
or columns (`Sequence` of that class for ``enum[]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from .datatypes import NUMERIC_DTYPES, Array1D, DatatypeSpec, datatype_spec

__all__ = ["DATATYPE_OF_WORD", "DatatypeWords", "words_of"]

DATATYPE_OF_WORD: Mapping[str, Any] = MappingProxyType(
    {
        "bool": bool,
        "int": int,
        "float": float,
        "str": str,
        **{f"{np.dtype(scalar).name}[]": Array1D[scalar] for scalar in NUMERIC_DTYPES},
        "str[]": Sequence[str],
        "ndarray": np.ndarray,
    }
)
"""Word -> datatype: scalars, 1-D arrays (``uint16[]``, ``str[]``), n-D arrays."""

_WORD_OF: dict[Any, str] = {
    datatype: word for word, datatype in DATATYPE_OF_WORD.items()
}


@dataclass(frozen=True)
class DatatypeWords:
    """How a blueprint declares a datatype: its word, and an enum's choices or
    a table's column words."""

    dtype: str
    choices: tuple[str, ...] | None = None
    columns: dict[str, str] | None = None


def words_of(datatype: Any) -> DatatypeWords:
    """The declaration of `datatype` (introspection writes a server's type so).

    ``Array1D[np.uint8]`` -> ``uint8[]``; an enum -> ``enum`` and its labels;
    a sequence of one -> ``enum[]``; a `Table` -> ``table`` and its columns.
    `TypeError` for a datatype no word names.
    """
    word = _WORD_OF.get(datatype)
    if word is not None:
        return DatatypeWords(word)
    spec = datatype_spec(datatype)
    if spec.choices:
        return DatatypeWords("enum" if spec.shape == () else "enum[]", spec.choices)
    columns: Callable[[], Mapping[str, DatatypeSpec]] | None = getattr(
        datatype, "columns", None
    )
    if columns is None:
        raise TypeError(f"no dtype word names {spec.name}")
    return DatatypeWords(
        "table", columns={n: _WORD_OF[c.datatype] for n, c in columns().items()}
    )
