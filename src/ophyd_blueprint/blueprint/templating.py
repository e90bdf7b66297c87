"""Jinja2 templates in strings, rendered in a sandbox with strict undefined names.

Plain ``{{name}}`` substitutions, by far the most common, take a fast path
with the same result as Jinja, so that blueprints of thousands of signals
render quickly. The sandbox refuses private attributes (``''.__class__``) when
rendering, and `template_names` refuses them before anything renders;
``**`` and ``*`` are bounded so that a template cannot make a huge number or
string, and so are filters (no width or count above `MAX_REPEAT`, no result
longer) and format widths. Statements that loop or define (``{% for %}``,
``{% macro %}``) are refused: nested loops could run for hours, and a
blueprint string needs expressions (``{{ a if b else c }}``), ``{% if %}``
and ``{% set %}`` at most. So every template renders in bounded time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sized
from typing import Any, cast

from jinja2 import StrictUndefined, TemplateError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "EXPRESSION_PATTERN",
    "TemplateProblem",
    "is_template",
    "render_text",
    "render_value",
    "renders_text",
    "template_names",
]

Scalar = str | int | float | bool

MAX_EXPONENT = 1000
"""Largest integer exponent of ``**`` in a template."""
MAX_REPEAT = 100_000
"""Longest string or list a template may make with ``*``."""


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with ``**`` and ``*`` checked before they compute."""

    intercepted_binops = frozenset({"**", "*"})

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes to a function or method."""
        name = getattr(__obj, "__name__", "")
        if name in _WIDTH_METHODS:
            _check_sizes(name, args, kwargs)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"...".format`` as a template reads it: huge widths refused."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_widths(getattr(value, "__self__", ""), "format")
        return wrapped

    def call_binop(
        self, context: Context, operator: str, left: object, right: object
    ) -> object:
        if operator == "**" and isinstance(right, int) and right > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*" and _repeat_length(left, right) > MAX_REPEAT:
            raise SecurityError(f"'*' would make more than {MAX_REPEAT} items")
        return super().call_binop(context, operator, left, right)


def _repeat_length(left: object, right: object) -> int:
    """The length of ``left * right`` when it repeats a sequence, else 0."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, Sized) and isinstance(times, int):
            return len(sequence) * times
    return 0


_WIDTH = re.compile(r"%[-+ #0]*\d{6,}|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}")
"""A ``%`` or ``{:}`` format width of 100000 or more."""

_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
"""String methods whose integer argument is the length of what they make."""

_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate"})
"""Filters whose integer parameters are widths or lengths."""

_LOOPING = (
    nodes.For,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Extends,
    nodes.Block,
)
"""Statements a blueprint string may not use."""


def _check_sizes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and abs(value) > MAX_REPEAT:
            raise SecurityError(f"{name}: {value} is larger than {MAX_REPEAT}")


def _check_widths(text: object, name: str) -> None:
    if isinstance(text, str) and _WIDTH.search(text):
        raise SecurityError(f"{name}: a width above {MAX_REPEAT} in {text!r}")


def _too_long(value: object) -> bool:
    return isinstance(value, str | list) and len(cast(Sized, value)) > MAX_REPEAT


def _bounded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a filter) refusing huge arguments and huge results."""

    # the parameters follow the value filtered, and the environment or
    # context first for the filters that ask for it
    first = 2 if hasattr(function, "jinja_pass_arg") else 1

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if name in _WIDTH_FILTERS:
            _check_sizes(name, args[first:], kwargs)
        elif name == "format" and args:
            _check_widths(args[0], name)  # the format string
            if isinstance(args[0], str) and "*" in args[0]:  # '%*d': width given
                _check_sizes(name, args[1:], kwargs)
        result: Any = function(*args, **kwargs)
        if _too_long(result):
            raise SecurityError(f"'{name}' would make more than {MAX_REPEAT} items")
        return result

    return bounded


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
del _ENV.globals["lipsum"]  # makes text of any length; no use in a blueprint
_ENV.filters = {name: _bounded(name, f) for name, f in _ENV.filters.items()}
_NAME = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MARKUP = re.compile(r"\{\{|\}\}|\{%|\{#")
EXPRESSION_PATTERN = r"\s*\{\{((?:(?!\{\{|\}\})[\s\S])*)\}\}\s*"
"""One lone ``{{expr}}`` (spaces around it allowed): a template whose
rendered value keeps the expression's type (`render_value`); any other
template renders as text."""
_WHOLE_EXPRESSION = re.compile(EXPRESSION_PATTERN)


class TemplateProblem(Exception):
    """A template that cannot be parsed or rendered; the message says why."""


def is_template(text: str) -> bool:
    """Whether ``text`` holds any Jinja markup."""
    return _MARKUP.search(text) is not None


def renders_text(text: str) -> bool:
    """Whether ``text`` is a template that renders as text whatever it
    computes (anything but one lone ``{{expr}}``: statements, several parts)."""
    return is_template(text) and _WHOLE_EXPRESSION.fullmatch(text) is None


def _is_simple(text: str) -> bool:
    return not _MARKUP.search(_NAME.sub("", text))


def template_names(text: str) -> set[str]:
    """Names a template reads from its context."""
    if _is_simple(text):
        return set(_NAME.findall(text))
    tree = _parse(text)
    unsafe = [name for name in _attributes(tree) if name.startswith("_")]
    if unsafe:
        first = min(unsafe, key=text.find)
        raise TemplateProblem(
            f"template {text!r} is refused: access to attribute {first!r} is unsafe"
        )
    return meta.find_undeclared_variables(tree)


def _parse(text: str) -> nodes.Template:
    """The template's syntax tree, refused if it loops or defines."""
    try:
        tree = _ENV.parse(text)
    except TemplateError as error:
        raise TemplateProblem(f"invalid template {text!r}: {error}") from None
    for node in tree.find_all(_LOOPING):
        keyword = type(node).__name__.lower().replace("fromimport", "from")
        raise TemplateProblem(
            f"template {text!r} is refused: '{{% {keyword} %}}' is not allowed "
            "(a blueprint string is an expression, with '{% if %}' and "
            "'{% set %}' at most)"
        )
    return tree


def _attributes(tree: nodes.Template) -> list[str]:
    """Attribute names a template reads: ``x.name``, ``x['name']``, ``attr``."""
    names: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            names.append(node.attr)
        elif isinstance(node, nodes.Getitem):
            names += _constant_strings([node.arg])
        elif node.name == "attr":
            names += _constant_strings(node.args)
    return names


def _constant_strings(values: list[nodes.Expr]) -> list[str]:
    return [
        value.value
        for value in values
        if isinstance(value, nodes.Const) and isinstance(value.value, str)
    ]


def render_text(text: str, context: Mapping[str, Scalar]) -> str:
    """Render ``text`` to a string."""
    if _is_simple(text):
        for name in _NAME.findall(text):
            if name not in context:
                raise TemplateProblem(f"cannot render {text!r}: {name!r} is undefined")
        return _NAME.sub(lambda match: str(context[match[1]]), text)
    tree = _parse(text)
    try:
        return _ENV.from_string(tree).render(context)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateProblem(f"cannot render {text!r}: {error}") from None
    except RecursionError:
        raise TemplateProblem(f"cannot render {text!r}: nested too deeply") from None


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
