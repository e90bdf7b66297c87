"""Devices found live: a ``pvi:`` or ``tango:`` entry becomes a device at connect.

`DiscoveredDevice` is built empty; its first connect introspects the source
(once per URI for the whole session: `discovered` caches the blueprints),
builds the device those blueprints describe, adopts its signals and
sub-devices as its own, and connects them. A dead source is a failed
connect, reported like any other.
"""

from __future__ import annotations

import asyncio

from ophyd_blueprint.blueprint import Child
from ophyd_blueprint.builder import build_device
from ophyd_blueprint.core import (
    DEFAULT_TIMEOUT,
    Device,
    NoAnswerError,
    NotConnectedError,
    ReadCategory,
    StandardReadable,
)
from ophyd_blueprint.introspect import (
    PVI_FILE_SUFFIX,
    Introspected,
    IntrospectionError,
    introspect,
)

__all__ = ["DiscoveredDevice", "discover_child", "discovered", "forget_discovered"]

_found: dict[tuple[str, bool], Introspected] = {}
_running: dict[tuple[str, bool], asyncio.Task[Introspected]] = {}


async def discovered(uri: str, timeout: float, typed: bool = False) -> Introspected:
    """The blueprints of `uri`, introspected on first use and kept for the session.

    Live PVI signals have no dtype (they take their PV's type at connect);
    `typed` fetches their types now, for mock devices, which never connect to
    the PVs. Callers asking for the same URI at once share one introspection;
    a failed one is not kept, so the next connect tries again.
    """
    key = (uri, typed)
    found = _found.get(key)
    if found is not None:
        return found
    task = _running.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = _running[key] = asyncio.ensure_future(
            introspect(uri, timeout=timeout, type_live=typed)
        )
    try:
        found = await asyncio.shield(task)
    finally:
        if task.done() and _running.get(key) is task:
            del _running[key]
    _found[key] = found
    return found


def forget_discovered() -> None:
    """Introspect every source again on its next connect."""
    _found.clear()


class DiscoveredDevice(StandardReadable):
    """A device whose signals are discovered from `uri` when it first connects.

    Its signals take `protocol` (the beamline's), except those of a live PVI
    structure (``pva://...PVI``), which names PVA channels: they take ``pva``
    (tables, such as a PandA's sequencer table, exist only there).
    """

    def __init__(self, uri: str, protocol: str = "ca", name: str = "") -> None:
        self.source = uri
        self._protocol = "pva" if uri.startswith("pva://") else protocol
        self._built = False
        super().__init__(name)

    async def _connect_self(self, mock: bool, timeout: float) -> None:
        if self._built:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            # a mock never connects to the PVs: live PVI types come from them now
            typed = mock and not self.source.endswith(PVI_FILE_SUFFIX)
            found = await discovered(self.source, timeout, typed=typed)
        except IntrospectionError as error:
            raise _not_introspected(self.source, timeout, error) from error
        device = build_device(
            found.root,
            {},
            library=found.blueprints,
            protocol=self._protocol,
            name=self.name,
            mock=mock,
            discover=discover_child,
        )
        self._adopt(device, found)
        remaining = max(deadline - loop.time(), 0.001)
        await device.connect(mock, min(remaining, timeout or DEFAULT_TIMEOUT))

    def _adopt(self, device: Device, found: Introspected) -> None:
        for name, child in device.children():
            setattr(self, name, child)
            model = found.root.signals.get(name)
            if model is None:
                self.add_readables([child], ReadCategory.HINTED)
                self.add_readables([child], ReadCategory.CONFIG)
            elif model.read != "omitted":
                self.add_readables([child], ReadCategory(model.read))
        self._built = True
        self.set_name(self.name)

    def __repr__(self) -> str:
        return f"DiscoveredDevice({self.name!r}, {self.source!r})"


def _not_introspected(
    uri: str, timeout: float, error: IntrospectionError
) -> NotConnectedError:
    """The failed introspection of `uri` as a connect failure about `uri`:
    silence if it gave up waiting (the error it was raised in says so)."""
    reason = f"cannot introspect: {error}"
    if isinstance(error.__context__, TimeoutError | NoAnswerError):
        return NoAnswerError(uri, timeout, reason)
    return NotConnectedError(reason, source=uri)


def discover_child(child: Child, protocol: str) -> Device:
    """The `DiscoveredDevice` of a rendered ``pvi:``/``tango:`` child."""
    uri = child.pvi if child.pvi is not None else child.tango
    assert uri is not None, "a child without a blueprint has pvi or tango"
    return DiscoveredDevice(uri, protocol)
