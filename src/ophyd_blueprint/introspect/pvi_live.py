"""Live PVI over PV Access -> a `FoundDevice` tree.

One get per PVI structure; the sub-devices a structure links to are fetched
together. Signals are left without dtype (they take their PV's type when
they connect), unless typing is asked for: then each structure's signal PVs
are fetched together too, while the rest of the tree is still being fetched.
Everything is bounded by one timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from ophyd_blueprint.transports.pva.client import (
    PvaClient,
    PvaError,
    PvaStructure,
    make_request,
)

from .errors import IntrospectionError
from .pva_types import PvaType, pva_type
from .pvi_structure import PviEntries, parse_pvi, pvi_name
from .tree import FoundDevice, FoundSignal

__all__ = ["read_pvi", "type_signals"]

_STRUCTURE = make_request("field()")
_TYPE = make_request("field(value,display.units)")


@dataclass
class _Node:
    """A fetched structure: as a device, and the numbered entries it holds."""

    device: FoundDevice
    numbered_devices: dict[int, FoundDevice] = field(
        default_factory=dict[int, FoundDevice]
    )
    numbered_signals: dict[int, FoundSignal] = field(
        default_factory=dict[int, FoundSignal]
    )


async def read_pvi(
    root: str,
    client: PvaClient,
    timeout: float,
    notes: list[str],
    *,
    typed: bool = False,
) -> FoundDevice:
    """The device tree under PVI PV `root` (``pva://X:PVI`` or ``X:PVI``).

    With `typed`, every signal's PV is fetched for its dtype, and signals
    whose PV no signal type can carry are left out, with a line in `notes`;
    without, signals have no dtype (typed at connect). IntrospectionError
    names the PV and what was expected.
    """
    walker = _Walker(client, timeout, notes, typed)
    pv = pvi_name(root)
    try:
        async with asyncio.timeout(timeout):
            node = await walker.fetch(pv, ())
    except TimeoutError:
        raise IntrospectionError(
            f"pva://{pv}: the PVI tree was not read within {timeout} s "
            f"(no answer from: {', '.join(walker.waiting()) or pv})"
        ) from None
    if node.numbered_devices or node.numbered_signals:
        raise IntrospectionError(
            f"pva://{pv}: the root is a vector (its entries are __N); "
            "introspect one of its items instead"
        )
    return node.device


async def type_signals(
    where: str,
    signals: Mapping[str, FoundSignal],
    client: PvaClient,
    timeout: float,
    notes: list[str],
) -> dict[str, FoundSignal]:
    """`signals` typed by their PVs (all fetched at once); untypable ones dropped."""
    walker = _Walker(client, timeout, notes, typed=True)
    names = [n for n, s in signals.items() if s.access != "x"]
    typed = await walker.typed_all(where, [signals[n] for n in names])
    found = dict(zip(names, typed, strict=True))
    return {
        n: s
        for n, original in signals.items()
        if (s := found.get(n, original)) is not None
    }


class _Walker:
    def __init__(
        self, client: PvaClient, timeout: float, notes: list[str], typed: bool
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.notes = notes
        self.typed = typed
        self.pending: set[str] = set()

    def waiting(self) -> list[str]:
        return sorted(f"pva://{pv}" for pv in self.pending)

    async def get(self, pv: str, request: object) -> PvaStructure:
        self.pending.add(pv)
        try:
            return cast(PvaStructure, await self.client.get(pv, request, self.timeout))
        except PvaError as error:
            raise IntrospectionError(f"pva://{pv}: {error}") from None
        finally:
            self.pending.discard(pv)

    async def fetch(self, pv: str, path: tuple[str, ...]) -> _Node:
        if pv in path:
            chain = " -> ".join((*path[path.index(pv) :], pv))
            raise IntrospectionError(f"pva://{path[0]}: a cycle of d links: {chain}")
        structure = await self.get(pv, _STRUCTURE)
        # as (name, value) pairs: p4p's tolist() costs less than its todict()
        raw = dict(cast(list[tuple[str, Any]], cast(Any, structure).tolist()))
        entries = parse_pvi(f"pva://{pv}", raw)
        return await self._expand(pv, (*path, pv), entries)

    async def _expand(
        self, pv: str, path: tuple[str, ...], entries: PviEntries
    ) -> _Node:
        async def device(sub: str) -> _Node:
            return await self.fetch(sub, path)

        names = list(entries.devices)
        vector_keys = [(n, i) for n, items in entries.vectors.items() for i in items]
        own = list(entries.own_vector)
        links = [
            *(entries.devices[n] for n in names),
            *(entries.vectors[n][i] for n, i in vector_keys),
            *(entries.own_vector[i] for i in own),
        ]
        # a leaf device (most of a tree) needs no task, no gather, no wait
        found: list[_Node] = []
        typed = entries
        if self.typed:
            found, typed = await asyncio.gather(
                asyncio.gather(*(device(link) for link in links)),
                self._typed(f"pva://{pv}", entries),
            )
        elif links:
            found = await asyncio.gather(*(device(link) for link in links))
        subs = found[: len(names)]
        vector_items = found[len(names) : len(names) + len(vector_keys)]
        own_items = found[len(names) + len(vector_keys) :]
        signals = typed.signals
        children: dict[str, FoundDevice] = {}
        vectors: dict[str, dict[int, FoundDevice]] = {}
        for name, sub in zip(names, subs, strict=True):
            _place(pv, name, sub, signals, children, vectors)
        for (name, index), sub in zip(vector_keys, vector_items, strict=True):
            _check_plain(pv, f"{name}__{index}", sub)
            vectors.setdefault(name, {})[index] = sub.device
        for index, sub in zip(own, own_items, strict=True):
            _check_plain(pv, f"__{index}", sub)
        return _Node(
            FoundDevice(
                where=f"pva://{pv}",
                signals=signals,
                children=children,
                vectors=vectors,
            ),
            numbered_devices={
                i: sub.device for i, sub in zip(own, own_items, strict=True)
            },
            numbered_signals=typed.own_signals,
        )

    async def _typed(self, uri: str, entries: PviEntries) -> PviEntries:
        """`entries` with their signals typed by their PVs, those no signal
        can carry left out."""
        names = [n for n, s in entries.signals.items() if s.access != "x"]
        keys = [i for i, s in entries.own_signals.items() if s.access != "x"]
        found = await self.typed_all(
            uri,
            [entries.signals[n] for n in names]
            + [entries.own_signals[i] for i in keys],
        )
        by_name = dict(zip(names, found[: len(names)], strict=True))
        by_index = dict(zip(keys, found[len(names) :], strict=True))
        return replace(
            entries,
            signals={
                n: typed
                for n, s in entries.signals.items()
                if (typed := by_name.get(n, s)) is not None
            },
            own_signals={
                i: typed
                for i, s in entries.own_signals.items()
                if (typed := by_index.get(i, s)) is not None
            },
        )

    async def typed_all(
        self, where: str, signals: list[FoundSignal]
    ) -> list[FoundSignal | None]:
        """Each signal typed by its PV, all PVs fetched in one batch; as found
        (typed at connect) if the walker does not type."""
        if not self.typed:
            return list(signals)
        pvs = [_pv_of(s.read_source or s.source) for s in signals]
        self.pending.update(pvs)
        structures = await self.client.get_many(pvs, _TYPE, self.timeout)
        self.pending.difference_update(pvs)
        typed: list[FoundSignal | None] = []
        for pv, signal, structure in zip(pvs, signals, structures, strict=True):
            if isinstance(structure, TimeoutError):
                raise IntrospectionError(
                    f"{where}: no answer within {self.timeout} s from pva://{pv}"
                )
            if isinstance(structure, Exception):
                raise IntrospectionError(f"pva://{pv}: {structure}")
            found = pva_type(cast(PvaStructure, structure))
            if isinstance(found, str):
                self.notes.append(f"{where}: left out pva://{pv}, which is {found}")
                typed.append(None)
            else:
                typed.append(_with_type(signal, found))
        return typed


def _place(
    pv: str,
    name: str,
    sub: _Node,
    signals: dict[str, FoundSignal],
    children: dict[str, FoundDevice],
    vectors: dict[str, dict[int, FoundDevice]],
) -> None:
    """Put sub-device `name` where it belongs: a child, a vector, or signals."""
    numbered = bool(sub.numbered_devices or sub.numbered_signals)
    named = bool(sub.device.signals or sub.device.children or sub.device.vectors)
    if not numbered:
        children[name] = sub.device
    elif named or (sub.numbered_devices and sub.numbered_signals):
        raise IntrospectionError(
            f"pva://{pv}: sub-device {name!r} ({sub.device.where}) mixes "
            "numbered (__N) entries with named ones or devices with signals; "
            "expected either only __N devices (a vector), only __N signals, "
            "or only named entries"
        )
    elif sub.numbered_devices:
        vectors[name] = sub.numbered_devices
    else:
        for index, signal in sub.numbered_signals.items():
            signals[f"{name}_{index}"] = signal


def _check_plain(pv: str, entry: str, sub: _Node) -> None:
    if sub.numbered_devices or sub.numbered_signals:
        raise IntrospectionError(
            f"pva://{pv}: vector item {entry!r} ({sub.device.where}) is itself "
            "a vector; expected a device with named entries"
        )


def _pv_of(source: str) -> str:
    scheme, sep, rest = source.partition("://")
    return rest if sep and scheme in ("ca", "pva") else source


def _with_type(signal: FoundSignal, found: PvaType) -> FoundSignal:
    return replace(
        signal,
        dtype=found.dtype,
        choices=found.choices,
        units=found.units,
        columns=found.columns,
    )
