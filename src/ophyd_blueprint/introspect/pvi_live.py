"""Live PVI over PV Access -> a `FoundDevice` tree.

One get per PVI structure, each read as it arrives: the sub-devices it
links to are asked for at once, so a tree is read in as many round trips as
it is deep, and the structures that came are read while the rest are still
on their way. Signals are left without dtype (they take their PV's type when
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
    PvaOperation,
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
    """A structure read: as a device, and the numbered entries it holds."""

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
            read = await walker.read_tree(pv)
    except TimeoutError:
        raise IntrospectionError(
            f"pva://{pv}: the PVI tree was not read within {timeout} s "
            f"(no answer from: {', '.join(walker.waiting()) or pv})"
        ) from None
    finally:
        walker.close()
    node = _assemble(pv, read, ())
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


def _links(entries: PviEntries) -> list[str]:
    """The PVI PVs of the sub-devices `entries` link to."""
    return [
        *entries.devices.values(),
        *(pv for items in entries.vectors.values() for pv in items.values()),
        *entries.own_vector.values(),
    ]


class _Walker:
    def __init__(
        self, client: PvaClient, timeout: float, notes: list[str], typed: bool
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.notes = notes
        self.typed = typed
        self.pending: set[str] = set()
        """PVs asked for and not answered (said when the time runs out)."""
        self._ops: dict[str, PvaOperation] = {}
        self._arrived: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._typing: list[asyncio.Future[PviEntries]] = []

    def waiting(self) -> list[str]:
        return sorted(f"pva://{pv}" for pv in self.pending)

    def close(self) -> None:
        """Cancel what is still on its way (after an error or the timeout)."""
        for op in self._ops.values():
            op.close()
        self._ops.clear()
        for typing in self._typing:
            typing.cancel()

    def _ask(self, pv: str, read: Mapping[str, PviEntries]) -> None:
        if pv in read or pv in self._ops:
            return  # linked twice (or in a cycle, said when the tree is made)
        self.pending.add(pv)
        self._ops[pv] = self.client.start_get(
            pv, _STRUCTURE, lambda result: self._arrived.put_nowait((pv, result))
        )

    async def read_tree(self, root: str) -> dict[str, PviEntries]:
        """Every structure under PVI PV `root`, by PV, as its replies come."""
        read: dict[str, PviEntries] = {}
        self._ask(root, read)
        while self._ops:
            pv, result = await self._arrived.get()
            self._ops.pop(pv).close()
            self.pending.discard(pv)
            if isinstance(result, Exception):
                raise IntrospectionError(f"pva://{pv}: {result}")
            # as (name, value) pairs: p4p's tolist() costs less than its todict()
            raw = dict(cast(list[tuple[str, Any]], cast(Any, result).tolist()))
            entries = read[pv] = parse_pvi(f"pva://{pv}", raw)
            for link in _links(entries):
                self._ask(link, read)
            if self.typed:
                self._typing.append(
                    asyncio.ensure_future(self._typed(f"pva://{pv}", entries))
                )
        if self._typing:
            typed = await asyncio.gather(*self._typing)
            read = dict(zip(read, typed, strict=True))
        return read

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


def _assemble(pv: str, read: Mapping[str, PviEntries], path: tuple[str, ...]) -> _Node:
    """The node of structure `pv`, its sub-devices made from `read`."""
    if pv in path:
        chain = " -> ".join((*path[path.index(pv) :], pv))
        raise IntrospectionError(f"pva://{path[0]}: a cycle of d links: {chain}")
    entries = read[pv]
    path = (*path, pv)
    signals = dict(entries.signals)  # numbered sub-devices may add theirs
    children: dict[str, FoundDevice] = {}
    vectors: dict[str, dict[int, FoundDevice]] = {}
    for name, link in entries.devices.items():
        _place(pv, name, _assemble(link, read, path), signals, children, vectors)
    for name, items in entries.vectors.items():
        for index, link in items.items():
            sub = _assemble(link, read, path)
            _check_plain(pv, f"{name}__{index}", sub)
            vectors.setdefault(name, {})[index] = sub.device
    numbered: dict[int, FoundDevice] = {}
    for index, link in entries.own_vector.items():
        sub = _assemble(link, read, path)
        _check_plain(pv, f"__{index}", sub)
        numbered[index] = sub.device
    return _Node(
        FoundDevice(
            where=f"pva://{pv}", signals=signals, children=children, vectors=vectors
        ),
        numbered_devices=numbered,
        numbered_signals=entries.own_signals,
    )


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
