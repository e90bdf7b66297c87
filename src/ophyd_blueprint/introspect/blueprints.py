"""A found device tree -> `Blueprint` models: one per distinct kind of device.

Each blueprint gets a ``prefix`` param, the part every source of the device
(and of its sub-devices) starts with, cut at a ``:``, ``/`` or ``.``;
sources are written ``{{prefix}}REST`` and a child's prefix relative to its
parent's. So sub-devices of the same shape (the items of a vector, two blocks
of one kind) share one blueprint, and a vector becomes a child with
``vector: {N: {prefix: ...}}``; items of different shapes become children
``name_N``. Blueprints are named after the root (``Panda``) and the path to
them (``PandaSeq``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from ophyd_blueprint.blueprint import Blueprint

from .tree import FoundDevice, FoundSignal

__all__ = ["Introspected", "blueprint_name", "to_blueprints"]

_SEPARATORS = ":/."
_PREFIX_DOC = "what every source of this device starts with"


@dataclass(frozen=True)
class Introspected:
    """The blueprints found for one source; `root` is the device itself."""

    source: str
    """What was introspected: a URI or a file."""
    root: Blueprint
    blueprints: Mapping[str, Blueprint]
    """Every blueprint by name, the root's included: the library to build with."""
    notes: tuple[str, ...] = ()
    """What was left out, and why."""


def blueprint_name(text: str) -> str:
    """A PascalCase blueprint name from words: ``test/motor/1`` -> ``TestMotor1``."""
    words = re.split(r"[^A-Za-z0-9]+", re.sub(r"\$[({]\w+[)}]", "", text))
    name = "".join(w[:1].upper() + w[1:] for w in words if w)
    return name if name[:1].isalpha() else f"Device{name}"


def to_blueprints(
    device: FoundDevice,
    name: str,
    notes: tuple[str, ...] = (),
    protocol: str | None = None,
) -> Introspected:
    """The blueprints of `device`, the root called `name`.

    A source without a scheme is a PV of `protocol`, written on it
    (``pva://{{prefix}}GAIN``), or left bare (the protocol of the beamline
    that loads it) if `protocol` is None.
    """
    maker = _Maker(f"{protocol}://" if protocol else "")
    root_name, _ = maker.blueprint(device, name)
    return Introspected(device.where, maker.made[root_name], dict(maker.made), notes)


def _body(source: str) -> str:
    return source.partition("://")[2] if "://" in source else source


def _common_start(texts: list[str]) -> str:
    low, high = min(texts), max(texts)
    size = 0
    while size < len(low) and low[size] == high[size]:
        size += 1
    return low[:size]


def _prefix(common: str | None) -> str:
    """The prefix param of a device whose sources all start with `common`."""
    if not common:
        return ""
    cut = max(common.rfind(c) for c in _SEPARATORS) + 1
    prefix = common[:cut]
    return "" if "{{" in prefix else prefix


def _templated(source: str | None, prefix: str) -> str | None:
    if source is None or not prefix:
        return source
    if "://" not in source:
        return "{{prefix}}" + source[len(prefix) :]
    scheme, sep, body = source.rpartition("://")
    head = f"{scheme}{sep}"
    return f"{head}{{{{prefix}}}}{body[len(prefix) :]}"


def _headed(source: str | None, head: str) -> str | None:
    """`source` with scheme `head` if it has none (and `head` is not empty)."""
    if source is None or not head or "://" in source:
        return source
    return head + source


def _relative(prefix: str, parent: str) -> str:
    if parent and prefix.startswith(parent):
        return "{{prefix}}" + prefix[len(parent) :]
    return prefix


def _signal(found: FoundSignal, prefix: str, head: str) -> dict[str, Any]:
    """A signal entry, a bare source given scheme `head` (when not empty)."""
    data: dict[str, Any] = {
        "source": _headed(_templated(found.source, prefix), head),
        "access": found.access,
    }
    # one test per field: a live PVI signal has only the two above
    if found.read_source is not None:
        data["read_source"] = _headed(_templated(found.read_source, prefix), head)
    if found.dtype is not None:
        data["dtype"] = found.dtype
    if found.choices is not None:
        data["choices"] = list(found.choices)
    if found.units is not None:
        data["units"] = found.units
    if found.columns is not None:
        data["columns"] = dict(found.columns)
    if found.trigger_value is not None:
        data["trigger_value"] = found.trigger_value
    if found.doc is not None:
        data["doc"] = found.doc
    return data


class _Maker:
    """Makes blueprints bottom-up, one per distinct shape."""

    def __init__(self, head: str) -> None:
        self.head = head
        """The scheme written on bare sources (``pva://``), or nothing."""
        self.made: dict[str, Blueprint] = {}
        self._by_shape: dict[tuple[object, ...], str] = {}
        """Shape -> the name of the blueprint made for it."""
        self._commons: dict[int, tuple[FoundDevice, str | None]] = {}
        """id -> (device, the common start of its sources); the device is
        held so that its id is not reused while the maker runs."""

    def common(self, device: FoundDevice) -> str | None:
        """What every source under `device` starts with (without a scheme);
        None if it has no sources. Each sub-device's is worked out once, and
        a parent's from its children's, so the tree is walked once."""
        known = self._commons.get(id(device))
        if known is not None:
            return known[1]
        signals = device.signals.values()
        texts = [signal.source for signal in signals]
        texts += [read for signal in signals if (read := signal.read_source)]
        if "://" in "".join(texts):
            texts = [_body(text) for text in texts]
        subs = [*device.children.values()]
        subs.extend(
            item for items in device.vectors.values() for item in items.values()
        )
        texts.extend(c for sub in subs if (c := self.common(sub)) is not None)
        common = _common_start(texts) if texts else None
        self._commons[id(device)] = (device, common)
        return common

    def blueprint(self, device: FoundDevice, name: str) -> tuple[str, str]:
        """(blueprint name, prefix) of `device`; `name` if its shape is new."""
        prefix = _prefix(self.common(device))
        children: dict[str, dict[str, Any]] = {}
        for child_name, child in device.children.items():
            made, child_prefix = self.blueprint(
                child, name + blueprint_name(child_name)
            )
            children[child_name] = {
                "blueprint": made,
                **self._with(child_prefix, prefix, made),
            }
        for vector_name, items in device.vectors.items():
            children.update(self._vector(vector_name, items, name, prefix))
        for child_name, uri in device.linked.items():
            children[child_name] = {"pvi": uri}
        shape = (
            _signals_shape(device.signals, prefix),
            repr(children),
            device.params,
            bool(prefix),
        )
        known = self._by_shape.get(shape)
        if known is not None:
            return known, prefix
        params: dict[str, Any] = {
            param: {"type": "str", "doc": "macro of the PVI device file"}
            for param in device.params
        }
        if prefix:
            params["prefix"] = {"type": "str", "default": prefix, "doc": _PREFIX_DOC}
        data: dict[str, Any] = {
            "blueprint": name,
            "signals": {
                n: _signal(s, prefix, self.head) for n, s in device.signals.items()
            },
        }
        if device.doc:
            data["doc"] = device.doc
        if params:
            data["params"] = params
        if children:
            data["children"] = children
        made = self._register(data, device.where)
        self._by_shape[shape] = made
        return made, prefix

    def _with(self, prefix: str, parent: str, made: str) -> dict[str, Any]:
        if "prefix" not in self.made[made].params:
            return {}
        return {"with": {"prefix": _relative(prefix, parent)}}

    def _vector(
        self, name: str, items: Mapping[int, FoundDevice], parent: str, prefix: str
    ) -> dict[str, dict[str, Any]]:
        base = parent + blueprint_name(name)
        items = _units_agreed(items)
        made = {i: self.blueprint(item, base) for i, item in items.items()}
        kinds = {bp for bp, _ in made.values()}
        if len(kinds) == 1:
            (kind,) = kinds
            per_index = {
                i: self._with(p, prefix, bp).get("with", {})
                for i, (bp, p) in made.items()
            }
            return {name: {"blueprint": kind, "vector": per_index}}
        return {
            f"{name}_{i}": {"blueprint": bp, **self._with(p, prefix, bp)}
            for i, (bp, p) in made.items()
        }

    def _register(self, data: dict[str, Any], where: str) -> str:
        """Validate a blueprint of a new shape under a name not yet taken."""
        name = data["blueprint"]
        unique, number = name, 2
        while unique in self.made:
            unique, number = f"{name}{number}", number + 1
        data["blueprint"] = unique
        data.setdefault("doc", f"Introspected from {where}.")
        self.made[unique] = Blueprint.model_validate(data)
        return unique


def _units_agreed(items: Mapping[int, FoundDevice]) -> dict[int, FoundDevice]:
    """The items of a vector without the units they disagree on.

    Units are what a record shows now (pandablocks-ioc's time fields show
    their UNITS setting), not part of a device's shape: ``SEQ1:PRESCALE`` in
    us and ``SEQ2:PRESCALE`` in s are still items of one vector.
    """
    names = {n for item in items.values() for n in item.signals}
    differ = {
        n
        for n in names
        if len({item.signals[n].units for item in items.values() if n in item.signals})
        > 1
    }
    if not differ:
        return dict(items)
    return {
        index: replace(
            item,
            signals={
                n: replace(s, units=None) if n in differ else s
                for n, s in item.signals.items()
            },
        )
        for index, item in items.items()
    }


def _signals_shape(
    signals: Mapping[str, FoundSignal], prefix: str
) -> tuple[object, ...]:
    """What a blueprint holds of `signals`, sources relative to `prefix`.

    Two devices share a blueprint when these are equal (and their children
    and params are). A signal made from a plain PVI link holds only its
    access and source (`FoundSignal.link`), so only the others' remaining
    fields are read: a PVI tree has thousands of plain links. Trigger
    values are kept with their types, which ``==`` does not see (``1 == True``).
    """
    cut = len(prefix)
    found = list(signals.values())
    sources = [signal.source for signal in found]
    if "://" in "".join(sources):
        rests = [_templated(source, prefix) for source in sources]
    else:
        rests = [source[cut:] for source in sources]
    more = [
        (
            index,
            _templated(signal.read_source, prefix),
            signal.dtype,
            signal.choices,
            signal.units,
            None if signal.columns is None else tuple(signal.columns.items()),
            signal.trigger_value,
            type(cast(object, signal.trigger_value)),
            signal.doc,
        )
        for index, signal in enumerate(found)
        if len(signal.__dict__) != 2
    ]
    return (
        tuple(signals),
        tuple([signal.access for signal in found]),
        tuple(rests),
        tuple(more),
    )
