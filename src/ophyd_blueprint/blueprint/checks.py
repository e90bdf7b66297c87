"""Checks of meaning on a loaded blueprint, beyond the shape pydantic checks.

Every check returns problems instead of raising, so one run reports them all.
Entries are checked in the file that defines them; names are resolved in the
blueprint with its ``extends`` merged in.
"""

from __future__ import annotations

import keyword
import os
from collections.abc import Iterator, Mapping, Set
from pathlib import Path
from typing import Literal

from .extends import lookup, resolve_extends
from .models import Blueprint, Child, LogicEntry, Param, Signal
from .naming import pascal_case
from .positions import Origin
from .problems import BlueprintError, Problem, did_you_mean
from .rendering import bind_params, has_type, scheme_of, vector_indices
from .roles import LogicInfo, LogicRoles, RoleSpec
from .schemes import KnownSchemes
from .settings_checks import check_settings
from .templating import TemplateProblem, is_template, renders_text, template_names
from .vocabulary import (
    BEAMLINE_MEMBERS,
    DEVICE_MEMBERS,
    ENUM_DTYPES,
    SERVERLESS_SCHEMES,
)

__all__ = ["check_blueprint", "check_logic", "check_name", "lookup"]


def check_name(origin: Origin, section: str, name: str) -> list[Problem]:
    """A name must be usable as a Python attribute (it is one, on the device),
    and not one the device (or beamline) already has, such as ``read``.
    """
    if not name.isidentifier() or keyword.iskeyword(name) or name[0] == "_":
        message = (
            f"{name!r} is not a valid name: use letters, digits and '_', not first"
        )
        return [origin.problem(message, section, name, key=True)]
    taken = BEAMLINE_MEMBERS if section == "devices" else DEVICE_MEMBERS
    if name in taken:
        owner = "a beamline" if section == "devices" else "every device"
        message = f"{name!r} is taken: {owner} already has {name!r}"
        suggestion = f"name it e.g. '{name}_value'"
        return [origin.problem(message, section, name, suggestion=suggestion, key=True)]
    return []


def _check_class_name(blueprint: Blueprint) -> list[Problem]:
    """A blueprint's name is a class name (in stubs, and of its devices)."""
    name = blueprint.name
    if _is_class_name(name):
        return []
    message = (
        f"{name!r} is not a valid blueprint name: it is a Python class name, "
        "so use letters, digits and '_', not a digit first"
    )
    fixed = pascal_case(name)
    suggestion = f"did you mean {fixed!r}?" if _is_class_name(fixed) else None
    return [blueprint.origin.problem(message, "blueprint", suggestion=suggestion)]


def _is_class_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def check_blueprint(
    blueprint: Blueprint,
    library: Mapping[str, Blueprint],
    *,
    known_schemes: KnownSchemes | None = None,
    logic_roles: LogicRoles | None = None,
) -> list[Problem]:
    """Every problem of meaning in ``blueprint``; logic is skipped if no roles.

    Sources may use the schemes of the installed transports and those of
    ``known_schemes`` (default: the installed ones only).
    """
    known_schemes = KnownSchemes() if known_schemes is None else known_schemes
    problems: list[Problem] = []
    try:
        merged = resolve_extends(blueprint, library)
    except BlueprintError as error:
        problems += error.problems
        merged = blueprint
    origin = blueprint.origin
    problems += _check_class_name(blueprint)
    for section in ("params", "signals", "children"):
        entries: Mapping[str, object] = getattr(blueprint, section)
        for name in entries:
            problems += check_name(origin, section, name)
    for name, param in blueprint.params.items():
        problems += _check_param(name, param)
    names = set(merged.params)
    if blueprint.pvi is not None:
        problems += _template(blueprint.pvi, origin, ("pvi",), names)
    problems += check_settings(blueprint, merged, library)
    for name, signal in blueprint.signals.items():
        problems += _check_signal(signal, names, known_schemes)
        if name in merged.children:
            problems.append(_clash(signal.origin, name))
    for name, child in blueprint.children.items():
        problems += _check_child(blueprint.name, child, merged, library)
        if name in merged.signals:
            problems.append(_clash(child.origin, name))
    uses: set[str] = set()
    for entry in blueprint.logic:
        if entry.use in uses:
            problems.append(
                entry.origin.problem(f"logic {entry.use!r} is used twice", "use")
            )
        uses.add(entry.use)
        problems += _templates(entry.with_, entry.origin, names)
        if logic_roles is not None:
            problems += check_logic(entry, merged, library, logic_roles)
    return problems


def _clash(origin: Origin, name: str) -> Problem:
    message = f"{name!r} is both a signal and a child"
    return origin.problem(message, key=True)


def _check_param(name: str, param: Param) -> list[Problem]:
    default = param.default
    if default is None:
        return []
    if not has_type(default, param.type):
        message = f"default of param {name!r} must be {param.type}, got {default!r}"
        return [param.origin.problem(message, "default")]
    return []


def _check_signal(
    signal: Signal, params: Set[str], known_schemes: KnownSchemes
) -> list[Problem]:
    problems: list[Problem] = []
    origin = signal.origin
    is_enum = signal.dtype in ENUM_DTYPES
    if signal.access == "x":
        if signal.dtype is not None:
            problems.append(origin.problem("access 'x' signals have no dtype", "dtype"))
    elif signal.dtype is None:
        problems += _serverless_untyped(signal, origin)
    if signal.read != "omitted" and signal.access in ("w", "x"):
        message = f"a signal with access {signal.access!r} cannot be read"
        problems.append(origin.problem(message, "read", suggestion="remove 'read'"))
    if signal.read_source is not None and signal.access != "rw":
        message = "read_source needs access 'rw' (source is then the write source)"
        problems.append(origin.problem(message, "read_source"))
    if signal.trigger_value is not None and signal.access != "x":
        problems.append(
            origin.problem("trigger_value needs access 'x'", "trigger_value")
        )
    if is_enum:
        problems += _check_choices(signal)
    else:
        for key in ("choices", "strict", "enum_name"):
            if key in signal.model_fields_set:
                problems.append(origin.problem(f"{key} is only for enum dtypes", key))
    if signal.enum_name is not None and not signal.enum_name.isidentifier():
        message = f"enum_name {signal.enum_name!r} is not a valid class name"
        problems.append(origin.problem(message, "enum_name"))
    if signal.dtype == "table" and not signal.columns:
        problems.append(origin.problem("a table needs columns"))
    if signal.dtype != "table" and signal.columns is not None:
        problems.append(origin.problem("columns are only for dtype 'table'", "columns"))
    for key in ("source", "read_source"):
        source: str | None = getattr(signal, key)
        if source is not None:
            problems += _check_source(source, origin, key, params, known_schemes)
    return problems


def _serverless_untyped(signal: Signal, origin: Origin) -> list[Problem]:
    """A signal without dtype takes its type from its server at connect, so
    one whose source has no server (soft, mock) needs a dtype."""
    scheme = scheme_of(signal.read_source or signal.source)
    if scheme not in SERVERLESS_SCHEMES:
        return []
    message = f"missing dtype: a {scheme}:// signal has no server to take it from"
    return [origin.problem(message, suggestion="add dtype: float (or its type)")]


def _check_choices(signal: Signal) -> list[Problem]:
    origin = signal.origin
    if signal.choices is None:
        message = f"dtype {signal.dtype!r} needs choices"
        return [origin.problem(message, suggestion="add choices: [...]")]
    if not signal.choices:
        return [origin.problem("choices must not be empty", "choices")]
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, choice in enumerate(signal.choices):
        if choice in seen:
            message = f"choice {choice!r} is listed twice"
            problems.append(origin.problem(message, "choices", index))
        seen.add(choice)
    return problems


def _check_source(
    source: str,
    origin: Origin,
    key: str,
    params: Set[str],
    known_schemes: KnownSchemes,
) -> list[Problem]:
    problems = _template(source, origin, (key,), params)
    scheme = scheme_of(source)
    if scheme is not None and scheme not in known_schemes:
        names = known_schemes.names()
        suggestion = did_you_mean(scheme, names)
        message = f"unknown URI scheme {scheme!r} (known: {', '.join(names)})"
        problems.append(origin.problem(message, key, suggestion=suggestion))
    return problems


def _template(
    text: str, origin: Origin, at: tuple[str | int, ...], names: Set[str]
) -> list[Problem]:
    """Problems of a template that reads a name not among ``names``."""
    try:
        used = template_names(text)
    except TemplateProblem as error:
        return [origin.problem(str(error), *at)]
    return [
        origin.problem(
            f"{name!r} is undefined in {text!r}",
            *at,
            suggestion=did_you_mean(name, names),
        )
        for name in sorted(used - names)
    ]


def _templates(
    values: Mapping[str, object], origin: Origin, names: Set[str]
) -> list[Problem]:
    return [
        problem
        for key, value in values.items()
        if isinstance(value, str)
        for problem in _template(value, origin, ("with", key), names)
    ]


def _check_child(
    owner: str, child: Child, merged: Blueprint, library: Mapping[str, Blueprint]
) -> list[Problem]:
    origin = child.origin
    kinds = [k for k in ("blueprint", "pvi", "tango") if getattr(child, k) is not None]
    if len(kinds) != 1:
        message = "needs exactly one of 'blueprint', 'pvi' or 'tango'"
        return [origin.problem(message, suggestion=f"found {kinds}" if kinds else None)]
    names = set(merged.params)
    problems: list[Problem] = []
    if child.blueprint is None:
        for key in ("with", "vector"):
            if key in child.model_fields_set or f"{key}_" in child.model_fields_set:
                problems.append(origin.problem(f"{key!r} needs 'blueprint'", key))
        text: str = getattr(child, kinds[0])
        return problems + _template(text, origin, (kinds[0],), names)
    if child.vector is not None:
        names = names | {"i"}
        problems += _check_vector(child)
    problems += _templates(child.with_, origin, names)
    if child.blueprint not in library:
        message = f"unknown blueprint {child.blueprint!r}"
        suggestion = _suggest(library, child.blueprint)
        return [*problems, origin.problem(message, "blueprint", suggestion=suggestion)]
    target = lookup(library, child.blueprint, problems)
    if target is None:
        return problems
    cycle = _cycle(owner, child.blueprint, library, [owner])
    if cycle:
        message = f"child cycle: {' -> '.join(cycle)}"
        problems.append(origin.problem(message, "blueprint"))
    per_index = child.vector if isinstance(child.vector, dict) else {}
    for index, overrides in per_index.items():
        given = {**child.with_, **overrides}
        problems += bind_params(
            target.params, given, origin.child("vector", index), skip_templates=True
        )[1]
    if not per_index:
        problems += bind_params(
            target.params, child.with_, origin.child("with"), skip_templates=True
        )[1]
    return problems


def _suggest(library: Mapping[str, Blueprint], name: str) -> str | None:
    return did_you_mean(name, library)


def _check_vector(child: Child) -> list[Problem]:
    indices = vector_indices(child)
    if not indices:
        return [child.origin.problem("a vector needs at least one index", "vector")]
    if len(set(indices)) != len(indices):
        return [child.origin.problem("vector indices must be unique", "vector")]
    return []


def _cycle(
    owner: str, name: str, library: Mapping[str, Blueprint], path: list[str]
) -> list[str]:
    """The chain of child blueprints from ``owner`` back to itself, if any."""
    path = [*path, name]
    if name == owner:
        return path
    if name in path[:-1] or name not in library:
        return []
    target = lookup(library, name, [])
    if target is None:
        return []
    for child in target.children.values():
        if child.blueprint is not None:
            found = _cycle(owner, child.blueprint, library, path)
            if found:
                return found
    return []


def check_logic(
    entry: LogicEntry,
    merged: Blueprint,
    library: Mapping[str, Blueprint],
    logic_roles: LogicRoles,
) -> list[Problem]:
    """Problems of one logic entry of `merged` (extends resolved): an unknown
    class or role, a required role unbound, a bound path that is not there or
    does not fit the role."""
    origin = entry.origin
    roles = logic_roles.get(entry.use)
    if roles is None:
        suggestion = did_you_mean(entry.use, logic_roles)
        message = f"unknown logic {entry.use!r}"
        if suggestion is None:  # not a typo: say what there is, and how to add
            message += (
                f"; registered: {', '.join(sorted(logic_roles)) or 'none'} (a "
                "class of your own needs an entry point in the group "
                "'ophyd_blueprint.logic')"
            )
        return [origin.problem(message, "use", suggestion=suggestion)]
    specs = {spec.name: spec for spec in roles}
    problems: list[Problem] = []
    for role, target in entry.bind.items():
        spec = specs.get(role)
        if spec is None:
            message = f"{entry.use} has no role {role!r}"
            suggestion = did_you_mean(role, specs)
            problems.append(
                origin.problem(message, "bind", role, suggestion=suggestion, key=True)
            )
            continue
        problems += _check_binding(spec, target, merged, library, origin)
    for spec in roles:
        if spec.required and spec.name not in entry.bind:
            message = f"{entry.use} needs role {spec.name!r} bound"
            problems.append(origin.problem(message, "bind"))
    if isinstance(logic_roles, LogicInfo):
        problems += _check_params(entry, logic_roles.params_of(entry.use))
    return problems


_KINDS: dict[str, tuple[tuple[type, ...], str, str]] = {
    "str": ((str,), "string", "a string (quote a number: '0.11')"),
    "Path": ((str,), "string", "a file path (a string)"),
    "int": ((int,), "integer", "an integer"),
    "float": ((int, float), "number", "a number"),
    "bool": ((bool,), "boolean", "true or false"),
}
"""A logic parameter's type (its name) -> the YAML values it takes, their
JSON Schema type, and how a message says it."""


def _kind(kind: type) -> tuple[tuple[type, ...], str, str]:
    """`_KINDS`' entry for `kind`; a type of its own takes its instances."""
    return _KINDS.get(kind.__name__, ((kind,), "", kind.__name__))


def _check_params(entry: LogicEntry, params: Mapping[str, type]) -> list[Problem]:
    """A ``with`` key the class does not take, or a value not of its type
    (a templated value is checked by the builder, once rendered)."""
    problems: list[Problem] = []
    for name, value in entry.with_.items():
        kind = params.get(name)
        if kind is None:
            taken = ", ".join(sorted(params)) or "none"
            problems.append(
                entry.origin.problem(
                    f"{entry.use} takes no parameter {name!r}; it takes: {taken}",
                    "with",
                    name,
                    suggestion=did_you_mean(name, params),
                    key=True,
                )
            )
            continue
        if isinstance(value, str) and is_template(value):
            accepted, _, what = _kind(kind)
            if renders_text(value) and str not in accepted:
                problems.append(
                    entry.origin.problem(
                        f"{entry.use}'s {name!r} is {what}; {value!r} renders as "
                        "text: give it as one expression, e.g. "
                        "'{{ 2 if fast else 5 }}'",
                        "with",
                        name,
                    )
                )
            continue
        wrong = param_mismatch(entry.use, name, kind, value)
        if wrong is not None:
            problems.append(entry.origin.problem(wrong, "with", name))
    return problems


def param_file(base: Path, value: str) -> Path:
    """The file a `Path` parameter written `value` names, taken from folder
    `base` (a beamline's) when relative."""
    return Path(os.path.normpath(base / Path(value).expanduser()))


def missing_param_file(use: str, name: str, path: Path) -> str | None:
    """What is wrong when the file of `Path` parameter `name` is not there,
    or None if it is."""
    return None if path.is_file() else f"{use}'s {name!r}: no such file {path}"


def param_json_type(kind: type) -> str | None:
    """The JSON Schema type of a logic parameter of type `kind` (None: any)."""
    known = _KINDS.get(kind.__name__)
    return None if known is None else known[1]


def param_value_problem(
    use: str, name: str, kind: type, value: object, base: Path
) -> str | None:
    """What is wrong with the value a logic parameter is given, known (a
    literal, or a template rendered): not of its type, or a `Path` whose file,
    taken from folder `base`, is not there; None if it fits."""
    wrong = param_mismatch(use, name, kind, value)
    if wrong is None and kind is Path and value:
        wrong = missing_param_file(use, name, param_file(base, str(value)))
    return wrong


def param_mismatch(use: str, name: str, kind: type, value: object) -> str | None:
    """What is wrong with `value` for parameter `name` (of type `kind`) of
    logic `use`, or None if it fits."""
    accepted, _, what = _kind(kind)
    if isinstance(value, accepted) and (
        not isinstance(value, bool) or bool in accepted
    ):
        return None
    return f"{use}'s {name!r} is {what}; got {value!r}"


def _check_binding(
    spec: RoleSpec,
    target: str,
    merged: Blueprint,
    library: Mapping[str, Blueprint],
    origin: Origin,
) -> list[Problem]:
    at = ("bind", spec.name)
    signal = _signal_at(merged, target, library)
    if signal == "live":
        return []
    if signal is None:
        suggestion = did_you_mean(target, _signal_paths(merged, library))
        return [origin.problem(f"no signal {target!r}", *at, suggestion=suggestion)]
    problems: list[Problem] = []
    if signal.access not in spec.access:
        accepted = ", ".join(sorted(spec.access))
        message = (
            f"role {spec.name!r} needs access {accepted}; "
            f"{target!r} has {signal.access!r}"
        )
        problems.append(origin.problem(message, *at))
    live_typed = signal.dtype is None  # its type is known at connect only
    if spec.dtypes is not None and not live_typed and signal.dtype not in spec.dtypes:
        accepted = ", ".join(sorted(spec.dtypes))
        message = f"role {spec.name!r} needs dtype {accepted}; "
        message += f"{target!r} has {signal.dtype!r}"
        problems.append(origin.problem(message, *at))
    return problems


def _signal_at(
    device: Blueprint, path: str, library: Mapping[str, Blueprint]
) -> Signal | Literal["live"] | None:
    """The signal at a dotted path (a vector child takes an index part next).

    ``"live"`` when the path goes through a child discovered live (PVI, Tango),
    one that cannot be loaded, or a name left to the blueprint's own ``pvi``,
    where nothing can be checked.
    """
    parts = path.split(".")
    if device.pvi is not None and not (
        parts[0] in device.children or (len(parts) == 1 and parts[0] in device.signals)
    ):
        return "live"  # found in the device's PVI when it connects
    position = 0
    while position < len(parts) - 1:
        child = device.children.get(parts[position])
        position += 1
        if child is None:
            return None
        if child.blueprint is None:
            return "live"
        if child.vector is not None:
            if position >= len(parts) - 1:
                return None
            index = parts[position]
            position += 1
            if not index.isdigit() or int(index) not in vector_indices(child):
                return None
        found = lookup(library, child.blueprint, [])
        if found is None:
            return "live"
        device = found
    return device.signals.get(parts[-1])


def _signal_paths(device: Blueprint, library: Mapping[str, Blueprint]) -> Iterator[str]:
    """Signal paths of ``device`` and its direct children, for suggestions."""
    yield from device.signals
    for name, child in device.children.items():
        if child.blueprint is not None and child.vector is None:
            found = lookup(library, child.blueprint, [])
            if found is not None:
                yield from (f"{name}.{signal}" for signal in found.signals)
