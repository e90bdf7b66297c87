"""``fly_scan``: a scanspec path flown by a motion controller, detectors collecting.

One plan for every combination: detectors alone on internal triggers at the
frame duration, detectors gated by a trigger device (a PandA), and a motion
device (a PMAC) moving the axes along the path. Everything is staged and
prepared in parallel, kicked off detectors first, then the trigger, then the
motion, and collected while completing: one event per frame in ``primary``.
Whatever ends the run (a failure, an abort, Ctrl-C) stops the motion and the
detectors, and what the detectors wrote before is still referenced.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast, runtime_checkable

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
from bluesky.utils import Msg, MsgGenerator

from ophyd_blueprint.core import DetectorTrigger, TriggerInfo

__all__ = ["FlyScanError", "fly_scan"]

_plans: Any = bps  # bluesky's plan stubs are partly untyped
_wrappers: Any = bpp
_scanspec_core: Any = importlib.import_module("scanspec.core")  # ships no types


class FlyScanError(ValueError):
    """A fly scan that cannot be run as asked (said before anything moves)."""


@runtime_checkable
class _HasDeadtime(Protocol):
    def get_deadtime(self, livetime: float) -> float: ...


def fly_scan(
    detectors: Sequence[Any],
    spec: Any,
    *,
    motion: Any = None,
    trigger: Any = None,
    md: Mapping[str, Any] | None = None,
) -> MsgGenerator[str]:
    """Fly `spec` (``Fly(0.01 @ (Line(bl.y, 0, 1, 4) * ~Line(bl.x, 0, 2, 50)))``).

    `spec` is a scanspec 1.0 ``Spec`` whose axes are the beamline's motors.

    `motion` moves the spec's axes along the path (prepared with the spec);
    `trigger` gates the detectors (prepared with the spec), else they run on
    internal triggers at the frame duration. Returns the run's uid.
    """
    if not detectors:
        raise FlyScanError("fly_scan needs at least one detector to collect")
    duration = spec.duration()
    if not isinstance(duration, float) or duration <= 0:
        raise FlyScanError(
            f"fly_scan needs frames of one constant duration, e.g. Fly(0.01 @ ...); "
            f"{spec} has {duration!r}"
        )
    frames = int(_scanspec_core.Path(spec.calculate()).end_index)
    deadtime = max(
        (d.get_deadtime(duration) for d in detectors if isinstance(d, _HasDeadtime)),
        default=0.0,
    )
    if deadtime >= duration:
        raise FlyScanError(
            f"frames of {duration:g} s are too short: the detectors need "
            f"{deadtime:g} s between frames"
        )
    info = TriggerInfo(
        number_of_events=frames,
        trigger=DetectorTrigger.INTERNAL
        if trigger is None
        else DetectorTrigger.EXTERNAL_EDGE,
        livetime=duration - deadtime,
        deadtime=deadtime,
    )
    flyers = [*detectors, *(d for d in (trigger, motion) if d is not None)]
    metadata: dict[str, Any] = {
        "plan_name": "fly_scan",
        "detectors": [d.name for d in detectors],
        "motors": [getattr(a, "name", str(a)) for a in spec.axes()],
        "num_points": frames,
        "num_intervals": max(frames - 1, 0),
        "shape": list(spec.shape()),
        "frame_duration": duration,
        "hints": {
            "dimensions": [
                ([getattr(a, "name", str(a))], "primary") for a in spec.axes()
            ]
        },
        **(md or {}),
    }

    def prepare_all() -> MsgGenerator[None]:
        for detector in detectors:
            yield from _plans.prepare(detector, info, group="prepare")
        for device in (trigger, motion):
            if device is not None:
                yield from _plans.prepare(device, spec, group="prepare")
        yield from _plans.wait(group="prepare")

    def kickoff(devices: Sequence[Any]) -> MsgGenerator[None]:
        for device in devices:
            yield from _plans.kickoff(device, group="kickoff")
        yield from _plans.wait(group="kickoff")

    declared: list[bool] = []

    def fly() -> MsgGenerator[None]:
        yield from prepare_all()
        yield from _plans.declare_stream(*detectors, name="primary", collect=True)
        declared.append(True)
        yield from kickoff(detectors)
        for device in (trigger, motion):
            if device is not None:
                yield from kickoff([device])
        yield from _plans.collect_while_completing(
            flyers, detectors, flush_period=0.5, stream_name="primary"
        )

    def stop_and_collect() -> MsgGenerator[None]:
        """After a failure: stop what moves, then reference what was written."""
        for device in (motion, trigger):
            if device is not None:
                yield Msg("stop", device)
        if declared:
            yield from _plans.collect(*detectors, name="primary")

    def after_failure(_error: BaseException) -> MsgGenerator[None]:
        return stop_and_collect()

    inner: Any = _wrappers.contingency_wrapper(
        fly(), except_plan=after_failure, auto_raise=True
    )
    staged: Any = _wrappers.stage_wrapper(
        _wrappers.run_wrapper(inner, md=metadata), flyers
    )
    return cast(str, (yield from staged))
