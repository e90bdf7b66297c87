"""The trigger-source part: logic that makes the pulses detectors are gated by.

A PandA is one device that is a detector and a trigger source at once, and a
device has one provider of each bluesky verb. So trigger logic
(``trigger.PandaSeq``, ``trigger.PandaPcomp``, ``trigger.PandaSeqTable``) is a
*part*, like a detector's triggering, arming and writing parts: it provides
no verbs itself. ``detector.FileDetector`` composes it beside capture, and
``trigger.Flyer`` gives a device that only triggers its verbs. `prepare`
goes to the part that accepts the value best (`accepts`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from ophyd_blueprint.core import Device

from .base import Logic

__all__ = ["TriggerSource", "TriggerSourceError", "source_for", "trigger_sources"]


class TriggerSourceError(RuntimeError):
    """A trigger source that cannot do what the scan asks, named with the facts."""


class TriggerSource(Logic, ABC):
    """Prepared with a value it accepts, started, waited for, stopped."""

    @abstractmethod
    def accepts(self, value: object) -> int:
        """How well this part takes `value` to `prepare_source`: 0 not at all,
        1 as a fallback, 2 by deriving what it needs, 3 made for it."""

    @abstractmethod
    async def prepare_source(self, value: Any) -> None:
        """Write everything for `value`; nothing runs until `start`."""

    @abstractmethod
    async def start(self) -> None:
        """Start triggering; returns once the hardware runs."""

    @abstractmethod
    async def finished(self) -> None:
        """Returns when every trigger was given; `TriggerSourceError` if the
        source is still running when it should long have finished."""

    @abstractmethod
    async def halt(self) -> None:
        """Stop triggering now, whatever state it is in."""


def trigger_sources(device: Device) -> list[TriggerSource]:
    """The trigger-source parts of `device`, in blueprint order."""
    logic: Sequence[Logic] = getattr(device, "logic", [])
    return [part for part in logic if isinstance(part, TriggerSource)]


def source_for(device: Device, value: object) -> TriggerSource:
    """The one trigger source of `device` that accepts `value` best."""
    parts = trigger_sources(device)
    scored = [(part.accepts(value), part) for part in parts]
    best = max((score for score, _ in scored), default=0)
    chosen = [part for score, part in scored if score == best]
    what = type(value).__name__
    if best == 0:
        offered = ", ".join(type(p).__name__ for p in parts) or "none"
        raise TriggerSourceError(
            f"{device.name}: no trigger source takes a {what} (trigger sources: "
            f"{offered})"
        )
    if len(chosen) > 1:
        raise TriggerSourceError(
            f"{device.name}: {' and '.join(type(p).__name__ for p in chosen)} "
            f"both take a {what}; prepare one with the value made for it"
        )
    return chosen[0]
