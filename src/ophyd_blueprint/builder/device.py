"""Blueprint model -> Device class (cached per blueprint) -> instance.

The one place where declared data becomes objects: signals bound to the
transport of their URI scheme, children, vectors, read categories, and logic
classes whose methods become the device's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

from ophyd_blueprint.blueprint import (
    Blueprint,
    Child,
    LogicEntry,
    Scalar,
    param_file,
    param_value_problem,
    render_blueprint,
    resolve_extends,
)
from ophyd_blueprint.blueprint import Signal as SignalModel
from ophyd_blueprint.core import (
    DEFAULT_TIMEOUT,
    Device,
    DeviceVector,
    LogicNotBoundError,
    MockSignalBackend,
    NotConnectedError,
    ReadCategory,
    Signal,
    SignalBackend,
    SignalR,
    SignalRW,
    SignalW,
    SignalX,
    SoftSignalBackend,
    StandardReadable,
    make_backend,
)
from ophyd_blueprint.logic import Logic, get_logic

from .datatypes import signal_datatype
from .trigger import TriggerWithValue

__all__ = [
    "FILES_FROM",
    "BlueprintDevice",
    "BuildError",
    "Discover",
    "DiscoveredBlueprintDevice",
    "build_device",
    "device_class",
    "found_through_pvi",
]

FILES_FROM = "files_from"
"""The `build_device` ``logic_defaults`` key naming the folder that a logic's
`Path` parameters, given as relative paths, are taken from. A beamline gives
its own folder, so ``with: {table: tables/pulses.yaml}`` is found beside it
whatever the working directory of the session that loads it."""

Discover = Callable[[Child, str], Device]
"""Makes the device of a ``pvi:``/``tango:`` child (rendered), given the protocol.

The builder knows no introspection: the beamline layer passes one that
discovers the child live when it connects."""

SIGNAL_CLASSES: dict[str, type[Signal[Any]]] = {
    "r": SignalR,
    "w": SignalW,
    "rw": SignalRW,
    "x": SignalX,
}


class BuildError(ValueError):
    """A rendered blueprint that cannot become a device (names file and line)."""


class BlueprintDevice(StandardReadable):
    """A device built from a blueprint; its class is made once per blueprint."""

    blueprint: ClassVar[Blueprint]
    exposed: ClassVar[Mapping[str, int]] = {}
    """Method name -> index of the logic entry that provides it."""

    logic: list[Logic]
    declared: tuple[Blueprint, Mapping[str, Blueprint]]
    """The blueprint as written and the library it was built with: where each
    signal was declared, looked up only when a connect fails."""

    async def connect(
        self,
        mock: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        force_reconnect: bool = False,
    ) -> None:
        try:
            await super().connect(mock, timeout, force_reconnect)
        except NotConnectedError as error:
            _locate(self, error)
            raise
        if mock:
            for device in _blueprint_devices(self):
                for logic in device.logic:
                    logic.use_mock()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.name!r} from {self.blueprint.origin.file}>"
        )


class DiscoveredBlueprintDevice(BlueprintDevice):
    """A device built from a blueprint with ``pvi:``: when it first connects,
    the structure found there joins the declared one and its logic is bound
    (a bind path the PVI does not have is a connect failure naming it)."""

    _structure: Device
    _logic_params: Sequence[dict[str, Any]]
    _rendered: Blueprint
    _adopted: bool = False

    def found_at(
        self,
        structure: Device,
        rendered: Blueprint,
        params: Sequence[dict[str, Any]],
    ) -> None:
        """Discover through `structure`; bind `rendered`'s logic (each entry
        with its checked `params`) once it is found."""
        self._structure = structure
        self._rendered = rendered
        self._logic_params = params
        self.logic = []

    async def _connect_self(self, mock: bool, timeout: float) -> None:
        if self._adopted:
            return
        structure = self._structure
        structure.set_name(self.name)
        await structure.connect(mock, timeout)
        declared = dict(self.children())
        for name, child in list(structure.children()):
            if name in declared:
                continue  # declared in the blueprint: the declaration wins
            setattr(self, name, child)
            self.add_readables([child], ReadCategory.HINTED)
            self.add_readables([child], ReadCategory.CONFIG)
        self.set_name(self.name)
        bound = [self._bind(index) for index in range(len(self._rendered.logic))]
        logic = [entry for entry in bound if isinstance(entry, Logic)]
        # a logic that checks what was found speaks first: an IOC too old for
        # the blueprint is named as such, not as the paths it lacks
        await asyncio.gather(*(entry.found() for entry in logic))
        for failure in bound:
            if isinstance(failure, NotConnectedError):
                raise failure
        self.logic = logic
        self._adopted = True

    def _bind(self, index: int) -> Logic | NotConnectedError:
        """Logic entry `index` bound to the discovered structure, or the failure
        naming the entry's file and line, the path, and the PVI."""
        blueprint = self._rendered
        try:
            return _attach_logic(self, blueprint, index, self._logic_params[index])
        except (AttributeError, KeyError, BuildError) as error:
            entry = blueprint.logic[index]
            reason = str(error).strip("'\"")
            message = f"{entry.use}: a bound path is not in {blueprint.pvi}: {reason}"
            return LogicNotBoundError(
                str(entry.origin.problem(message, "bind")), source=blueprint.pvi or ""
            )


def found_through_pvi(device: DiscoveredBlueprintDevice) -> Device | None:
    """What `device`'s ``pvi:`` found (the device whose children joined it),
    once it has connected; None before. A function, not an attribute: a
    discovered child may take any name."""
    found = device._structure  # pyright: ignore[reportPrivateUsage]
    return found if device._adopted else None  # pyright: ignore[reportPrivateUsage]


def _locate(device: BlueprintDevice, error: NotConnectedError) -> None:
    """Give each failed signal's error the ``file:line:col`` of its declaration."""
    declared: dict[int, Mapping[str, SignalModel]] = {}  # per device, extends merged
    for path, leaf in error.leaves().items():
        if isinstance(leaf, NotConnectedError) and path and not leaf.origin:
            *owners, name = path.split(".")
            owner = _below(device, owners)
            if isinstance(owner, BlueprintDevice):
                signals = declared.get(id(owner))
                if signals is None:
                    blueprint, library = owner.declared
                    signals = declared[id(owner)] = resolve_extends(
                        blueprint, library
                    ).signals
                leaf.origin = _written_at(signals.get(name))


def _below(device: Device, path: list[str]) -> Device | None:
    for part in path:
        try:
            device = device.child(part)
        except AttributeError:
            return None
    return device


def _written_at(signal: SignalModel | None) -> str:
    """``file:line:col`` of a signal's entry; empty if not declared in a file."""
    written_at = signal.written_at if signal is not None else None
    return written_at.at(key=True) if written_at is not None else ""


def _blueprint_devices(device: Device) -> Iterator[BlueprintDevice]:
    if isinstance(device, BlueprintDevice):
        yield device
    for _, child in device.children():
        if not isinstance(child, Signal):
            yield from _blueprint_devices(child)


def _forward(method: str) -> Callable[..., Any]:
    def forward(self: BlueprintDevice, *args: Any, **kwargs: Any) -> Any:
        logic = self.logic[type(self).exposed[method]]
        return getattr(logic, method)(*args, **kwargs)

    forward.__name__ = method
    forward.__qualname__ = method
    return forward


def _structure(blueprint: Blueprint) -> tuple[Any, ...]:
    """What makes two rendered blueprints the same class (sources aside)."""
    return (
        blueprint.name,
        tuple(
            (n, s.dtype, s.access, s.read, tuple(s.choices or ()), s.strict)
            for n, s in blueprint.signals.items()
        ),
        tuple((n, c.blueprint) for n, c in blueprint.children.items()),
        tuple(entry.use for entry in blueprint.logic),
        blueprint.pvi is not None,
    )


_classes: dict[tuple[Any, ...], type[BlueprintDevice]] = {}


def device_class(blueprint: Blueprint) -> type[BlueprintDevice]:
    """The Device subclass for `blueprint`, made on first use and cached."""
    key = _structure(blueprint)
    cls = _classes.get(key)
    if cls is not None:
        return cls
    exposed: dict[str, int] = {}
    namespace: dict[str, Any] = {
        "__doc__": blueprint.doc or f"Device built from blueprint {blueprint.name}.",
        "blueprint": blueprint,
        "exposed": exposed,
    }
    for index, entry in enumerate(blueprint.logic):
        for method in get_logic(entry.use).exposes:
            if method in exposed:
                first = blueprint.logic[exposed[method]].use
                raise BuildError(
                    str(
                        entry.origin.problem(
                            f"{entry.use} and {first} both provide {method}(); "
                            "a device can have only one",
                            "use",
                        )
                    )
                )
            exposed[method] = index
            namespace[method] = _forward(method)
    base: type[BlueprintDevice] = (
        DiscoveredBlueprintDevice if blueprint.pvi is not None else BlueprintDevice
    )
    cls = cast(type[BlueprintDevice], type(blueprint.name, (base,), namespace))
    _classes[key] = cls
    return cls


def _make_signal(
    blueprint: Blueprint, name: str, model: SignalModel, mock: bool
) -> Signal[Any]:
    datatype = signal_datatype(blueprint.name, name, model)
    read_uri = model.read_source or model.source
    backend: SignalBackend[Any]
    if mock:  # no transport is imported, no server is needed
        backend = MockSignalBackend(datatype, uri="mock+" + read_uri, units=model.units)
    elif model.access == "x" and model.trigger_value is not None:
        backend = TriggerWithValue(
            make_backend(type(model.trigger_value), model.source), model.trigger_value
        )
    else:
        backend = make_backend(datatype, read_uri, model.source)
        if model.units is not None and isinstance(backend, SoftSignalBackend):
            # in-process values have no control system to say their units
            backend.set_units(model.units)
    return SIGNAL_CLASSES[model.access](backend)


def build_device(
    blueprint: Blueprint,
    params: Mapping[str, Scalar],
    *,
    library: Mapping[str, Blueprint],
    protocol: str = "ca",
    name: str = "",
    mock: bool = False,
    discover: Discover | None = None,
    logic_defaults: Mapping[str, Scalar] | None = None,
) -> BlueprintDevice:
    """A device instance of `blueprint` with `params`, not yet connected.

    `library` resolves `extends` and children; sources without a scheme take
    `protocol`. With `mock`, every signal gets a mock backend and no transport
    is imported. `discover` makes ``pvi:``/``tango:`` children (without it
    they are a BuildError). `logic_defaults` (e.g. a beamline's ``data_dir``)
    go to every logic, here and in children, that takes a parameter of that
    name and is not given one in its ``with``; with `FILES_FROM`, the folder
    a relative path given to a `Path` parameter is taken from (a beamline's
    own; else the working directory). Raises BlueprintError (every
    problem, with file and line) or BuildError.
    """
    rendered = render_blueprint(blueprint, params, library=library, protocol=protocol)
    cls = device_class(rendered)
    device = cls.__new__(cls)
    device.declared = (blueprint, library)
    runs: list[tuple[str, list[Device]]] = []  # same-category runs, in order
    for signal_name, model in rendered.signals.items():
        signal = _make_signal(rendered, signal_name, model, mock)
        if signal_name in cls.exposed:
            # the logic's method keeps the attribute (bluesky calls x.stop());
            # the signal stays in the tree, reached by device.child("stop")
            device.add_child(signal_name, signal)
        else:
            setattr(device, signal_name, signal)
        if runs and runs[-1][0] == model.read:
            runs[-1][1].append(signal)
        else:
            runs.append((model.read, [signal]))
    for category, signals in runs:
        device.add_readables(signals, category)
    for child_name, child in rendered.children.items():
        sub = _build_child(child, library, protocol, mock, discover, logic_defaults)
        setattr(device, child_name, sub)
        # a vector is read through its items, each a readable device
        parts: list[Device] = (
            list(cast(DeviceVector[Device], sub).values())
            if isinstance(sub, DeviceVector)
            else [sub]
        )
        device.add_readables(parts, ReadCategory.HINTED)
        device.add_readables(parts, ReadCategory.CONFIG)
    Device.__init__(device, name)
    # parameters are checked now, also for logic bound only once a ``pvi:``
    # structure is found: a missing file is a load error, not a connect one
    given = [_logic_params(entry, logic_defaults or {}) for entry in rendered.logic]
    if isinstance(device, DiscoveredBlueprintDevice):
        structure = _discover_structure(rendered, protocol, discover)
        device.found_at(structure, rendered, given)
        return device
    device.logic = [
        _attach_logic(device, rendered, index, given[index])
        for index in range(len(rendered.logic))
    ]
    return device


def _discover_structure(
    rendered: Blueprint, protocol: str, discover: Discover | None
) -> Device:
    """The device that finds `rendered`'s ``pvi:`` structure when it connects."""
    if discover is None:
        message = (
            "a blueprint with pvi: is discovered when a beamline connects; "
            "build this device through load_beamline"
        )
        raise BuildError(str(rendered.origin.problem(message, "pvi")))
    return discover(Child.model_validate({"pvi": rendered.pvi}), protocol)


def _build_child(
    child: Child,
    library: Mapping[str, Blueprint],
    protocol: str,
    mock: bool,
    discover: Discover | None,
    logic_defaults: Mapping[str, Scalar] | None,
) -> Device:
    if child.blueprint is None:
        kind = "pvi" if child.pvi is not None else "tango"
        if discover is not None:
            return discover(child, protocol)
        message = (
            f"{kind} children are discovered by introspection when a beamline "
            "connects; build this device through load_beamline, or freeze the "
            "child to a blueprint"
        )
        raise BuildError(str(child.origin.problem(message, kind)))
    base = library[child.blueprint]
    if child.vector is None:
        return build_device(
            base,
            child.with_,
            library=library,
            protocol=protocol,
            mock=mock,
            discover=discover,
            logic_defaults=logic_defaults,
        )
    items = child.vector if isinstance(child.vector, dict) else {}
    return DeviceVector(
        {
            index: build_device(
                base,
                values,
                library=library,
                protocol=protocol,
                mock=mock,
                discover=discover,
                logic_defaults=logic_defaults,
            )
            for index, values in items.items()
        }
    )


def _resolve(device: Device, path: str) -> Signal[Any]:
    node: object = device
    for part in path.split("."):
        node = (
            cast(DeviceVector[Device], node)[int(part)]
            if isinstance(node, DeviceVector)
            else node.child(part)
        )
    if not isinstance(node, Signal):
        raise BuildError(f"{path} is a device, not a signal")
    return cast(Signal[Any], node)


def _attach_logic(
    device: BlueprintDevice,
    blueprint: Blueprint,
    index: int,
    params: dict[str, Any],
) -> Logic:
    entry = blueprint.logic[index]
    bound = {role: _resolve(device, path) for role, path in entry.bind.items()}
    return get_logic(entry.use)(device, bound, params)


def _logic_params(entry: LogicEntry, defaults: Mapping[str, Scalar]) -> dict[str, Any]:
    """What logic `entry` is given: its ``with`` over the `defaults` its class
    takes, each checked against the class's `params` (a templated value is
    known only now, rendered), a `Path` made absolute and found (BuildError,
    at the entry's line, if not)."""
    cls = get_logic(entry.use)
    given = {k: v for k, v in defaults.items() if k in cls.params}
    params: dict[str, Any] = {**given, **entry.with_}
    base = Path(str(defaults.get(FILES_FROM, "")))
    for name, kind in cls.params.items():
        value = params.get(name)
        if value is None:
            continue
        wrong = param_value_problem(entry.use, name, kind, value, base)
        if wrong is not None:  # a templated value, rendered
            raise BuildError(f"{entry.origin.at('with', name)}: {wrong}")
        if kind is Path and value:
            params[name] = param_file(base, str(value))
    return params
