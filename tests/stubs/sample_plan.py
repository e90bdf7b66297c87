"""A plan typed by the generated ``demo_devices`` module; pyright checks it.

bluesky's plans are partly untyped, so this file turns off the one report
about their unknown parameter types; everything of ours is checked.
"""

# pyright: reportUnknownMemberType=false

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky.protocols import Locatable, Movable, Readable, Stoppable, Triggerable
from bluesky.utils import MsgGenerator
from demo_devices import load

if TYPE_CHECKING:
    from demo_devices import PeakDetector, SimMotor

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


plan = align(bl.x, bl.det)
