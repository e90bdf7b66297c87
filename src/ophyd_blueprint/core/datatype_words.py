"""The words that name a signal's datatype (``float``, ``int32[]``, ``ndarray``).

A declared signal says its datatype with one word. The builder turns the word
into the datatype and the stub generator into its annotation, both from
`DATATYPE_OF_WORD`, so the two cannot drift apart. ``enum``, ``enum[]`` and
``table`` are not in it: each names a class made per signal from its choices
or columns (`Sequence` of that class for ``enum[]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from .datatypes import NUMERIC_DTYPES, Array1D

__all__ = ["DATATYPE_OF_WORD"]

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
