"""Python type objects written back as source text, importing what they name."""

from __future__ import annotations

import sys
import types
from typing import Any, Union, get_args, get_origin

from .imports import Imports

__all__ = ["type_text"]


def type_text(annotation: Any, imports: Imports) -> str:
    """``WatchableAsyncStatus[float]``, ``float | None``, ``Location[float]``.

    Classes are imported from the shortest public module that exports them
    (``ophyd_blueprint`` rather than ``ophyd_blueprint.core.status``).
    Annotations it cannot spell (type variables, literals) become ``Any``.
    """
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Any:
        return imports.name("typing", "Any")
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
