"""The methods a logic class exposes on devices, typed from its annotations."""

from __future__ import annotations

import inspect
import typing
from typing import Any

from ophyd_blueprint.logic import Logic

from .imports import Imports
from .spec import Method
from .type_text import type_text

__all__ = ["exposed_methods"]

_LITERALS = (type(None), bool, int, float, str)


def exposed_methods(logic: type[Logic], imports: Imports) -> list[Method]:
    """One `Method` per name in ``logic.exposes``, as the logic class declares it."""
    return [_method(name, getattr(logic, name), imports) for name in logic.exposes]


def _method(name: str, function: Any, imports: Imports) -> Method:
    hints = typing.get_type_hints(function)
    signature = inspect.signature(function)
    parameters = ["self"]
    keyword_marker = True
    for parameter in list(signature.parameters.values())[1:]:
        kind = parameter.kind
        if kind is parameter.VAR_POSITIONAL:
            keyword_marker = False
        if kind is parameter.KEYWORD_ONLY and keyword_marker:
            parameters.append("*")
            keyword_marker = False
        text = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(
            kind, ""
        ) + parameter.name
        if parameter.name in hints:
            text += f": {type_text(hints[parameter.name], imports)}"
        if parameter.default is not parameter.empty:
            text += f" = {_default_text(parameter.default)}"
        parameters.append(text)
        if kind is parameter.POSITIONAL_ONLY and _last_positional_only(
            signature, parameter.name
        ):
            parameters.append("/")
    return Method(
        name=name,
        parameters=parameters,
        returns=type_text(hints.get("return", Any), imports),
        is_async=inspect.iscoroutinefunction(function),
        doc=inspect.getdoc(function),
    )


def _default_text(value: object) -> str:
    return repr(value) if isinstance(value, _LITERALS) else "..."


def _last_positional_only(signature: inspect.Signature, name: str) -> bool:
    kinds = [(p.name, p.kind) for p in signature.parameters.values()]
    positional_only = [n for n, k in kinds if k is inspect.Parameter.POSITIONAL_ONLY]
    return positional_only[-1] == name
