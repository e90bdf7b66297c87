"""`StandardReadable`: a device whose children are read by category."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from .device import Device
from .signal import SignalR
from .status import AsyncStatus

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["ReadCategory", "StandardReadable"]


class ReadCategory(StrEnum):
    """Where a child shows up in bluesky's verbs.

    hinted: read() and hints (plotted); normal: read(); config:
    read_configuration(); omitted: none of them.
    """

    HINTED = "hinted"
    NORMAL = "normal"
    CONFIG = "config"
    OMITTED = "omitted"


@runtime_checkable
class _ReadableChild(Protocol):
    async def read(self) -> dict[str, Reading[Any]]: ...
    async def describe(self) -> dict[str, DataKey]: ...


@runtime_checkable
class _ConfigurableChild(Protocol):
    async def read_configuration(self) -> dict[str, Reading[Any]]: ...
    async def describe_configuration(self) -> dict[str, DataKey]: ...


@dataclass(slots=True)
class _Parts:
    read: list[Device] = field(default_factory=list[Device])
    config: list[Device] = field(default_factory=list[Device])
    hinted: list[Device] = field(default_factory=list[Device])


class StandardReadable(Device):
    """A device that composes its children into read, describe and hints.

    Children join with `add_readables` (or inside `add_children_as_readables`);
    signals read from their monitor cache when one is live, the rest
    concurrently.
    """

    @property
    def _parts(self) -> _Parts:
        # Created on first use: subclasses add children before __init__ runs.
        parts: _Parts | None = self.__dict__.get("_parts_")
        if parts is None:
            parts = self.__dict__["_parts_"] = _Parts()
        return parts

    def add_readables(
        self,
        devices: Sequence[Device],
        category: ReadCategory | str = ReadCategory.NORMAL,
    ) -> None:
        """Put `devices` (signals or readable devices) in `category`."""
        category = ReadCategory(category)
        if category is ReadCategory.OMITTED:
            return
        if category is ReadCategory.CONFIG:
            self._parts.config.extend(devices)
            return
        self._parts.read.extend(devices)
        if category is ReadCategory.HINTED:
            self._parts.hinted.extend(devices)

    @contextmanager
    def add_children_as_readables(
        self, category: ReadCategory | str = ReadCategory.NORMAL
    ) -> Generator[None, None, None]:
        """Children set inside the ``with`` block join `category`."""
        before = {id(child) for _, child in self.children()}
        yield
        self.add_readables(
            [c for _, c in self.children() if id(c) not in before], category
        )

    async def read(self) -> dict[str, Reading[Any]]:
        return await _read_all(self._parts.read)

    async def describe(self) -> dict[str, DataKey]:
        return await _describe_all(self._parts.read)

    async def read_configuration(self) -> dict[str, Reading[Any]]:
        return await _read_all(self._parts.config, config=True)

    async def describe_configuration(self) -> dict[str, DataKey]:
        return await _describe_all(self._parts.config, config=True)

    @property
    def hints(self) -> Hints:
        fields: list[str] = []
        for device in self._parts.hinted:
            if isinstance(device, SignalR):
                fields.append(device.name)
            else:
                child_hints = cast("Hints", getattr(device, "hints", {}))
                fields.extend(child_hints.get("fields", []))
        return {"fields": fields}

    def stage(self) -> AsyncStatus:
        """Keep monitors on every read signal, so reads in a scan are cached."""
        return AsyncStatus(self._stage_all(True), name=self.name)

    def unstage(self) -> AsyncStatus:
        return AsyncStatus(self._stage_all(False), name=self.name)

    async def _stage_all(self, on: bool) -> None:
        statuses: list[AsyncStatus] = []
        for device in (*self._parts.read, *self._parts.config):
            stage = getattr(device, "stage" if on else "unstage", None)
            if stage is not None:
                statuses.append(cast(AsyncStatus, stage()))
        for status in statuses:
            await status


async def _read_all(
    devices: Sequence[Device], config: bool = False
) -> dict[str, Reading[Any]]:
    """Readings of `devices`: a signal's own, a child device's read() (or, for
    `config`, its read_configuration())."""
    result: dict[str, Reading[Any]] = {}
    pending: list[Awaitable[dict[str, Reading[Any]]]] = []
    for device in devices:
        if isinstance(device, SignalR):
            signal = cast(SignalR[Any], device)
            reading = signal.backend.cached_reading()
            if reading is not None:
                result[signal.name] = reading
                continue
            pending.append(signal.read())
        elif config:
            if isinstance(device, _ConfigurableChild):
                pending.append(device.read_configuration())
        elif isinstance(device, _ReadableChild):
            pending.append(device.read())
    if len(pending) == 1:
        result.update(await pending[0])
    elif pending:
        for part in await asyncio.gather(*pending):
            result.update(part)
    return result


async def _describe_all(
    devices: Sequence[Device], config: bool = False
) -> dict[str, DataKey]:
    """DataKeys of `devices`, matching `_read_all` (same `config` rule)."""
    pending: list[Awaitable[dict[str, DataKey]]] = []
    for device in devices:
        if isinstance(device, SignalR):
            pending.append(cast(SignalR[Any], device).describe())
        elif config:
            if isinstance(device, _ConfigurableChild):
                pending.append(device.describe_configuration())
        elif isinstance(device, _ReadableChild):
            pending.append(device.describe())
    result: dict[str, DataKey] = {}
    for part in await asyncio.gather(*pending):
        result.update(part)
    return result
