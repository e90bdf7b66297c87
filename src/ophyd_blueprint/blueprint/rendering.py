"""Render a blueprint with parameter values into concrete sources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from .extends import resolve_extends
from .library import BlueprintLibrary
from .models import Blueprint, Child, IndexRange, Param, Scalar
from .positions import Origin, Positions
from .problems import BlueprintError, Problem, did_you_mean
from .templating import TemplateProblem, is_template, render_text, render_value

__all__ = [
    "bind_params",
    "has_type",
    "qualify",
    "render_blueprint",
    "scheme_of",
    "vector_indices",
]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def scheme_of(source: str) -> str | None:
    """The URI scheme of ``source``, or None if written without one."""
    match = _SCHEME.match(source)
    return match[1] if match else None


def qualify(source: str, protocol: str) -> str:
    """``source`` with ``protocol://`` in front when it has no scheme."""
    return source if scheme_of(source) else f"{protocol}://{source}"


def vector_indices(child: Child) -> list[int]:
    """The indices of a vector child (empty for a single child)."""
    vector = child.vector
    if vector is None:
        return []
    if isinstance(vector, IndexRange):
        return list(range(vector.start, vector.stop))
    return list(vector)


def bind_params(
    declared: Mapping[str, Param],
    given: Mapping[str, Scalar],
    at: Origin,
    *,
    skip_templates: bool = False,
) -> tuple[dict[str, Scalar], list[Problem]]:
    """Given values checked against declarations, with defaults filled in.

    Problems (unknown, missing, wrongly typed) are placed at ``at``, the
    ``with`` mapping that gave the values. With ``skip_templates``, values
    that are still templates count as given but their type is not checked.
    """
    values: dict[str, Scalar] = {}
    problems: list[Problem] = []
    for name, value in given.items():
        param = declared.get(name)
        if param is None:
            suggestion = did_you_mean(name, declared)
            problems.append(
                at.problem(
                    f"unknown param {name!r}", name, suggestion=suggestion, key=True
                )
            )
        elif skip_templates and isinstance(value, str) and is_template(value):
            continue
        elif not has_type(value, param.type):
            message = f"param {name!r} must be {param.type}, got {value!r}"
            problems.append(at.problem(message, name))
        else:
            values[name] = float(value) if param.type == "float" else value
    for name, param in declared.items():
        if name in given:
            continue
        if param.default is None:
            problems.append(at.problem(f"missing required param {name!r}"))
        else:
            values[name] = param.default
    return values, problems


def has_type(value: Scalar, type_name: str) -> bool:
    """Whether ``value`` suits a param of type ``type_name`` (an int is a float)."""
    if isinstance(value, bool):
        return type_name == "bool"
    return isinstance(value, _TYPES[type_name])


def render_blueprint(
    blueprint: Blueprint,
    params: Mapping[str, Scalar],
    *,
    library: Mapping[str, Blueprint] | None = None,
    protocol: str = "ca",
    at: Origin | None = None,
) -> Blueprint:
    """A fully rendered copy of ``blueprint`` for the given ``params``.

    ``extends`` is resolved through ``library``; sources are rendered and get
    ``protocol://`` when written without a scheme; children's ``with``,
    ``pvi`` and ``tango`` and logic ``with`` are rendered; a vector child gets
    the explicit form ``vector: {index: params}`` with ``{{i}}`` rendered and
    an empty ``with``; param defaults become the values used, so rendering the
    result again with no params changes nothing. Children's own blueprints are
    not rendered here: render each with its ``with``. ``at`` is where
    ``params`` were written (default: ``<params of Name>``).

    A `BlueprintLibrary` keeps what is rendered from its own blueprints, by
    name, values and protocol: checking a beamline and then building it with
    one library renders each tree once (the models are frozen, so the result
    is shared).

    BlueprintError lists every problem found.
    """
    merged = resolve_extends(blueprint, library or {})
    given_at = at or Origin(f"<params of {merged.name}>", Positions())
    values, problems = bind_params(merged.params, params, given_at)
    if problems:
        raise BlueprintError(problems)
    if not (isinstance(library, BlueprintLibrary) and library.defines(merged)):
        return _render(merged, values, protocol)
    key = (merged.name, protocol, tuple(sorted(values.items())))
    rendered = library.renders.get(key)
    if rendered is None:
        rendered = library.renders[key] = _render(merged, values, protocol)
    return rendered


def _render(merged: Blueprint, values: dict[str, Scalar], protocol: str) -> Blueprint:
    """`merged` (extends resolved) rendered with bound `values`."""
    problems: list[Problem] = []
    renderer = _Renderer(values, problems)
    rendered = merged.model_copy(
        update={
            "params": {
                name: param.model_copy(update={"default": values.get(name)})
                for name, param in merged.params.items()
            },
            "signals": {
                name: signal.model_copy(
                    update={
                        "source": qualify(
                            renderer.text(signal.source, signal, "source"),
                            protocol,
                        ),
                        "read_source": signal.read_source
                        and qualify(
                            renderer.text(signal.read_source, signal, "read_source"),
                            protocol,
                        ),
                    }
                )
                for name, signal in merged.signals.items()
            },
            "children": {
                name: renderer.child(child) for name, child in merged.children.items()
            },
            "pvi": merged.pvi and renderer.text(merged.pvi, merged, "pvi"),
            "logic": [
                entry.model_copy(
                    update={"with_": renderer.values(entry.with_, entry.origin, values)}
                )
                for entry in merged.logic
            ],
        }
    )
    if problems:
        raise BlueprintError(problems)
    return rendered


class _Located(Protocol):
    @property
    def origin(self) -> Origin: ...


class _Renderer:
    """Renders strings with one set of values, collecting problems."""

    def __init__(self, values: dict[str, Scalar], problems: list[Problem]) -> None:
        self.context = values
        self.problems = problems

    def text(self, text: str, owner: _Located, *at: str | int) -> str:
        """`text` rendered; a problem is placed at `owner`'s origin (looked up
        only then: it is not free, and most texts render)."""
        try:
            return render_text(text, self.context)
        except TemplateProblem as error:
            self.problems.append(owner.origin.problem(str(error), *at))
            return text

    def values(
        self, given: Mapping[str, Scalar], origin: Origin, context: Mapping[str, Scalar]
    ) -> dict[str, Scalar]:
        rendered: dict[str, Scalar] = {}
        for name, value in given.items():
            try:
                rendered[name] = render_value(value, context)
            except TemplateProblem as error:
                self.problems.append(origin.problem(str(error), "with", name))
                rendered[name] = value
        return rendered

    def child(self, child: Child) -> Child:
        origin = child.origin
        if child.pvi is not None:
            return child.model_copy(update={"pvi": self.text(child.pvi, child, "pvi")})
        if child.tango is not None:
            return child.model_copy(
                update={"tango": self.text(child.tango, child, "tango")}
            )
        if child.vector is None:
            return child.model_copy(
                update={"with_": self.values(child.with_, origin, self.context)}
            )
        per_index = child.vector if isinstance(child.vector, dict) else {}
        items: dict[int, dict[str, Scalar]] = {}
        for index in vector_indices(child):
            context = {**self.context, "i": index}
            items[index] = self.values(
                {**child.with_, **per_index.get(index, {})}, origin, context
            )
        return child.model_copy(update={"with_": {}, "vector": items})
