"""Which signals of a device are its settings, and in which order to write them.

A setting is a signal its blueprint says is one (``setting: true``), or one of
access ``rw`` read as ``config`` unless it says ``setting: false``; never a
signal bound to a role its logic moves with (`SettingsRules.never`). A
blueprint's ``settings:`` adds the ``rw`` signals its ``pvi:`` finds
(``discovered: rw``) or its patterns name (``include``), takes some out
(``exclude``) and writes some before all the others (``first``). Logic
orders its roles (`SettingsRules.order`); settings with no order between
them go in the same stage and are written in parallel.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, cast

from ophyd_blueprint.beamline import DiscoveredDevice
from ophyd_blueprint.beamline.discovered import discovered
from ophyd_blueprint.blueprint import (
    Blueprint,
    BlueprintError,
    BlueprintSettings,
    Problem,
    resolve_extends,
)
from ophyd_blueprint.blueprint import Signal as SignalModel
from ophyd_blueprint.builder import (
    BlueprintDevice,
    DiscoveredBlueprintDevice,
    found_through_pvi,
)
from ophyd_blueprint.core import DEFAULT_TIMEOUT, Device, Signal, SignalRW
from ophyd_blueprint.logic import Logic

__all__ = ["DeviceSettings", "SettingsOrderError", "device_settings"]


class SettingsOrderError(ValueError):
    """Logic classes of one device order its settings in a circle."""


@dataclass(frozen=True)
class DeviceSettings:
    """The settings of one device: signal path -> signal, and the write order."""

    name: str
    settings: Mapping[str, SignalRW[Any]]
    """Path in the device (``cam.acquire_time``) -> signal, in tree order."""
    stages: tuple[tuple[str, ...], ...]
    """Every path once: the paths of a stage are written after the stage
    before it has completed."""
    others: Mapping[str, str]
    """Every other signal's path -> why it is not a setting."""


async def device_settings(
    device: Device, timeout: float = DEFAULT_TIMEOUT
) -> DeviceSettings:
    """The settings of `device`, built from blueprints (connect ``pvi:`` and
    ``tango:`` devices first: what they have is known once they connect).

    BlueprintError (at the blueprint's line) for a signal marked as a setting
    that cannot be one; SettingsOrderError if its logic orders in a circle.
    """
    nodes = list(_nodes(device, (), None, False))
    logic = [item for node in nodes for item in _logic(node.device)]
    never = {
        id(signal): f"it is {type(item).__name__}'s {role!r}: writing it moves "
        "something, so it is never a setting"
        for item in logic
        for role in type(item).settings.never
        if (signal := item.bound.get(role)) is not None
    }
    settings: dict[str, SignalRW[Any]] = {}
    ruled: dict[str, _Rules] = {}
    """Setting path -> the ``settings:`` rules over it."""
    others: dict[str, str] = {}
    problems: list[Problem] = []
    for node in nodes:
        models = await _models(node, timeout)
        for name, child in node.device.children():
            if not isinstance(child, Signal):
                continue
            signal = cast(Signal[Any], child)
            full = ".".join((*node.path, name))
            model = models.get(name)
            rules = node.rules
            ruled_in = rules is not None and (
                node.discovers(name) or rules.included(full)
            )
            why = _why_not(model, never.get(id(signal)), ruled_in)
            if why is None and rules is not None and model and not model.setting:
                why = rules.excluded(full)
            if why is None:
                settings[full] = cast(SignalRW[Any], signal)
                if rules is not None:
                    ruled[full] = rules
            elif model is not None and model.setting and model.written_at is not None:
                problems.append(
                    model.written_at.problem(f"{device.name}.{full}: {why}", "setting")
                )
            else:
                others[full] = why
    if problems:
        raise BlueprintError(problems)
    paths = {id(signal): path for path, signal in settings.items()}
    after = _order(logic, paths)
    _first(ruled, after)
    return DeviceSettings(
        device.name, settings, _stages(device.name, list(settings), after), others
    )


@dataclass(frozen=True)
class _Rules:
    """A blueprint's ``settings:``, over the device at `at` and below it."""

    blueprint: str
    settings: BlueprintSettings
    at: tuple[str, ...]

    def _relative(self, full: str) -> str:
        return full.split(".", len(self.at))[-1] if self.at else full

    def _match(self, full: str, patterns: list[str]) -> str | None:
        """The first of `patterns` that `full` (relative to `at`) matches."""
        relative = self._relative(full)
        return next((p for p in patterns if fnmatchcase(relative, p)), None)

    def excluded(self, full: str) -> str | None:
        """Why `full` is not a setting by ``exclude``; None if it is not excluded."""
        pattern = self._match(full, self.settings.exclude)
        if pattern is None:
            return None
        return f"{self.blueprint}'s settings exclude it ({pattern!r})"

    def included(self, full: str) -> bool:
        return self._match(full, self.settings.include) is not None

    def first(self, full: str) -> bool:
        return self._match(full, self.settings.first) is not None


@dataclass(frozen=True)
class _Node:
    """A device of the tree, where it is, and the ``settings:`` over it."""

    path: tuple[str, ...]
    device: Device
    merged: Blueprint | None
    """For a device built from a blueprint, that blueprint, its bases merged."""
    rules: _Rules | None
    found: bool
    """Whether it was discovered (through a ``pvi:``), not declared."""
    declared: frozenset[str] | None
    """For a ``pvi:`` device, the names its blueprint declares."""

    def discovers(self, name: str) -> bool:
        """Whether its signal `name` was discovered, and the rules take in
        discovered ``rw`` signals."""
        assert self.rules is not None
        if self.rules.settings.discovered != "rw":
            return False
        return self.found or (self.declared is not None and name not in self.declared)


def _nodes(
    node: Device, path: tuple[str, ...], rules: _Rules | None, found: bool
) -> Iterator[_Node]:
    declared: frozenset[str] | None = None
    merged: Blueprint | None = None
    if isinstance(node, BlueprintDevice):
        merged = resolve_extends(*node.declared)
        if merged.settings is not None:
            rules = _Rules(merged.name, merged.settings, path)
        if isinstance(node, DiscoveredBlueprintDevice):
            declared = frozenset((*merged.signals, *merged.children))
    yield _Node(path, node, merged, rules, found, declared)
    for name, child in node.children():
        if not isinstance(child, Signal):
            below = found or (declared is not None and name not in declared)
            yield from _nodes(child, (*path, name), rules, below)


def _first(ruled: Mapping[str, _Rules], after: dict[str, set[str]]) -> None:
    """Each setting under ``settings:`` rules comes after all those the rules
    write ``first``."""
    first: dict[int, set[str]] = {}
    for path, rules in ruled.items():
        if rules.first(path):
            first.setdefault(id(rules), set()).add(path)
    for path, rules in ruled.items():
        before = first.get(id(rules), set())
        if before and path not in before:
            after.setdefault(path, set()).update(before)


def _logic(node: Device) -> Sequence[Logic]:
    return node.logic if isinstance(node, BlueprintDevice) else ()


async def _models(node: _Node, timeout: float) -> Mapping[str, SignalModel]:
    """The declared signals of a node: its blueprint's, with what its
    ``pvi:`` found; a discovered device's; none for a node that only holds
    others (a DeviceVector)."""
    device, merged = node.device, node.merged
    if merged is None:
        return await _found_models(device, timeout)
    if not isinstance(device, DiscoveredBlueprintDevice):
        return merged.signals
    structure = found_through_pvi(device)
    if structure is None:
        raise _not_connected(device.name, merged.pvi or "pvi:")
    found = await _found_models(structure, timeout)
    return {**found, **merged.signals}  # the declaration wins, as at connect


async def _found_models(device: Device, timeout: float) -> Mapping[str, SignalModel]:
    """The signals of a device not built from a blueprint: a discovered
    one's (once connected), none for one that only holds others."""
    if isinstance(device, DiscoveredDevice):
        if not any(True for _ in device.children()):
            raise _not_connected(device.name, device.source)
        return (await discovered(device.source, timeout)).root.signals
    if any(isinstance(child, Signal) for _, child in device.children()):
        raise TypeError(
            f"{device.name or type(device).__name__} is a {type(device).__name__}, "
            "not a device built from a blueprint: its settings are not known"
        )
    return {}


def _not_connected(name: str, source: str) -> ValueError:
    return ValueError(
        f"{name}: what a {source} device has is known once it connects; "
        "connect it first"
    )


def _why_not(
    model: SignalModel | None, moves: str | None, ruled_in: bool = False
) -> str | None:
    """Why a signal is not a setting; None if it is one. `ruled_in`: its
    blueprint's ``settings:`` take it in if it is ``rw`` (discovered, or
    named by ``include``)."""
    if model is None:
        return "it is not declared in a blueprint"
    if moves is not None:
        return moves
    if model.setting is False:
        return "its blueprint says setting: false"
    taken = model.access == "rw" and (model.read == "config" or ruled_in)
    if model.setting is None and not taken:
        return (
            f"it has access {model.access!r} and read {model.read!r} (a setting is "
            "rw, read as config, or marked setting: true)"
        )
    if model.access != "rw":
        return f"a setting is read and written (access rw), not {model.access!r}"
    return None


def _order(logic: Sequence[Logic], paths: Mapping[int, str]) -> dict[str, set[str]]:
    """Path -> the paths that must be written before it."""
    after: dict[str, set[str]] = {}
    for item in logic:
        for chain in type(item).settings.order:
            bound = [item.bound.get(role) for role in chain]
            ordered = [paths[id(s)] for s in bound if s is not None and id(s) in paths]
            for first, then in itertools.pairwise(ordered):
                after.setdefault(then, set()).add(first)
    return after


def _stages(
    device: str, paths: list[str], after: Mapping[str, set[str]]
) -> tuple[tuple[str, ...], ...]:
    """Layers of a topological order: each path in the first stage after all
    the paths it comes after."""
    stages: list[tuple[str, ...]] = []
    done: set[str] = set()
    left = list(paths)
    while left:
        ready = tuple(p for p in left if after.get(p, set()) <= done)
        if not ready:
            circle = ", ".join(f"{p} after {sorted(after[p])}" for p in left)
            raise SettingsOrderError(
                f"{device}: its logic orders these settings in a circle: {circle}"
            )
        stages.append(ready)
        done.update(ready)
        left = [p for p in left if p not in done]
    return tuple(stages)
