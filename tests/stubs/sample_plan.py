"""A plan typed by the generated ``demo_devices`` module; pyright checks it.

bluesky's plans are partly untyped, so this file turns off the one report
about their unknown parameter types; everything of ours is checked.
"""

# pyright: reportUnknownMemberType=false

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky.protocols import (
    Flyable,
    Locatable,
    Movable,
    Preparable,
    Readable,
    Stoppable,
    Triggerable,
    WritesStreamAssets,
)
from bluesky.utils import MsgGenerator
from demo_devices import load

from ophyd_blueprint import AsyncStatus, TriggerInfo

if TYPE_CHECKING:
    from demo_devices import PeakDetector, SimDetector, SimMotor

bl = load(mock=True)


def as_protocols(
    motor: SimMotor, detector: PeakDetector
) -> tuple[Movable[float], Locatable[float], Stoppable, Readable[Any], Triggerable]:
    """The devices are what bluesky's protocols ask for."""
    return (motor, motor, motor, detector, detector)


def align(motor: SimMotor, detector: PeakDetector) -> MsgGenerator[str]:
    """Move, then scan."""
    yield from bps.mv(motor, 1.0)
    return (yield from bp.scan([detector], motor, 0, 1, 11))


def halt(motor: SimMotor) -> MsgGenerator[Any]:
    """Trigger the axis's stop record and wait: a trigger is Triggerable."""
    return (yield from bps.trigger(motor.halt, wait=True))


async def where_is_x() -> float:
    """The readback of ``x``, typed float."""
    position: float = await bl.x.readback.get_value()
    return position


def as_detector_protocols(
    camera: SimDetector,
) -> tuple[Triggerable, Preparable, Flyable, WritesStreamAssets, Readable[Any]]:
    """A file-writing detector is what step and fly scans ask for."""
    return (camera, camera, camera, camera, camera)


def prepare_camera(camera: SimDetector) -> AsyncStatus:
    """``prepare`` takes a TriggerInfo: the stubs type the detector's verbs."""
    return camera.prepare(TriggerInfo(number_of_events=10, livetime=0.01))


plan = align(bl.x, bl.det)
