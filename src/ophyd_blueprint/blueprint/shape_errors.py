"""pydantic validation errors, reworded as problems at a file position."""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .positions import Origin
from .problems import Problem, did_you_mean
from .vocabulary import dtype_suggestion

__all__ = ["shape_problems"]

_MAX_INPUT = 40
_BOOLEAN_HINT = "write true or false"
"""YAML 1.2 reads ``yes``/``no``/``on``/``off`` as text, not as booleans."""


def shape_problems(
    error: ValidationError, model: type[BaseModel], origin: Origin
) -> list[Problem]:
    """One problem per pydantic error, with did-you-mean where it helps."""
    return [_problem(detail, model, origin) for detail in error.errors()]


def _problem(detail: ErrorDetails, model: type[BaseModel], origin: Origin) -> Problem:
    loc = detail["loc"]
    kind = detail["type"]
    value: Any = detail["input"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        suggestion = did_you_mean(key, _allowed_keys(model, loc[:-1]))
        return origin.problem(
            f"unknown key {key!r}", *loc, suggestion=suggestion, key=True
        )
    if kind == "missing":
        return origin.problem(f"missing required key {loc[-1]!r}", *loc[:-1])
    if kind == "literal_error":
        field = str(loc[-1])
        expected: str = detail.get("ctx", {}).get("expected", "")
        choices = re.findall(r"'([^']*)'", expected)
        word = str(value)
        if field == "dtype":
            suggestion = dtype_suggestion(word)
        else:
            suggestion = did_you_mean(word, choices)
        message = f"unknown {field} {word!r}"
        if len(choices) <= 6:
            message += f" (expected {expected})"
        return origin.problem(message, *loc, suggestion=suggestion)
    message = detail["msg"]
    message = message[:1].lower() + message[1:]
    shown = repr(value)
    if len(shown) > _MAX_INPUT:
        shown = shown[: _MAX_INPUT - 3] + "..."
    suggestion = _BOOLEAN_HINT if kind.startswith("bool_") else None
    return origin.problem(f"{message}, got {shown}", *loc, suggestion=suggestion)


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Keys accepted by the mapping at ``loc``, found by walking the annotations."""
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
    return [
        field.alias or name
        for candidate in _members(annotation)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel)
        for name, field in candidate.model_fields.items()
    ]


def _members(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _step(annotation: Any, part: str | int) -> Any:
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            for name, field in candidate.model_fields.items():
                if (field.alias or name) == part:
                    return field.annotation
        elif get_origin(candidate) is dict:
            return get_args(candidate)[1]
        elif get_origin(candidate) is list and isinstance(part, int):
            return get_args(candidate)[0]
    return None
