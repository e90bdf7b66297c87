"""``motion.PmacTrajectory``: a scanspec path flown as a PMAC PVT trajectory.

Bound to a `Pmac` blueprint's trajectory records; its axes are the spec's
axes, `PmacMotor` devices whose coordinate system letter picks the
trajectory arrays they use. `prepare(spec)` checks the whole path against
every motor's limits and speed before anything moves, moves the motors to the
start together (deferred direct demands), writes the first slice of PVT
points and builds it; ``prepare(FlyPath(spec, n))`` does the same for the
path from frame n on (a paused scan resumed: the axes ramp into frame n).
`kickoff` executes; further slices are appended while the controller runs,
before it runs out. `complete` reports frames flown. When it has run, the
axes go back to the end of the last collection window (the ramp-down took
them past it). `stop` (and unstage) aborts: the motors stop where they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import math
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ophyd_blueprint.core import (
    AsyncStatus,
    Device,
    DeviceVector,
    SignalR,
    SignalRW,
    SignalX,
    StandardReadable,
    WatchableAsyncStatus,
    WatcherUpdate,
    observe_value,
    path_of,
    wait_for_value,
)

from .base import READABLE, WRITABLE, Logic, SettingsRules, role
from .trajectory import AxisLimits, PvtPlanner, PvtSlice

__all__ = ["CS_LETTERS", "PmacError", "PmacTrajectory"]

_scanspec_core: Any = importlib.import_module("scanspec.core")  # ships no types

CS_LETTERS = "ABCUVWXYZ"
"""A PMAC coordinate system's axes; axis n (1-based) is letter n - 1."""
RW = READABLE & WRITABLE
TRIGGER = frozenset({"x"})
ARRAY = frozenset({"float64[]"})


class PmacError(RuntimeError):
    """The controller refused or failed a trajectory; its message is included."""


@dataclass(frozen=True)
class _Written:
    """One slice as written: where its points start, how many, which frames."""

    first_point: int
    points: int
    first_frame: int
    frames: int


class PmacTrajectory(Logic):
    """Prepare, kick off, complete and stop a PVT trajectory over a scanspec path.

    ``with:`` `axes` (the child vector of trajectory axes, default ``axes``),
    `demands` (the coordinate system's motors, default ``cs.motors``),
    `slice_frames` (frames per slice, default 4000), `timeout` (seconds for
    a build, an append or a move to start beyond its own duration, default 10),
    `tolerance` (how close to the start a motor must come, default 1e-3),
    `points_ahead` (points kept written beyond those run, default 4000: a
    PMAC fails a scan that falls two 1000-point buffers behind).
    """

    roles = (
        role("time_array", RW, ARRAY, doc="ProfileTimeArray"),
        role("user_array", RW, frozenset({"int32[]"}), doc="UserArray"),
        role("total_points", READABLE, frozenset({"int"}), doc="points executed"),
        role("points_to_build", RW, frozenset({"int"})),
        role("build", TRIGGER, doc="ProfileBuild"),
        role("build_status", READABLE, frozenset({"enum", "str"})),
        role("build_message", READABLE, frozenset({"str"})),
        role("append", TRIGGER, doc="ProfileAppend"),
        role("append_status", READABLE, frozenset({"enum", "str"})),
        role("append_message", READABLE, frozenset({"str"})),
        role("execute", RW, frozenset({"bool"}), doc="ProfileExecute (busy)"),
        role("execute_status", READABLE, frozenset({"enum", "str"})),
        role("execute_message", READABLE, frozenset({"str"})),
        role("abort", TRIGGER, doc="ProfileAbort"),
        role("cs_name", RW, frozenset({"str"}), required=False),
        role("cs_port", READABLE, frozenset({"str"}), required=False),
        role("calc_vel", RW, frozenset({"bool"}), required=False),
        role("defer_moves", RW, frozenset({"bool"}), doc="CSn:DeferMoves"),
    )
    exposes = ("prepare", "kickoff", "complete", "stop", "unstage")
    settings = SettingsRules(never=frozenset({"execute", "defer_moves"}))
    params = {
        "axes": str,
        "demands": str,
        "slice_frames": int,
        "timeout": float,
        "tolerance": float,
        "points_ahead": int,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._planner: PvtPlanner[Any] | None = None
        self._slices: AsyncIterator[PvtSlice[Any]] | None = None
        self._letters: dict[Any, str] = {}
        self._moving: list[Any] = []
        """The axes of a move to the path's start or end under way."""
        self._written: list[_Written] = []
        self._last_written = False
        self._execute: AsyncStatus | None = None
        self._appender: asyncio.Task[None] | None = None
        self._end: dict[Any, float] = {}

    # -- signals and children -------------------------------------------------

    def _x(self, name: str) -> SignalX:
        return cast(SignalX, self.bound[name])

    def _vector(self, key: str, default: str) -> DeviceVector[Device]:
        node: Device = self.device
        for part in str(self.config.get(key, default)).split("."):
            node = node.child(part)
        return cast(DeviceVector[Device], node)

    def _axis_signals(
        self, letter: str
    ) -> tuple[SignalRW[Any], SignalRW[Any], SignalRW[Any]]:
        axis = self._vector("axes", "axes")[CS_LETTERS.index(letter) + 1]
        return (
            cast(SignalRW[Any], axis.child("positions")),
            cast(SignalRW[Any], axis.child("velocities")),
            cast(SignalRW[Any], axis.child("use_axis")),
        )

    def _demand(self, letter: str) -> SignalRW[float]:
        motor = self._vector("demands", "cs.motors")[CS_LETTERS.index(letter) + 1]
        return cast(SignalRW[float], motor.child("direct_demand"))

    # -- prepare -------------------------------------------------------------

    def prepare(self, value: Any) -> AsyncStatus:
        """Check the path, move to its start, write and build the first slice.

        `value` is a scanspec ``Spec`` or a `FlyPath` (the path from one of its
        frames on, to resume a paused scan: the axes ramp into that frame).
        """
        return AsyncStatus(self._prepare(value), name=self.device.name)

    async def _prepare(self, value: Any) -> None:
        await self._halt_running()
        path = path_of(value)
        spec = path.spec
        axes = list(spec.axes())
        limits, letters = await self._motor_facts(axes)
        planner: PvtPlanner[Any] = PvtPlanner(
            spec,
            limits,
            slice_frames=int(self.config.get("slice_frames", 4000)),
            start_frame=path.start,
        )
        self._planner, self._letters = planner, letters
        self._end = _last_upper_bounds(spec, planner.frames)
        self._written, self._last_written = [], False
        self._slices = _iterate(planner)
        await self._move_to(planner.start_positions())
        first = await anext(self._slices)
        await self._write(first, use_axes=True)
        await self._run_busy("build")

    async def _motor_facts(
        self, axes: list[Any]
    ) -> tuple[dict[Any, AxisLimits], dict[Any, str]]:
        limits: dict[Any, AxisLimits] = {}
        letters: dict[Any, str] = {}
        for axis in axes:
            name = getattr(axis, "name", str(axis))
            if not isinstance(axis, Device):
                raise PmacError(
                    f"{self.device.name}: the spec's axis {axis!r} is a "
                    f"{type(axis).__name__}, not a motor: a fly scan's spec names "
                    "the beamline's motor devices, e.g. Line(bl.x, 0, 1, 10)"
                )
            try:
                signals = [
                    cast(SignalR[Any], axis.child(n))
                    for n in (
                        "cs_axis",
                        "low_limit",
                        "high_limit",
                        "max_velocity",
                        "acceleration",
                    )
                ]
            except AttributeError as error:
                raise PmacError(
                    f"{self.device.name}: axis {name} is not a PMAC motor ({error})"
                ) from None
            letter, low, high, vmax, accl = await asyncio.gather(
                *(s.get_value() for s in signals)
            )
            letter = str(letter).strip().upper()
            if len(letter) != 1 or letter not in CS_LETTERS:
                raise PmacError(
                    f"{self.device.name}: {name} is in no coordinate system axis "
                    f"({signals[0].source} is {letter!r}); assign it one of "
                    f"{', '.join(CS_LETTERS)}"
                )
            if letter in letters.values():
                raise PmacError(
                    f"{self.device.name}: two axes of the path use CS axis {letter}"
                )
            letters[axis] = letter
            limits[axis] = AxisLimits(
                low=float(low),
                high=float(high),
                max_velocity=float(vmax),
                acceleration_time=float(accl),
            )
        return limits, letters

    async def _move_to(self, positions: Mapping[Any, float]) -> None:
        """All axes to their start at once: deferred direct demands, then go."""
        self._moving = list(positions)
        try:
            await self._move_deferred(positions)
        finally:
            self._moving = []

    async def _move_deferred(self, positions: Mapping[Any, float]) -> None:
        defer = self._rw("defer_moves")
        await defer.set(True, timeout=self._timeout)
        try:
            # a deferred demand's put completes only when its motor has moved:
            # post them, then release them together
            await asyncio.gather(
                *(
                    self._demand(self._letters[axis]).set(
                        float(p), wait=False, timeout=self._timeout
                    )
                    for axis, p in positions.items()
                )
            )
        finally:
            await defer.set(False, timeout=self._timeout)
        await asyncio.gather(*(self._arrive(a, p) for a, p in positions.items()))

    async def _arrive(self, axis: Any, target: float) -> None:
        readback = cast(SignalR[float], axis.child("readback"))
        velocity = await cast(SignalR[float], axis.child("velocity")).get_value()
        here = await readback.get_value()
        wait = abs(target - here) / max(abs(velocity), 1e-9) + self._timeout
        tolerance = float(self.config.get("tolerance", 1e-3))
        try:
            await wait_for_value(
                readback, lambda v: math.isclose(v, target, abs_tol=tolerance), wait
            )
            done = getattr(axis, "done_moving", None)
            if isinstance(done, SignalR):
                await wait_for_value(cast(SignalR[bool], done), True, self._timeout)
        except TimeoutError:
            raise PmacError(
                f"{self.device.name}: {getattr(axis, 'name', axis)} did not reach "
                f"the start {target:g} within {wait:g} s (at "
                f"{await readback.get_value():g})"
            ) from None

    async def _write(self, piece: PvtSlice[Any], *, use_axes: bool) -> None:
        writes: list[AsyncStatus] = []
        by_letter: dict[str, Any] = {self._letters[a]: a for a in piece.positions}
        for letter in CS_LETTERS:
            positions, velocities, use = self._axis_signals(letter)
            if use_axes:
                writes.append(use.set(letter in by_letter, timeout=self._timeout))
            if letter in by_letter:
                axis = by_letter[letter]
                writes.append(
                    positions.set(np.asarray(piece.positions[axis], dtype=np.float64))
                )
                writes.append(
                    velocities.set(np.asarray(piece.velocities[axis], dtype=np.float64))
                )
        writes.append(
            self._rw("time_array").set(np.asarray(piece.time_us, dtype=np.float64))
        )
        writes.append(
            self._rw("user_array").set(np.asarray(piece.user, dtype=np.int32))
        )
        points = len(piece.time_us)
        writes.append(self._rw("points_to_build").set(points))
        if use_axes:
            if "calc_vel" in self.bound:
                writes.append(self._rw("calc_vel").set(False))
            if "cs_name" in self.bound and "cs_port" in self.bound:
                writes.append(
                    self._rw("cs_name").set(await self._r("cs_port").get_value())
                )
        await asyncio.gather(*writes)
        first_point = sum(w.points for w in self._written)
        frames = piece.frames
        self._written.append(_Written(first_point, points, frames.start, len(frames)))
        self._last_written = piece.last

    async def _run_busy(self, what: str) -> None:
        """Trigger ``build`` or ``append``, then read its status and message."""
        await self._x(what).trigger(wait=True, timeout=self._timeout)
        status = str(await self._r(f"{what}_status").get_value())
        if status != "Success":
            message = await self._r(f"{what}_message").get_value()
            raise PmacError(
                f"{self.device.name}: the controller refused the trajectory "
                f"{what} ({status}): {message}"
            )

    # -- kickoff / complete / stop --------------------------------------------

    def kickoff(self) -> AsyncStatus:
        """Start executing; further slices are appended while it runs."""
        if self._slices is None:
            raise PmacError(f"{self.device.name}: kickoff before prepare")
        return AsyncStatus(self._kickoff(), name=self.device.name)

    async def _kickoff(self) -> None:
        execute = self._rw("execute")
        self._execute = execute.set(True, wait=True, timeout=math.inf)
        await wait_for_value(execute, True, self._timeout)
        if not self._last_written:
            self._appender = asyncio.ensure_future(self._append_while_running())

    async def _append_while_running(self) -> None:
        assert self._slices is not None
        total = self._r("total_points")
        ahead = int(self.config.get("points_ahead", 4000))
        while not self._last_written:
            written = sum(w.points for w in self._written)
            # a PMAC runs out unless it stays two 1000-point buffers ahead
            await wait_for_value(total, _at_least(written - ahead), None)
            piece = await anext(self._slices)
            await self._write(piece, use_axes=False)
            await self._run_busy("append")

    def complete(self) -> WatchableAsyncStatus[int]:
        """Done when the trajectory has run; reports frames flown."""
        if self._execute is None:
            raise PmacError(f"{self.device.name}: complete before kickoff")
        return WatchableAsyncStatus(self._progress(), name=self.device.name)

    async def _progress(self) -> AsyncIterator[WatcherUpdate[int]]:
        execute = self._execute
        planner = self._planner
        assert execute is not None
        assert planner is not None
        target = planner.frames
        counter = self._r("total_points")
        points = 0
        try:
            async for points in observe_value(
                counter, timeout=self._timeout, done_status=execute
            ):
                yield WatcherUpdate(
                    current=self._frames_done(points),
                    initial=0,
                    target=target,
                    name=self.device.name,
                    unit="frames",
                )
        except TimeoutError:
            raise PmacError(
                f"{self.device.name}: no trajectory point ran within "
                f"{self._timeout:g} s ({points} ran of "
                f"{sum(w.points for w in self._written)} written; counted by "
                f"{counter.source})"
            ) from None
        except Exception as error:  # the controller failed or went away
            raise PmacError(
                f"{self.device.name}: the trajectory stopped after "
                f"{self._frames_done(points)} of {target} frames: {error}"
            ) from error
        await execute
        if self._appender is not None:
            await self._appender
        status = str(await self._r("execute_status").get_value())
        if status != "Success":
            message = await self._r("execute_message").get_value()
            raise PmacError(
                f"{self.device.name}: the trajectory failed ({status}): {message}"
            )
        # the ramp-down took the axes past the last window: back to its end
        await self._move_to(self._end)
        yield WatcherUpdate(
            current=target,
            initial=0,
            target=target,
            name=self.device.name,
            unit="frames",
        )

    def _frames_done(self, points: int) -> int:
        done = 0
        for w in self._written:
            if points >= w.first_point + w.points:
                done = w.first_frame + w.frames
            elif points > w.first_point:
                fraction = (points - w.first_point) / w.points
                done = w.first_frame + int(w.frames * fraction)
        return done

    def stop(self, success: bool = False) -> AsyncStatus:
        """Abort the trajectory now (the motors stop where they are), and stop
        the axes of a move to the path's start or back to its end."""
        return AsyncStatus(self._stop(), name=self.device.name)

    async def _stop(self) -> None:
        await self._halt_running()
        # a move to the start (prepare) or to the end (complete) goes on when
        # the status waiting on it is cancelled: its axes are stopped too
        await asyncio.gather(*(self._stop_axis(axis) for axis in self._moving))

    async def _stop_axis(self, axis: Any) -> None:
        done = getattr(axis, "done_moving", None)
        if not isinstance(done, SignalR):
            return
        moved = cast(SignalR[bool], done)
        if await moved.get_value():
            return
        await axis.stop()
        try:
            await wait_for_value(moved, True, self._timeout)
        except TimeoutError:
            raise PmacError(
                f"{self.device.name}: {getattr(axis, 'name', axis)} still moving "
                f"{self._timeout:g} s after it was stopped ({moved.source})"
            ) from None

    async def _halt_running(self) -> None:
        appender, self._appender = self._appender, None
        if appender is not None:
            appender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await appender
        execute, self._execute = self._execute, None
        if execute is not None and not execute.done:
            await self._x("abort").trigger(wait=True, timeout=self._timeout)
            with contextlib.suppress(Exception):
                await execute.wait(self._timeout)

    def unstage(self) -> AsyncStatus:
        """Abort anything still running, whatever ended the scan."""
        return AsyncStatus(self._unstage(), name=self.device.name)

    async def _unstage(self) -> None:
        await self._halt_running()
        self._slices = None
        if isinstance(self.device, StandardReadable):
            await StandardReadable.unstage(self.device)


def _last_upper_bounds(spec: Any, frames: int) -> dict[Any, float]:
    """Where each axis is at the end of the scan's last collection window."""
    last = _scanspec_core.Path(spec.calculate(), start=frames - 1).consume(1)
    return {axis: float(values[-1]) for axis, values in last.upper.items()}


def _at_least(count: int) -> Callable[[int], bool]:
    return lambda n: n >= count


async def _iterate(planner: PvtPlanner[Any]) -> AsyncIterator[PvtSlice[Any]]:
    """The planner's slices, each computed off the event loop's critical path."""
    slices = iter(planner)
    loop = asyncio.get_running_loop()
    while True:
        piece = await loop.run_in_executor(None, next, slices, None)
        if piece is None:
            return
        yield piece
