"""Jinja2 templates in strings, rendered in a sandbox with strict undefined names.

Plain ``{{name}}`` substitutions, by far the most common, take a fast path
with the same result as Jinja, so that blueprints of thousands of signals
render quickly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from jinja2 import StrictUndefined, TemplateError, Undefined, meta
from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "TemplateProblem",
    "is_template",
    "render_text",
    "render_value",
    "template_names",
]

Scalar = str | int | float | bool

_ENV = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_NAME = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MARKUP = re.compile(r"\{\{|\}\}|\{%|\{#")
_WHOLE_EXPRESSION = re.compile(r"\s*\{\{((?:(?!\{\{|\}\}).)*)\}\}\s*", re.DOTALL)


class TemplateProblem(Exception):
    """A template that cannot be parsed or rendered; the message says why."""


def is_template(text: str) -> bool:
    """Whether ``text`` holds any Jinja markup."""
    return _MARKUP.search(text) is not None


def _is_simple(text: str) -> bool:
    return not _MARKUP.search(_NAME.sub("", text))


def template_names(text: str) -> set[str]:
    """Names a template reads from its context."""
    if _is_simple(text):
        return set(_NAME.findall(text))
    try:
        return meta.find_undeclared_variables(_ENV.parse(text))
    except TemplateError as error:
        raise TemplateProblem(f"invalid template {text!r}: {error}") from None


def render_text(text: str, context: Mapping[str, Scalar]) -> str:
    """Render ``text`` to a string."""
    if _is_simple(text):
        for name in _NAME.findall(text):
            if name not in context:
                raise TemplateProblem(f"cannot render {text!r}: {name!r} is undefined")
        return _NAME.sub(lambda match: str(context[match[1]]), text)
    try:
        return _ENV.from_string(text).render(context)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateProblem(f"cannot render {text!r}: {error}") from None


def render_value(value: Scalar, context: Mapping[str, Scalar]) -> Scalar:
    """Render a parameter value; a lone ``{{expr}}`` keeps the expression's type."""
    if not isinstance(value, str) or not is_template(value):
        return value
    whole = _WHOLE_EXPRESSION.fullmatch(value)
    if whole is None:
        return render_text(value, context)
    try:
        result: object = _ENV.compile_expression(whole[1], undefined_to_none=False)(
            **context
        )
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateProblem(f"cannot render {value!r}: {error}") from None
    if isinstance(result, Undefined):
        raise TemplateProblem(f"cannot render {value!r}: {_undefined(result)}")
    if not isinstance(result, str | int | float | bool):
        kind = type(result).__name__
        raise TemplateProblem(f"{value!r} gives a {kind}, not a string or number")
    return result


def _undefined(value: Undefined) -> str:
    try:
        str(value)
    except TemplateError as error:
        return str(error)
    return "undefined"
