"""Checks of meaning on a beamline: its search paths, devices and their params.

Each device made from a blueprint is rendered down through its children, so a
template that fails or a source with an unknown scheme after rendering is
found before anything connects.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .checks import (
    check_blueprint,
    check_logic,
    check_name,
    lookup,
    param_value_problem,
)
from .extends import resolve_extends
from .library import BlueprintLibrary
from .models import Beamline, BeamlineDevice, Blueprint, Scalar, Signal
from .positions import Origin
from .problems import BlueprintError, Problem, did_you_mean
from .rendering import bind_params, render_blueprint, scheme_of
from .roles import LogicInfo, LogicRoles
from .schemes import KnownSchemes
from .shipped import with_shipped
from .templating import is_template
from .vocabulary import SERVERLESS_SCHEMES

__all__ = ["beamline_library", "check_beamline"]


def beamline_library(
    beamline: Beamline, extra: Iterable[str | Path] = ()
) -> BlueprintLibrary:
    """The blueprints a beamline's ``blueprints`` paths (relative to it) hold,
    then ``extra`` paths (e.g. ``blueprint connect -b DIR``), then the shipped
    blueprints none of them defines.
    """
    base = Path(beamline.origin.file).parent
    own = [_join(base, path) for path in beamline.blueprints]
    return with_shipped([*own, *extra])


def _join(base: Path, path: str) -> Path:
    """``base / path`` without ``..`` parts, so problems name short paths."""
    return Path(os.path.normpath(base / path))


def check_beamline(
    beamline: Beamline,
    *,
    library: BlueprintLibrary | None = None,
    known_schemes: KnownSchemes | None = None,
    logic_roles: LogicRoles | None = None,
) -> list[Problem]:
    """Every problem in ``beamline`` and in the blueprints its devices use.

    ``library`` is the beamline's own (`beamline_library`); given, the trees
    rendered here are kept in it for building. Sources may use the schemes of
    the installed transports and those of ``known_schemes`` (default: the
    installed ones only).
    """
    known_schemes = KnownSchemes() if known_schemes is None else known_schemes
    origin = beamline.origin
    base = Path(origin.file).parent
    problems: list[Problem] = [
        origin.problem(
            f"no such file or directory: {_join(base, path)}", "blueprints", i
        )
        for i, path in enumerate(beamline.blueprints)
        if not _join(base, path).exists()
    ]
    if library is None:
        library = beamline_library(beamline)
    used: set[str] = set()
    for name, device in beamline.devices.items():
        problems += check_name(origin, "devices", name)
        at = device.origin
        kinds = [k for k in ("blueprint", "pvi", "tango") if getattr(device, k)]
        if len(kinds) != 1:
            message = "needs exactly one of 'blueprint', 'pvi' or 'tango'"
            problems.append(at.problem(message))
            continue
        if device.blueprint is None:
            if device.with_:
                problems.append(at.problem("'with' needs 'blueprint'", "with"))
            if device.logic and device.tango is not None:
                message = "'logic' is added to blueprint and pvi devices only"
                problems.append(at.problem(message, "logic"))
            elif device.logic and device.pvi is not None:
                found = Blueprint.model_validate({"blueprint": name, "pvi": device.pvi})
                problems += _device_logic(device, found, library, logic_roles, base)
            continue
        if device.blueprint not in library:
            problems.append(
                at.problem(
                    f"unknown blueprint {device.blueprint!r}",
                    "blueprint",
                    suggestion=library.suggest(device.blueprint),
                )
            )
            continue
        used.add(device.blueprint)
        own = lookup(library, device.blueprint, [])
        if device.logic and own is not None:
            problems += _device_logic(device, own, library, logic_roles, base)
        renderer = _TreeRenderer(
            library,
            beamline.defaults.protocol,
            known_schemes,
            problems,
            logic_roles,
            base,
        )
        renderer.render(device.blueprint, device.with_, at.child("with"), ())
        used |= renderer.visited
    checked = library.used_by(used, problems)
    problems += library.problems_of(checked)
    for name in sorted(checked):
        blueprint = checked[name]
        if blueprint is not None:
            problems += check_blueprint(
                blueprint,
                library,
                known_schemes=known_schemes,
                logic_roles=logic_roles,
            )
    return problems


def _device_logic(
    device: BeamlineDevice,
    built_from: Blueprint,
    library: Mapping[str, Blueprint],
    logic_roles: LogicRoles | None,
    base: Path,
) -> list[Problem]:
    """Problems of the logic a device entry adds to what it is `built_from`;
    a file it names (a `Path` parameter) is looked for from `base`, the
    beamline's folder, as the builder will."""
    if logic_roles is None:
        return []
    problems: list[Problem] = []
    for entry in device.logic:
        problems += check_logic(entry, built_from, library, logic_roles)
        if isinstance(logic_roles, LogicInfo) and entry.use in logic_roles:
            params = logic_roles.params_of(entry.use)
            for name, value in entry.with_.items():
                if params.get(name) is not Path or not isinstance(value, str):
                    continue
                if not value or is_template(value):
                    continue
                missing = param_value_problem(entry.use, name, Path, value, base)
                if missing is not None:
                    problems.append(entry.origin.problem(missing, "with", name))
    return problems


class _TreeRenderer:
    """Renders a device and its children, collecting problems."""

    def __init__(
        self,
        library: Mapping[str, Blueprint],
        protocol: str,
        known_schemes: KnownSchemes,
        problems: list[Problem],
        logic_roles: LogicRoles | None,
        base: Path,
    ) -> None:
        self.library = library
        self.protocol = protocol
        self.known_schemes = known_schemes
        self.problems = problems
        self.logic_roles = logic_roles
        """Given with their parameters, logic parameters are checked once
        rendered."""
        self.base = base
        """The beamline's folder: where a `Path` parameter's file is looked for."""
        self.visited: set[str] = set()

    def render(
        self,
        name: str,
        params: Mapping[str, Scalar],
        at: Origin,
        ancestors: tuple[str, ...],
    ) -> None:
        if name in ancestors or name not in self.library:
            return
        self.visited.add(name)
        blueprint = lookup(self.library, name, self.problems)
        if blueprint is None:
            return
        values, problems = bind_params(blueprint.params, params, at)
        if problems:
            self.problems += problems
            return
        try:
            rendered = render_blueprint(
                blueprint, values, library=self.library, protocol=self.protocol
            )
        except BlueprintError as error:
            self.problems += error.problems
            return
        self._check_schemes(rendered, at)
        self._check_rendered_logic(blueprint, rendered, at)
        for signal_name, signal in rendered.signals.items():
            if signal.dtype is None and signal.access != "x":
                self._check_serverless(blueprint, name, signal_name, signal, at)
        for child in rendered.children.values():
            if child.blueprint is None:
                continue
            inner = (*ancestors, name)
            if isinstance(child.vector, dict):
                for index, child_params in child.vector.items():
                    at = child.origin.child("vector", index)
                    self.render(child.blueprint, child_params, at, inner)
            else:
                at = child.origin.child("with")
                self.render(child.blueprint, child.with_, at, inner)

    def _check_serverless(
        self,
        blueprint: Blueprint,
        name: str,
        signal_name: str,
        rendered: Signal,
        at: Origin,
    ) -> None:
        """A signal without dtype that these params (or the beamline's protocol)
        give a soft or mock source: it has no server to take its type from.
        Written so in the blueprint, `check_blueprint` reports it already."""
        scheme = scheme_of(rendered.read_source or rendered.source)
        if scheme not in SERVERLESS_SCHEMES:
            return
        written = resolve_extends(blueprint, self.library).signals[signal_name]
        if scheme_of(written.read_source or written.source) == scheme:
            return
        message = (
            f"{name}.{signal_name} has no dtype, and here its source is "
            f"{scheme}://, which has no server to take its type from"
        )
        self.problems.append(at.problem(message, suggestion="give it a dtype"))

    def _check_rendered_logic(
        self, blueprint: Blueprint, rendered: Blueprint, at: Origin
    ) -> None:
        """Logic parameters a template gives, known only with these params:
        of their class's type, and a `Path` naming a file that is there (from
        the beamline's folder, as the builder looks). Said at the params,
        naming the template's line."""
        info = self.logic_roles
        if not isinstance(info, LogicInfo):
            return
        merged = resolve_extends(blueprint, self.library)
        for written, entry in zip(merged.logic, rendered.logic, strict=True):
            if entry.use not in info:
                continue
            params = info.params_of(entry.use)
            for name, template in written.with_.items():
                kind = params.get(name)
                if kind is None or not isinstance(template, str):
                    continue
                if not is_template(template):
                    continue
                value = entry.with_.get(name)
                wrong = param_value_problem(entry.use, name, kind, value, self.base)
                if wrong is not None:
                    given = written.origin.at("with", name)
                    message = f"{wrong} (given by {template!r} at {given})"
                    self.problems.append(at.problem(message))

    def _check_schemes(self, rendered: Blueprint, at: Origin) -> None:
        """One problem per unknown scheme these params give, however many signals.

        A prefix such as ``ftp://...`` reaches every signal; one line naming
        how many (and the known schemes) says it better than one per signal.
        """
        unknown: dict[str, list[str]] = {}
        for signal_name, signal in rendered.signals.items():
            for source in (signal.source, signal.read_source):
                scheme = scheme_of(source or "")
                if scheme is not None and scheme not in self.known_schemes:
                    unknown.setdefault(scheme, []).append(signal_name)
        known = self.known_schemes.names()
        for scheme, names in unknown.items():
            signals = sorted(set(names), key=names.index)
            shown = ", ".join(signals[:_SHOWN])
            more = f", +{len(signals) - _SHOWN} more" if len(signals) > _SHOWN else ""
            count = f"{len(signals)} signals" if len(signals) > 1 else "signal"
            message = (
                f"{count} of {rendered.name} ({shown}{more}): unknown URI scheme "
                f"{scheme!r} from these params; known: {', '.join(known)}"
            )
            self.problems.append(
                at.problem(message, suggestion=did_you_mean(scheme, known))
            )


_SHOWN = 3
"""Signals named in a rolled-up problem before ``+N more``."""
