"""`load_beamline`: a beamline file becomes an object with one attribute per device."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from ophyd_blueprint.blueprint import (
    Beamline,
    BeamlineDevice,
    Blueprint,
    BlueprintError,
    BlueprintLibrary,
    KnownSchemes,
    Scalar,
    beamline_library,
    check_beamline,
    load_beamline_model,
    validate_files,
)
from ophyd_blueprint.builder import FILES_FROM, build_device
from ophyd_blueprint.core import Device, NotConnectedError, Signal
from ophyd_blueprint.core.transport import registered_schemes
from ophyd_blueprint.introspect import blueprint_name
from ophyd_blueprint.logic import logic_roles

from .discovered import DiscoveredDevice, discover_child
from .report import ConnectionReport, DeviceConnection

__all__ = ["LoadedBeamline", "load_beamline"]


class LoadedBeamline:
    """The devices of one beamline file, built and ready to connect.

    ``bl.x`` is the device named ``x``; ``await bl.connect()`` connects all
    of them in parallel and reports which are alive.
    """

    def __init__(
        self, model: Beamline, devices: dict[str, Device], mock: set[str]
    ) -> None:
        self.model = model
        self.devices = devices
        self.mock = mock

    @property
    def name(self) -> str:
        return self.model.name

    if not TYPE_CHECKING:  # generated stubs type the devices; typos stay errors

        def __getattr__(self, name: str) -> Device:
            devices: dict[str, Device] = self.__dict__.get("devices", {})
            if name in devices:
                return devices[name]
            raise AttributeError(
                f"beamline {self.model.name!r} has no device {name!r}; "
                f"it has: {', '.join(devices)}"
            )

    def __iter__(self) -> Iterator[Device]:
        return iter(self.devices.values())

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self.devices]

    async def connect(
        self, timeout: float | None = None, strict: bool = False
    ) -> ConnectionReport:
        """Connect every device at once; devices that connect stay usable.

        `timeout` defaults to the beamline's ``defaults.timeout``. With
        `strict`, a failure raises NotConnectedError (the whole tree) instead.
        """
        timeout = self.model.defaults.timeout if timeout is None else timeout
        names = list(self.devices)
        results = await asyncio.gather(
            *(
                self.devices[n].connect(mock=n in self.mock, timeout=timeout)
                for n in names
            ),
            return_exceptions=True,
        )
        entries: dict[str, DeviceConnection] = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
            entries[name] = DeviceConnection(
                name, _count_signals(self.devices[name]), result, name in self.mock
            )
        report = ConnectionReport(entries)
        if strict and not report.ok:
            raise NotConnectedError(
                {n: e.error for n, e in entries.items() if e.error is not None}
            )
        return report


def _with_params(
    model: Beamline, params: Mapping[str, Mapping[str, Scalar]]
) -> Beamline:
    """`model` with each named device's ``with`` updated by `params`."""
    unknown = sorted(set(params) - set(model.devices))
    if unknown:
        raise KeyError(
            f"{model.origin.file} has no device {', '.join(map(repr, unknown))}; "
            f"its devices: {', '.join(model.devices)}"
        )
    devices = {
        name: entry.model_copy(update={"with_": {**entry.with_, **params[name]}})
        if name in params
        else entry
        for name, entry in model.devices.items()
    }
    return model.model_copy(update={"devices": devices})


def _count_signals(device: Device) -> int:
    if isinstance(device, Signal):
        return 1
    return sum(_count_signals(child) for _, child in device.children())


def _schemes() -> KnownSchemes:
    """Installed transports' schemes and those registered in this process."""
    return KnownSchemes(registered_schemes())


def _built_from(
    name: str, entry: BeamlineDevice, library: BlueprintLibrary
) -> tuple[Blueprint, Mapping[str, Blueprint]]:
    """The blueprint a device entry is built from, with the entry's ``logic``
    added (an entry's logic replaces the blueprint's of the same ``use``), and
    the library to build it with.

    A ``pvi:`` entry with logic is a blueprint of that ``pvi``. A blueprint
    given more logic is rendered apart from the library's cached trees.
    """
    if entry.blueprint is None:
        blueprint = Blueprint.model_validate(
            {"blueprint": blueprint_name(name), "pvi": entry.pvi}
        )
        return blueprint.model_copy(update={"logic": list(entry.logic)}), library
    blueprint = library[entry.blueprint]
    if not entry.logic:
        return blueprint, library
    added = {e.use for e in entry.logic}
    logic = [e for e in blueprint.logic if e.use not in added] + list(entry.logic)
    return blueprint.model_copy(update={"logic": logic}), MappingProxyType(library)


def load_beamline(
    path: str | Path,
    mock: bool = False,
    *,
    blueprints: Sequence[str | Path] = (),
    params: Mapping[str, Mapping[str, Scalar]] | None = None,
) -> LoadedBeamline:
    """Load, check and build every device of a beamline file; connect nothing.

    Every problem in the file and in the blueprints it uses is raised at once
    as BlueprintError (file, line, column, what is wrong). `mock=True` makes
    every device a mock; otherwise each device's own ``mock:`` decides.
    ``pvi:`` and ``tango:`` devices (and children) are introspected when they
    first connect; their signals are mocks when they are. `blueprints` are
    more folders (or files) where blueprints are found, after the file's own.
    `params` maps device names to values that replace those of their
    ``with`` (e.g. another server's address), checked like the file's own.
    """
    roles = logic_roles()
    try:
        model = load_beamline_model(path)
    except BlueprintError as error:
        # a shape problem stops the load; report the file's other problems
        # with it, as `blueprint validate` would
        found = validate_files([path], known_schemes=_schemes(), logic_roles=roles)
        raise BlueprintError(found or error.problems) from None
    if params:
        model = _with_params(model, params)
    # one library for checking and building: it keeps the trees the check
    # rendered, so each is rendered once
    library = beamline_library(model, blueprints)
    problems = check_beamline(
        model, library=library, known_schemes=_schemes(), logic_roles=roles
    )
    if problems:
        raise BlueprintError(problems)
    protocol = model.defaults.protocol
    logic_defaults: dict[str, Scalar] = {
        # absolute: a pvi: device binds its logic at connect, maybe after a chdir
        FILES_FROM: str(Path(model.origin.file).absolute().parent)
    }
    if model.defaults.data_dir is not None:
        logic_defaults["data_dir"] = model.defaults.data_dir
    devices: dict[str, Device] = {}
    mocked: set[str] = set()
    for name, entry in model.devices.items():
        if mock or entry.mock:
            mocked.add(name)
        uri = entry.pvi if entry.pvi is not None else entry.tango
        if entry.blueprint is None and uri is not None and not entry.logic:
            devices[name] = DiscoveredDevice(uri, protocol, name)
            continue
        blueprint, built_with = _built_from(name, entry, library)
        devices[name] = build_device(
            blueprint,
            entry.with_,
            library=built_with,
            protocol=protocol,
            name=name,
            mock=name in mocked,
            discover=discover_child,
            logic_defaults=logic_defaults,
        )
    return LoadedBeamline(model, devices, mocked)
