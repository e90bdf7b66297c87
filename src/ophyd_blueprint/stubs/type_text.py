"""Python type objects written back as source text, importing what they name."""

from __future__ import annotations

import sys
import types
from typing import Any, Union, get_args, get_origin

import numpy as np

from .imports import PACKAGE, Imports

__all__ = ["type_text"]


def type_text(annotation: Any, imports: Imports) -> str:
    """``WatchableAsyncStatus[float]``, ``float | None``, ``Location[float]``.

    Classes are imported from the shortest public module that exports them
    (``ophyd_blueprint`` rather than ``ophyd_blueprint.core.status``); numpy
    arrays are spelled as users write them: ``Array1D[np.float64]`` for a 1-D
    array of one scalar type, ``NDArray[Any]`` for `np.ndarray` itself.
    Annotations it cannot spell (type variables, literals) become ``Any``.
    """
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Any:
        return imports.name("typing", "Any")
    array = _array_text(annotation, imports)
    if array is not None:
        return array
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Union or origin is types.UnionType:
        return " | ".join(type_text(arg, imports) for arg in args)
    if origin is not None and args and isinstance(origin, type):
        inner = ", ".join(type_text(arg, imports) for arg in args)
        return f"{_class_text(origin, imports)}[{inner}]"
    if isinstance(annotation, type):
        return _class_text(annotation, imports)
    return imports.name("typing", "Any")


def _array_text(annotation: Any, imports: Imports) -> str | None:
    """``NDArray[Any]`` for `np.ndarray`, ``Array1D[np.float64]`` for
    ``np.ndarray[tuple[int], np.dtype[np.float64]]``; None for anything else."""
    if annotation is np.ndarray:
        return f"{imports.name('numpy.typing', 'NDArray')}[{type_text(Any, imports)}]"
    args = get_args(annotation)
    if get_origin(annotation) is not np.ndarray or len(args) != 2:
        return None
    if args[0] != tuple[int]:
        return None
    scalars = get_args(args[1]) if get_origin(args[1]) is np.dtype else ()
    if len(scalars) != 1 or not isinstance(scalars[0], type):
        return None
    name = "bool_" if scalars[0] is np.bool_ else scalars[0].__name__  # numpy 1 and 2
    return f"{imports.name(PACKAGE, 'Array1D')}[{imports.module('numpy')}.{name}]"


def _class_text(cls: type, imports: Imports) -> str:
    return imports.name(_public_module(cls), cls.__qualname__)


def _public_module(cls: type) -> str:
    """The shortest already-imported parent module exporting ``cls`` by name."""
    parts = cls.__module__.split(".")
    for end in range(1, len(parts)):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None and getattr(module, cls.__name__, None) is cls:
            return module.__name__
    return cls.__module__
