"""``fly_scan``: a scanspec path flown by a motion controller, detectors collecting.

One plan for every combination: detectors alone on internal triggers at the
frame duration, detectors gated by a trigger device (a PandA), and a motion
device (a PMAC) moving the axes along the path. Everything is staged and
prepared in parallel, kicked off detectors first, then the trigger, then the
motion, and collected while completing: one event per frame in ``primary``.
A device that is both a detector and the trigger (a PandA) is prepared with
both, and staged, kicked off (as the trigger) and completed once.

``RE.request_pause()`` stops the devices and ``RE.resume()`` flies the rest
of the path from the first frame not collected (`fly_pause` says how, and
what a device implements to take part). Whatever ends the run (a failure, an
abort, Ctrl-C) stops the motion and the detectors, and what the detectors
wrote before is still referenced.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol, cast, runtime_checkable

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
from bluesky.utils import FailedStatus, Msg, MsgGenerator

from ophyd_blueprint.core import DetectorTrigger, FlyPath, TriggerInfo

from .fly_pause import FlyPauses

__all__ = ["FlyScanError", "fly_scan"]

_plans: Any = bps  # bluesky's plan stubs are partly untyped
_wrappers: Any = bpp
_utils: Any = importlib.import_module("bluesky.utils")  # short_uid is untyped
_scanspec_core: Any = importlib.import_module("scanspec.core")  # ships no types


STOP_WAIT = 5.0
"""Seconds a failed run waits for what it stopped to report, before collecting."""


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
    `trigger` gates the detectors (prepared with the spec; it may be one of
    `detectors` too), else they run on internal triggers at the frame
    duration. ``RE.request_pause()`` pauses it and ``RE.resume()`` flies the
    rest (`fly_pause`). Returns the run's uid.
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
    paths = [d for d in (trigger, motion) if d is not None]
    flyers = _unique([*detectors, *paths])
    pauses = FlyPauses(detectors, trigger=trigger, motion=motion)
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

    def waited(group: str, **kwargs: Any) -> MsgGenerator[bool]:
        """Wait on `group` after a checkpoint: a pause replays only this wait."""
        yield Msg("checkpoint")
        waiting: MsgGenerator[bool] = _plans.wait(group=group, **kwargs)
        return bool((yield from waiting))

    def verb(command: str, device: Any, *args: Any, group: str) -> MsgGenerator[Any]:
        return pauses.watch((yield Msg(command, device, *args, group=group)))

    def prepare_all(first: int) -> MsgGenerator[None]:
        group = _utils.short_uid("prepare")
        for detector in detectors:
            # every detector from the trigger's first frame: one that wrote
            # more (a frame in flight when the pause came) drops it if it
            # starts a file per arm (`Writer.resume`), else writes it again
            left = frames - first
            if left:
                part = replace(info, number_of_events=left)
                yield from verb("prepare", detector, part, group=group)
        path = spec if first == 0 else FlyPath(spec, first)
        for device in paths:
            yield from verb("prepare", device, path, group=group)
        yield from waited(group)

    def kickoff(devices: Sequence[Any]) -> MsgGenerator[None]:
        group = _utils.short_uid("kickoff")
        for device in devices:
            yield from verb("kickoff", device, group=group)
        yield from waited(group)

    declared: list[bool] = []
    completing: list[str] = []  # the group of each segment's completes

    def fly_from(first: int) -> MsgGenerator[bool]:
        """Fly the path from frame `first`, collecting; True if paused meanwhile."""
        before = pauses.count
        try:
            yield from prepare_all(first)
            if pauses.count != before:
                return True
            if not declared:
                yield from _plans.declare_stream(
                    *detectors, name="primary", collect=True
                )
                declared.append(True)
            armed = [d for d in detectors if pauses.frames_written(d) < frames]
            others = [d for d in armed if d is not trigger]
            for batch in (others, [trigger], [motion]):
                if batch and batch[0] is not None:
                    yield from kickoff(batch)
                if pauses.count != before:
                    return True
            group = _utils.short_uid("complete")
            completing.append(group)
            for device in _unique([*armed, *paths]):
                yield from verb("complete", device, group=group)
            done = False
            while not done:
                done = yield from waited(group, timeout=0.5, error_on_timeout=False)
                if pauses.count != before:
                    return True
                yield from _plans.collect(*detectors, name="primary")
        except FailedStatus:
            if pauses.count == before:
                raise
            return True  # a status the pause ended
        return pauses.count != before

    def fly() -> MsgGenerator[None]:
        yield Msg("null", pauses)  # the RunEngine pauses and resumes it
        if not pauses.stoppable:
            yield Msg("clear_checkpoint")  # cannot stop: a pause ends the run
        first = 0
        while (yield from fly_from(first)):
            first = pauses.resume_frame()
            # what every detector wrote before the pause, referenced before a
            # detector starts a new file (one collect, one width for all); a
            # pause from here on replays no collect (the RunEngine's replay
            # would number its events again); a pause before the stream was
            # declared (while preparing) has nothing to collect
            if declared:
                yield from _plans.collect(*detectors, name="primary")
            if first >= frames:
                return
            yield Msg("checkpoint")

    def stop_and_collect() -> MsgGenerator[None]:
        """After a failure: stop what moves, then reference what was written.

        What is stopped fails its `complete` meanwhile: that is the stop, not
        news; the error that ended the run is the one raised after this.
        """
        stopping = _unique([d for d in (trigger, motion) if d is not None])
        stopping += [d for d in detectors if hasattr(d, "stop") and d not in stopping]
        for device in stopping:
            yield from _despite_failures(_single(Msg("stop", device)))
        for group in completing[-1:]:
            yield from _despite_failures(
                _plans.wait(group=group, timeout=STOP_WAIT, error_on_timeout=False)
            )
        yield from _despite_failures(_single(Msg("null")))  # a failure lands here
        if declared:
            yield from _despite_failures(_plans.collect(*detectors, name="primary"))

    def after_failure(_error: BaseException) -> MsgGenerator[None]:
        return stop_and_collect()

    inner: Any = _wrappers.contingency_wrapper(
        fly(), except_plan=after_failure, auto_raise=True
    )
    staged: Any = _wrappers.stage_wrapper(
        _wrappers.run_wrapper(inner, md=metadata), flyers
    )
    return cast(str, (yield from staged))


def _single(msg: Msg) -> MsgGenerator[Any]:
    """A plan of one message."""
    return (yield msg)


def _despite_failures(plan: MsgGenerator[Any]) -> MsgGenerator[None]:
    """Run `plan`; a status that fails meanwhile (`FailedStatus`) is passed over."""
    try:
        yield from plan
    except FailedStatus:
        return


def _unique(devices: Sequence[Any]) -> list[Any]:
    """`devices` without repeats (a detector that is the trigger too), in order."""
    seen: list[Any] = []
    for device in devices:
        if not any(device is d for d in seen):
            seen.append(device)
    return seen
