"""One PVI structure (as plain data) -> its signals and the links to sub-devices.

Pure: no I/O, so every shape is tested without a server. A PVI structure has
a ``value`` field (NTPVI) or, in the legacy form, a ``pvi`` field, mapping
each entry name to links: ``r``/``w``/``rw`` (signal PVs), ``x`` (a PV put to
trigger) or ``d`` (the PVI PV of a sub-device). Vectors are written as
entries ``__N`` (the device holding them is a vector), ``name__N``, or a list
whose index is the vector index (``[None, {d: ...}, {d: ...}]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from ophyd_blueprint.blueprint.vocabulary import Access

from .errors import IntrospectionError
from .tree import FoundSignal, snake_case

__all__ = ["PviEntries", "parse_pvi", "pvi_name"]

_INDEXED = re.compile(r"^(.*?)__(\d+)$")
_READ_WRITE = frozenset({"r", "w"})
_SIGNAL_LINKS: dict[str, Access] = {"r": "r", "w": "w", "rw": "rw", "x": "x"}
_ONE_LINK: dict[frozenset[str], Access] = {
    frozenset({"r"}): "r",
    frozenset({"w"}): "w",
    frozenset({"rw"}): "rw",
    frozenset({"x"}): "x",
}


@dataclass
class PviEntries:
    """What one PVI structure says, names already snake_case."""

    signals: dict[str, FoundSignal] = field(default_factory=dict[str, FoundSignal])
    devices: dict[str, str] = field(default_factory=dict[str, str])
    """Entry name -> PVI PV of a sub-device."""
    vectors: dict[str, dict[int, str]] = field(
        default_factory=dict[str, dict[int, str]]
    )
    """Entry name -> index -> PVI PV of each numbered sub-device."""
    own_vector: dict[int, str] = field(default_factory=dict[int, str])
    """``__N`` device entries: this structure is itself a vector of devices."""
    own_signals: dict[int, FoundSignal] = field(default_factory=dict[int, FoundSignal])
    """``__N`` signal entries: this structure is itself a vector of signals."""


def pvi_name(link: str) -> str:
    """The PV name of a ``d`` link: ``pva://X:PVI`` and ``X:PVI`` give ``X:PVI``."""
    scheme, sep, rest = link.partition("://")
    return rest if sep and scheme == "pva" else link


def parse_pvi(uri: str, structure: Mapping[str, Any]) -> PviEntries:
    """The entries of the PVI structure read from `uri`.

    Sub-structures are mappings (p4p's ``todict()``) or lists of (name, value)
    pairs (its ``tolist()``, which costs less); the two forms may mix.
    IntrospectionError (naming `uri`) if it is not a PVI structure or an entry
    has links that make no signal or device.
    """
    table: Any = structure.get("value", structure.get("pvi"))
    pairs = cast(list[Any], table) if type(table) is list else None
    if pairs is not None and (not pairs or type(pairs[0]) is tuple):
        return _parse_pairs(uri, cast(list[tuple[Any, Any]], pairs))
    if not isinstance(table, Mapping):
        fields = ", ".join(structure) or "none"
        raise IntrospectionError(
            f"{uri} is not a PVI structure: expected a 'value' (NTPVI) or a "
            f"'pvi' field mapping entry names to r/w/rw/x/d links; its fields "
            f"are: {fields}"
        )
    entries = PviEntries()
    signals = entries.signals
    for raw_name, links in cast(Mapping[str, Any], table).items():
        # most entries are one link to one signal PV: settled without _add
        one = _one_link(links) if "__" not in raw_name else None
        if one is not None:
            access = _SIGNAL_LINKS.get(one[0])
            link = one[1]
            if access is not None and type(link) is str and link:
                signals[snake_case(raw_name)] = FoundSignal.link(access, link)
                continue
        _add(uri, entries, str(raw_name), links)
    return entries


def _parse_pairs(uri: str, pairs: list[tuple[str, Any]]) -> PviEntries:
    """`parse_pvi` of a table read as (name, links) pairs (p4p's ``tolist()``).

    The common entry, one link to one signal PV (``[("rw", "PV")]``), is
    settled in the loop itself: a PVI tree has thousands, and every call per
    entry shows in the time of discovery (a `cast` too: it is a call).
    """
    entries = PviEntries()
    signals = entries.signals
    kinds = _SIGNAL_LINKS
    link = FoundSignal.link
    links: Any
    for raw_name, links in pairs:
        if links.__class__ is list and len(links) == 1 and "__" not in raw_name:
            one: Any = links[0]
            if one.__class__ is tuple:
                access = kinds.get(one[0])
                pv = one[1]
                if access is not None and pv.__class__ is str and pv:
                    signals[snake_case(raw_name)] = link(access, pv)
                    continue
        _add(uri, entries, str(raw_name), links)
    return entries


def _mapping(value: Any) -> Any:
    """`value`, a structure written as (name, value) pairs made a dict.

    A list of pairs is told from the list form of a vector (whose items are
    structures or None) by its first item being a pair.
    """
    if type(value) is not list:
        return value
    items = cast(list[Any], value)
    if items and type(items[0]) is tuple:
        return dict(cast(list[tuple[str, Any]], items))
    return items


def _one_link(links: Any) -> tuple[Any, Any] | None:
    """(kind, PV) of an entry of exactly one link, in either form; else None."""
    if type(links) is list:
        pairs = cast(list[Any], links)
        if len(pairs) == 1 and type(pairs[0]) is tuple:
            return cast(tuple[Any, Any], pairs[0])
    elif type(links) is dict:
        plain = cast(dict[Any, Any], links)
        if len(plain) == 1:
            return next(iter(plain.items()))
    return None


def _add(uri: str, entries: PviEntries, raw_name: str, links: Any) -> None:
    links = _mapping(links)
    if isinstance(links, list):
        for index, item in enumerate(cast(list[Any], links)):
            if item is not None:
                _add(uri, entries, f"{raw_name}__{index}", item)
        return
    match = _INDEXED.match(raw_name) if "__" in raw_name else None
    base, index = (match[1], int(match[2])) if match else (raw_name, None)
    if type(links) is not dict and not isinstance(links, Mapping):
        raise _bad(uri, raw_name, links)
    found = {str(k): v for k, v in cast(Mapping[Any, Any], links).items() if v}
    if found.keys() == {"d"}:
        device = pvi_name(str(found["d"]))
        if index is None:
            entries.devices[snake_case(base)] = device
        elif not base:
            entries.own_vector[index] = device
        else:
            entries.vectors.setdefault(snake_case(base), {})[index] = device
        return
    signal = _signal(uri, raw_name, found)
    if index is None:
        entries.signals[snake_case(base)] = signal
    elif not base:
        entries.own_signals[index] = signal
    else:
        entries.signals[f"{snake_case(base)}_{index}"] = signal


def _signal(uri: str, raw_name: str, links: Mapping[str, Any]) -> FoundSignal:
    keys = frozenset(links)
    if keys == _READ_WRITE:
        read, write = str(links["r"]), str(links["w"])
        if read == write:
            return FoundSignal("rw", write)
        return FoundSignal("rw", write, read_source=read)
    access = _ONE_LINK.get(keys)
    if access is not None:
        return FoundSignal(access, str(links[access]))
    raise _bad(uri, raw_name, dict(links))


def _bad(uri: str, name: str, links: Any) -> IntrospectionError:
    return IntrospectionError(
        f"{uri}: entry {name!r} has links {links!r}; expected one of "
        "{r}, {w}, {rw}, {r, w}, {x} or {d} (a sub-device's PVI PV)"
    )
