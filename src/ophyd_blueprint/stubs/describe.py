"""Checked blueprints -> `ModuleSpec`: the classes a generated module declares.

Signals are typed by access and dtype as the builder types them (from the
same word table, `DATATYPE_OF_WORD`, written back by `type_text`); enum and
table classes get the builder's names; a signal whose name a logic method
takes (``stop`` and ``Motor.stop()``) is left to ``device.child("stop")``,
as on the built device.
"""

from __future__ import annotations

from ophyd_blueprint.blueprint import (
    Beamline,
    Blueprint,
    BlueprintError,
    Child,
    DeviceRef,
    Problem,
    Signal,
)
from ophyd_blueprint.blueprint.naming import (
    datatype_class_name,
    enum_members,
    pascal_case,
)
from ophyd_blueprint.core.datatype_words import DATATYPE_OF_WORD
from ophyd_blueprint.logic import get_logic

from .imports import Imports
from .live_types import live_type_text
from .logic_methods import exposed_methods
from .spec import (
    Attribute,
    DeviceClass,
    EnumClass,
    Loader,
    Method,
    ModuleSpec,
    TableClass,
)
from .type_text import type_text

__all__ = ["Describer"]

_SIGNAL_CLASSES = {"r": "SignalR", "w": "SignalW", "rw": "SignalRW", "x": "SignalX"}
_PACKAGE = "ophyd_blueprint"
_BUILD = "ophyd_blueprint.builder"
_RESERVED = frozenset({"BEAMLINE", "load"})
"""Names the generated module defines besides its classes."""


class Describer:
    """Describes blueprints and a beamline, gathering imports and problems."""

    def __init__(self) -> None:
        self.imports = Imports()
        self.datatypes: dict[str, tuple[EnumClass | TableClass, Signal]] = {}
        """Enum and table classes by name, with the first signal of each."""
        self.problems: list[Problem] = []

    def module(
        self,
        doc: str,
        blueprints: dict[str, Blueprint],
        beamline: Beamline | None,
        beamline_path: str = "",
    ) -> ModuleSpec:
        """The spec of a module typing ``blueprints`` (and ``beamline``).

        ``beamline_path`` is the beamline file relative to the module.
        BlueprintError if two generated classes would share a name.
        """
        devices = [self.device(b) for b in blueprints.values()]
        loader = None
        if beamline is not None:
            loader = self.loader(beamline, beamline_path)
        self._import_runtime(loader is not None)
        self._check_names(blueprints, beamline)
        if self.problems:
            raise BlueprintError(self.problems)
        described = sorted(self.datatypes.values(), key=lambda d: d[0].name)
        return ModuleSpec(
            doc=doc,
            enums=[e for e, _ in described if isinstance(e, EnumClass)],
            tables=[t for t, _ in described if isinstance(t, TableClass)],
            devices=devices,
            loader=loader,
        )

    def device(self, blueprint: Blueprint) -> DeviceClass:
        """The class of devices built from ``blueprint`` (extends merged in)."""
        methods: dict[str, tuple[str, Method]] = {}
        for entry in blueprint.logic:
            for method in exposed_methods(get_logic(entry.use), self.imports):
                methods[method.name] = (entry.use, method)
        attributes: list[Attribute] = []
        shadowed: list[str] = []
        for name, signal in blueprint.signals.items():
            if name in methods:
                shadowed.append(
                    f"Signal ``{name}`` is ``child({name!r})``: ``{name}()`` is "
                    f"the method of {methods[name][0]}."
                )
                continue
            annotation = self.signal(blueprint.name, name, signal)
            attributes.append(Attribute(name, annotation, signal.doc))
        for name, child in blueprint.children.items():
            attributes.append(Attribute(name, self.child(child), child.doc))
        doc = blueprint.doc or f"A device built from blueprint {blueprint.name}."
        return DeviceClass(
            name=blueprint.name,
            doc="\n\n".join([doc, *shadowed]),
            attributes=attributes,
            methods=[m for _, m in sorted(methods.values(), key=lambda m: m[1].name)],
        )

    def signal(self, blueprint: str, name: str, signal: Signal) -> str:
        """``SignalR[float]``, ``SignalRW[ImageMode]``, ``SignalX``; a signal
        without dtype ``SignalRW[Any]`` (or what its source says, see
        `live_type_text`)."""
        cls = self.imports.name(_PACKAGE, _SIGNAL_CLASSES[signal.access])
        dtype = signal.dtype
        if signal.access == "x":
            return cls
        if dtype is None:  # typed by its server at connect
            source = signal.read_source or signal.source
            return f"{cls}[{live_type_text(source, self.imports)}]"
        fixed = DATATYPE_OF_WORD.get(dtype)
        if fixed is not None:
            value = type_text(fixed, self.imports)
        elif dtype in ("enum", "enum[]"):
            value = self._enum(blueprint, name, signal)
            if dtype == "enum[]":
                value = f"{self.imports.name('collections.abc', 'Sequence')}[{value}]"
        else:
            value = self._table(blueprint, name, signal)
        return f"{cls}[{value}]"

    def child(self, child: Child | DeviceRef) -> str:
        """The class of a child or of a beamline device."""
        if child.blueprint is None:  # discovered live: its signals are unknown
            return self.imports.name(_PACKAGE, "Device")
        if isinstance(child, Child) and child.vector is not None:
            vector = self.imports.name(_PACKAGE, "DeviceVector")
            return f"{vector}[{child.blueprint}]"
        return child.blueprint

    def loader(self, beamline: Beamline, path: str) -> Loader:
        """The typed beamline class, and where ``load()`` finds the file."""
        return Loader(
            name=beamline_class_name(beamline),
            doc=beamline.doc or f"The devices of beamline {beamline.name}.",
            devices=[
                Attribute(name, self.child(device), device.doc)
                for name, device in beamline.devices.items()
            ],
            path=path,
        )

    def _import_runtime(self, loads: bool) -> None:
        """What the template itself names."""
        name = self.imports.name
        name("__future__", "annotations")
        name("typing", "TYPE_CHECKING")
        name(_BUILD, "BlueprintDevice")
        if loads:
            name("pathlib", "Path")
            name("typing", "cast")
            name(_PACKAGE, "LoadedBeamline")
            name(_PACKAGE, "load_beamline")
        kinds = {type(d) for d, _ in self.datatypes.values()}
        if EnumClass in kinds:
            name(_BUILD, "enum_class")
        if TableClass in kinds:
            name(_BUILD, "signal_datatype")
            name(f"{_PACKAGE}.blueprint", "Signal")

    def _enum(self, blueprint: str, name: str, signal: Signal) -> str:
        base = "StrictEnum" if signal.strict else "SubsetEnum"
        described = EnumClass(
            name=datatype_class_name(blueprint, name, signal),
            base=self.imports.name(_PACKAGE, base),
            members=enum_members(signal.choices or []),
            doc=f"Choices of {blueprint}.{name}.",
        )
        self._register(described, signal)
        return described.name

    def _table(self, blueprint: str, name: str, signal: Signal) -> str:
        columns: list[tuple[str, str]] = list((signal.columns or {}).items())
        described = TableClass(
            name=datatype_class_name(blueprint, name, signal),
            columns=[
                Attribute(col, type_text(DATATYPE_OF_WORD[word], self.imports))
                for col, word in columns
            ],
            column_dtypes=columns,
            doc=f"Rows of {blueprint}.{name}.",
            blueprint=blueprint,
            signal=name,
        )
        self.imports.name(_PACKAGE, "Table")
        self._register(described, signal)
        return described.name

    def _register(self, described: EnumClass | TableClass, signal: Signal) -> None:
        """Keep one class per name, as the builder does; a clash is a problem."""
        first = self.datatypes.setdefault(described.name, (described, signal))
        if first[0] != described:
            where = first[1].origin
            line, col = where.positions.of(where.path)
            self.problems.append(
                signal.origin.problem(
                    f"{described.name} is already the name of another class; "
                    "give this signal its own enum_name",
                    suggestion=f"the other one is at {where.file}:{line}:{col}",
                )
            )

    def _check_names(
        self, blueprints: dict[str, Blueprint], beamline: Beamline | None
    ) -> None:
        taken = self.imports.bound() | _RESERVED
        message = "the class name {} is taken in the generated module"
        for name, (_, signal) in self.datatypes.items():
            if name in taken or name in blueprints:
                self.problems.append(signal.origin.problem(message.format(name)))
        for name, blueprint in blueprints.items():
            if name in taken:
                self.problems.append(
                    blueprint.origin.problem(message.format(name), "blueprint")
                )
        if beamline is not None:
            name = beamline_class_name(beamline)
            if name in taken or name in blueprints:
                self.problems.append(
                    beamline.origin.problem(message.format(name), "beamline")
                )


def beamline_class_name(beamline: Beamline) -> str:
    """``demo`` -> ``DemoBeamline``."""
    return pascal_case(beamline.name) + "Beamline"
