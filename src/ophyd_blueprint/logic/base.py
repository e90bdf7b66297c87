"""The `Logic` base class: roles in, behaviour out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from ophyd_blueprint.core import (
    AsyncStatus,
    Device,
    Signal,
    SignalR,
    SignalRW,
    SignalW,
    SignalX,
)
from ophyd_blueprint.roles import RoleSpec

__all__ = ["Logic", "SettingsRules", "fire", "role"]

READABLE = frozenset({"r", "rw"})
WRITABLE = frozenset({"w", "rw"})
TRIGGER = frozenset({"x", "w", "rw"})
"""A role that makes something happen: a trigger, or a signal written with 1."""


def role(
    name: str,
    access: frozenset[str],
    dtypes: frozenset[str] | None = None,
    *,
    required: bool = True,
    doc: str = "",
) -> RoleSpec:
    """Declare one role of a logic class."""
    return RoleSpec(name, access, dtypes, required, doc)


def fire(
    signal: Signal[Any], *, wait: bool, timeout: float | None = None
) -> AsyncStatus:
    """Act on the signal bound to a `TRIGGER` role: trigger a `SignalX`, write
    1 to a writable signal (e.g. an areaDetector ``Acquire``)."""
    if isinstance(signal, SignalX):
        return signal.trigger(wait, timeout)
    if isinstance(signal, SignalW):
        return signal.set(1, wait, timeout)
    raise TypeError(f"{signal.name} ({signal.source}) can be neither triggered nor set")


@dataclass(frozen=True)
class SettingsRules:
    """How the signals bound to a logic's roles are restored as settings."""

    order: tuple[tuple[str, ...], ...] = ()
    """Chains of roles written one after the other, e.g.
    ``("image_mode", "num_images")``; settings in no chain are written in
    parallel."""
    never: frozenset[str] = frozenset()
    """Roles whose signals are never settings: writing them moves something
    (a motor's ``setpoint``)."""


class Logic:
    """Behaviour attached to a built device.

    Subclasses declare `roles` (what they need bound, checked before anything
    connects), `exposes` (their methods that become the device's own, e.g.
    ``set``, ``stop``, ``locate`` so that bluesky sees a Movable) and
    `settings` (in which order their settings are restored).
    """

    roles: ClassVar[tuple[RoleSpec, ...]] = ()
    exposes: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[Mapping[str, type]] = {}
    """Parameters the logic accepts in ``with`` (name -> type). A `Path`
    parameter given as a relative path in a beamline (or a blueprint it
    uses) is taken from the beamline file's folder."""
    settings: ClassVar[SettingsRules] = SettingsRules()
    """Roles whose settings are restored in order, and roles never restored."""

    def __init__(
        self,
        device: Device,
        bound: Mapping[str, Signal[Any]],
        params: Mapping[str, Any],
    ) -> None:
        self.device = device
        self.bound = dict(bound)
        self.config = dict(params)

    async def found(self) -> None:
        """Check the device found live is one this logic can work with.

        Called once a device discovered through its blueprint's ``pvi:`` has
        connected and its logic is bound; raise (the connect fails with the
        message) if not.
        """

    def use_mock(self) -> None:
        """Make mock signals behave (e.g. a readback following its setpoint).

        Called after the device connected with ``mock=True``.
        """

    def _r(self, name: str) -> SignalR[Any]:
        """The signal bound to role `name`, whose access makes it readable."""
        return cast(SignalR[Any], self.bound[name])

    def _rw(self, name: str) -> SignalRW[Any]:
        """The signal bound to role `name`, whose access makes it writable."""
        return cast(SignalRW[Any], self.bound[name])

    @property
    def _timeout(self) -> float:
        """Seconds to wait for the server to answer: ``with: timeout``, else 10."""
        return float(self.config.get("timeout", 10.0))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.device.name!r})"
