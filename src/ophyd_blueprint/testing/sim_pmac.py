"""A simulated Delta Tau PMAC over Channel Access: motors, one CS, trajectory scans.

Serves dls pmac's own record names with caproto, so the shipped ``Pmac`` and
``PmacMotor`` blueprints that connect here connect to a real PMAC IOC too. Run
it with ``python -m ophyd_blueprint.testing.sim_pmac --prefix P: [--motors N]``;
`SimPmacIoc` does that on a loopback port slot for tests.

Records (``$(P)`` is the controller prefix, e.g. ``BL01:PMAC1:``):

- ``$(P)M1``, ``$(P)M2``, ...: EPICS motor records (caproto's, with every
  field of the motor record), each with its CS assignment (motor_in_cs.template):
  ``:CsAxis_RBV`` (stringin: ``X``, or empty when not in the CS),
  ``:CsPort_RBV`` (mbbi: the CS port, e.g. ``CS1``) and ``:CsRaw_RBV`` (ai:
  the CS number, a double as on the real IOC).
- pmacControllerTrajectory.template, under ``$(P)``: ``ProfileTimeArray``
  (microsecond ticks), ``UserArray``, ``{A..Z}:Positions``, ``:Velocities``,
  ``:UseAxis``, ``ProfilePointsToBuild``, ``ProfileBuild``, ``ProfileAppend``,
  ``ProfileExecute`` (busy), ``ProfileAbort`` (busy), their ``*Status_RBV``
  and ``*Message_RBV``, ``ProfileExecuteState_RBV``, ``TotalPoints_RBV``,
  ``ProfileCsName``, ``ProfileCalcVel``.
- pmacCsController/pmacDirectMotor.template: ``$(P)CS1:DeferMoves``,
  ``CS1:Port``, ``CS1:M1:DirectDemand`` ... ``M9:DirectDemand`` (``Mi`` is CS axis i:
  A=1 B=2 C=3 U=4 V=5 W=6 X=7 Y=8 Z=9).

What it keeps of the real thing, because clients depend on it:

- a put to a motor's ``.VAL`` completes when the move is done (DMOV back to
  1); outside the soft limits it sets LVIO and does not move; ``.STOP`` stops;
- a put to ``DirectDemand`` posts the value at once and completes when its
  motor has moved; with ``DeferMoves`` on the move waits, and turning it off
  moves every deferred motor together (starting and arriving together);
- ``ProfileBuild`` and ``ProfileAppend`` complete when checked, with
  ``Success`` or ``Failure`` and a message; ``ProfileExecute`` completes when
  the run has ended (``Success``, ``Failure`` or ``Abort``);
- a run starts from where the motors are, at rest, and reaches each point
  after its time along the cubic Hermite curve from the previous point's
  position and velocity to its own (PVT), in real time: motor readbacks, DMOV
  and MOVN follow it at `SimPmac.rate` updates a second. ``TotalPoints_RBV``
  counts the points reached;
- as the driver and motion program do, points go to the controller in half
  buffers of `buffer_length` points: two at the start, one more each time the
  controller passes into the next. A buffer that is not full ends the run at
  its last point, at rest. So the run ends when the points run out, with
  ``Success`` if every point built or appended ran, else ``Failure`` and
  "Scan failed, unable to fill buffers in time (ran/built)": a client must
  stay more than two buffers ahead. A user value (``UserArray``) has no
  meaning to the motion (8 is an output state for the real motion program);
- ``ProfileAbort`` stops the motors where they are, the run ends with
  ``Abort`` "Trajectory scan aborted", as does stopping one of its motors with
  ``Failure``; a run needs a build of its own.

Where it is stricter than the real driver: a build or append checks every
point before anything moves (times of at least one tick, positions within the
motors' soft limits, speeds within VMAX, arrays long enough, each used axis
with a motor), where a real PMAC finds most of these only while running; the
message names the point, the axis, its motor, the value and the limit.
``ProfileCalcVel`` YES is refused: velocities must be written.

To see what ran, records a real IOC does not have (posted when a run ends,
emptied by a build): ``$(P)Sim:ExecutedPoints_RBV`` (how many points ran),
``Sim:ExecutedTimes_RBV`` (their times, microsecond ticks),
``Sim:ExecutedUser_RBV``, ``Sim:{A..Z}:ExecutedPositions_RBV`` and
``:ExecutedVelocities_RBV`` (unused axes empty; the last point's velocity
is 0, as the controller ran it; the waveforms hold the first million points),
and ``Sim:BufferLength_RBV``. In-process, `SimPmac.executed` and
`SimPmac.trajectory` (a `PvtTrajectory`, whose `position_at` gives any moment
of the run from `SimPmac.run_start` on) say the same.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .motion_history import MotionHistory, Rest
from .output import announce

__all__ = [
    "CS_AXES",
    "READY",
    "PvtPoints",
    "PvtTrajectory",
    "SimMotor",
    "SimPmac",
    "TrapezoidMove",
    "default_motors",
    "main",
    "motors_argument",
    "motors_from_argument",
    "move_duration",
]

_caproto: Any = importlib.import_module("caproto")
_server: Any = importlib.import_module("caproto.server")
_asyncio_server: Any = importlib.import_module("caproto.asyncio.server")

READY = "Server startup complete."
"""Printed once the records are served."""
CS_AXES = "ABCUVWXYZ"
"""The CS axis letters; ``CS1:M{i}:DirectDemand`` moves letter ``CS_AXES[i-1]``."""
TICK_S = 1e-6
"""One ``ProfileTimeArray`` tick, in seconds."""
MAX_TICKS = 0xFFFFFF
"""The longest time of one point, in ticks (24 bits on the controller)."""

_SUCCESS, _FAILURE = "Success", "Failure"
_BUILD_STATUS = ("Undefined", _SUCCESS, _FAILURE)
_EXECUTE_STATUS = ("Undefined", _SUCCESS, _FAILURE, "Abort", "Timeout")
_EXECUTE_STATE = ("Done", "Move start", "Executing", "Flyback")
_NO_YES = ("No", "Yes")
_MESSAGE_LENGTH = 1000

Floats = npt.NDArray[np.float64]


# -- motion ------------------------------------------------------------------


@dataclass(frozen=True)
class TrapezoidMove:
    """A point-to-point move: accelerate, cruise, decelerate, over `duration`."""

    start: float
    target: float
    t0: float
    duration: float
    accel_time: float

    @property
    def end(self) -> float:
        return self.t0 + self.duration

    def position_at(self, t: float) -> float:
        tau = min(max(t - self.t0, 0.0), self.duration)
        if tau >= self.duration:
            return self.target
        ta = min(self.accel_time, self.duration / 2)
        distance = self.target - self.start
        if ta <= 0:
            return self.start + distance * tau / self.duration
        speed = distance / (self.duration - ta)
        if tau < ta:
            return self.start + 0.5 * speed / ta * tau * tau
        if tau <= self.duration - ta:
            return self.start + speed * (tau - ta / 2)
        left = self.duration - tau
        return self.target - 0.5 * speed / ta * left * left


def move_duration(distance: float, speed: float, accel_time: float) -> float:
    """The shortest trapezoid (or triangle) covering `distance` at most at `speed`,
    reaching it in `accel_time`."""
    distance = abs(distance)
    if accel_time <= 0:
        return distance / speed
    if distance >= speed * accel_time:
        return distance / speed + accel_time
    return 2 * math.sqrt(distance * accel_time / speed)


class PvtTrajectory:
    """Position-velocity-time points as a PMAC runs them, in seconds from the start.

    The run starts at `start`, at rest, and reaches point ``i`` after
    ``durations[i]`` more seconds, along the cubic Hermite curve from point
    ``i - 1``'s position and velocity to point ``i``'s. Points may be appended
    while it runs; `end_at` makes a point the last, reached at rest, as the
    motion program does with its final point. Usable in-process, e.g. to
    couple simulated encoders to the motors on a shared clock.
    """

    def __init__(self, axes: Sequence[str]) -> None:
        self.axes = tuple(axes)
        self._start = np.zeros(len(self.axes))
        self._n = 0
        self._final: int | None = None
        self._durations = np.empty(0)
        self._ends = np.empty(0)
        self._pos = np.empty((0, len(self.axes)))
        self._vel = np.empty((0, len(self.axes)))
        self._user = np.empty(0, dtype=np.int32)
        self._last: tuple[tuple[float, int, int | None], dict[str, float]] | None = None

    def __len__(self) -> int:
        return self._n

    @property
    def start(self) -> dict[str, float]:
        return dict(zip(self.axes, self._start.tolist(), strict=True))

    @start.setter
    def start(self, positions: Mapping[str, float]) -> None:
        self._start = np.array([float(positions[a]) for a in self.axes])
        self._last = None

    def append(
        self,
        durations: npt.ArrayLike,
        positions: Mapping[str, npt.ArrayLike],
        velocities: Mapping[str, npt.ArrayLike],
        user: npt.ArrayLike,
    ) -> None:
        """Add points: their durations (s), positions and velocities by axis."""
        times = np.asarray(durations, dtype=np.float64)
        count = len(times)
        n = self._n
        self._reserve(n + count)
        self._durations[n : n + count] = times
        before = self._ends[n - 1] if n else 0.0
        self._ends[n : n + count] = before + np.cumsum(times)
        for column, axis in enumerate(self.axes):
            self._pos[n : n + count, column] = np.asarray(positions[axis])[:count]
            self._vel[n : n + count, column] = np.asarray(velocities[axis])[:count]
        self._user[n : n + count] = np.asarray(user)[:count]
        self._n = n + count

    def _reserve(self, size: int) -> None:
        capacity = len(self._ends)
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity, 64)
        n = self._n

        def grown(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
            bigger = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
            bigger[:n] = array[:n]
            return bigger

        self._durations, self._ends = grown(self._durations), grown(self._ends)
        self._pos, self._vel = grown(self._pos), grown(self._vel)
        self._user = grown(self._user)

    def end_at(self, count: int) -> None:
        """Make point ``count - 1`` the last: it is reached at rest."""
        self._final = count
        self._vel[count - 1] = 0.0
        self._last = None

    @property
    def final(self) -> int | None:
        """How many points will run, once known (`end_at`)."""
        return self._final

    @property
    def _limit(self) -> int:
        return self._n if self._final is None else self._final

    @property
    def end_time(self) -> float:
        """When the last point (of those that will run, if known) is reached."""
        limit = self._limit
        return float(self._ends[limit - 1]) if limit else 0.0

    def reached(self, t: float) -> int:
        """How many points have been reached at time `t`."""
        return int(np.searchsorted(self._ends[: self._limit], t, side="right"))

    def position_at(self, t: float) -> dict[str, float]:
        """Where each axis is at time `t` (before the start: at the start).

        The last answer is kept: simulations following the axes one by one
        ask for the same moment in turn.
        """
        key = (t, self._n, self._final)
        last = self._last
        if last is not None and last[0] == key:
            return dict(last[1])
        at = self._position_at(t)
        self._last = (key, at)
        return dict(at)

    def _position_at(self, t: float) -> dict[str, float]:
        limit = self._limit
        if limit == 0:
            return self.start
        ends = self._ends
        index = min(int(np.searchsorted(ends[:limit], t, side="left")), limit - 1)
        t0 = float(ends[index - 1]) if index else 0.0
        h = float(ends[index]) - t0
        s = min(max((t - t0) / h, 0.0), 1.0)
        s2, s3 = s * s, s * s * s
        a0, a1 = 2 * s3 - 3 * s2 + 1, 3 * s2 - 2 * s3  # the Hermite basis
        b0, b1 = (s3 - 2 * s2 + s) * h, (s3 - s2) * h
        p1, v1 = self._pos[index].tolist(), self._vel[index].tolist()
        if index:
            p0, v0 = self._pos[index - 1].tolist(), self._vel[index - 1].tolist()
        else:
            p0, v0 = self._start.tolist(), [0.0] * len(self.axes)
        return {
            axis: a0 * p0[c] + b0 * v0[c] + a1 * p1[c] + b1 * v1[c]
            for c, axis in enumerate(self.axes)
        }

    def positions_at(self, t: npt.ArrayLike) -> dict[str, Floats]:
        """`position_at` for an array of times, vectorised."""
        times = np.asarray(t, dtype=np.float64)
        limit = self._limit
        if limit == 0:
            return {a: np.full(times.shape, p) for a, p in self.start.items()}
        ends = self._ends[:limit]
        index = np.minimum(np.searchsorted(ends, times, side="left"), limit - 1)
        first = index == 0
        before = np.maximum(index - 1, 0)
        t0 = np.where(first, 0.0, ends[before])
        h = ends[index] - t0
        s = np.clip((times - t0) / h, 0.0, 1.0)[:, None]
        p0 = np.where(first[:, None], self._start, self._pos[before])
        v0 = np.where(first[:, None], 0.0, self._vel[before])
        p1, v1 = self._pos[index], self._vel[index]
        s2, s3 = s * s, s * s * s
        hh = h[:, None]
        at = (
            (2 * s3 - 3 * s2 + 1) * p0
            + (s3 - 2 * s2 + s) * hh * v0
            + (3 * s2 - 2 * s3) * p1
            + (s3 - s2) * hh * v1
        )
        return {axis: at[:, column] for column, axis in enumerate(self.axes)}

    def points(self, stop: int | None = None) -> PvtPoints:
        """A copy of the first `stop` points (all by default)."""
        stop = self._n if stop is None else min(stop, self._n)
        return PvtPoints(
            durations=self._durations[:stop].copy(),
            user=self._user[:stop].copy(),
            positions={a: self._pos[:stop, c].copy() for c, a in enumerate(self.axes)},
            velocities={a: self._vel[:stop, c].copy() for c, a in enumerate(self.axes)},
        )


@dataclass(frozen=True)
class PvtPoints:
    """Points of a trajectory: durations (s), user values, and by axis letter
    positions and velocities."""

    durations: Floats
    user: npt.NDArray[np.int32]
    positions: dict[str, Floats]
    velocities: dict[str, Floats]

    def __len__(self) -> int:
        return len(self.durations)


# -- the motors --------------------------------------------------------------


@dataclass(frozen=True)
class SimMotor:
    """One simulated motor: its CS axis letter (empty: not in the CS) and fields."""

    axis: str = ""
    velocity: float = 1.0
    """VELO, for moves of the motor record and direct demands."""
    max_velocity: float = 10.0
    """VMAX: no trajectory point may be faster."""
    acceleration: float = 0.1
    """ACCL: seconds to reach VELO."""
    low_limit: float = -100.0
    high_limit: float = 100.0
    units: str = "mm"
    resolution: float = 1e-4
    """MRES."""
    position: float = 0.0

    def __post_init__(self) -> None:
        if self.axis and self.axis not in CS_AXES:
            raise ValueError(f"axis {self.axis!r} is not one of {CS_AXES}")


def default_motors(count: int) -> list[SimMotor]:
    """`count` motors on CS axes X, Y, Z, then A, B, C, U, V, W."""
    letters = "XYZABCUVW"
    if count > len(letters):
        raise ValueError(f"a coordinate system has {len(letters)} axes, not {count}")
    return [SimMotor(axis=letter) for letter in letters[:count]]


def _after_client_puts(channel: Any, then: Callable[[Any], Awaitable[None]]) -> None:
    """Run ``then(new value)`` after each client put; the put completes after it."""
    client_write = channel.write_from_dbr

    async def write_then(*args: Any, **kwargs: Any) -> Any:
        result = await client_write(*args, **kwargs)
        await then(channel.value)
        return result

    channel.write_from_dbr = write_then


_MotorGroup: Any = type(
    "_MotorGroup",
    (_server.PVGroup,),
    {"motor": _server.pvproperty(value=0.0, name="", record="motor", precision=4)},
)


class _Motor:
    """A motor record, its CS assignment records and where the motor is."""

    def __init__(self, number: int, prefix: str, spec: SimMotor, cs: int) -> None:
        self.number = number
        self.name = f"{prefix}M{number}"
        self.spec = spec
        self.record: Any = _MotorGroup(prefix=self.name).pvdb[self.name]
        self.fields: Any = self.record.field_inst
        self.position = spec.position
        self.last_val = spec.position
        self.move: TrapezoidMove | None = None
        self.history = MotionHistory(spec.position)
        """What the motor did from when: where it was at a moment just past."""
        self.in_run = False
        self.still = asyncio.Event()
        self.still.set()
        port = f"CS{cs}"
        self.pvdb: dict[str, Any] = {
            self.name: self.record,
            f"{self.name}:CsAxis_RBV": _caproto.ChannelString(value=spec.axis),
            f"{self.name}:CsPort_RBV": _caproto.ChannelEnum(
                value=port if spec.axis else "", enum_strings=("", port)
            ),
            f"{self.name}:CsRaw_RBV": _caproto.ChannelDouble(
                value=float(cs if spec.axis else 0), precision=0
            ),
        }

    async def configure(self) -> None:
        spec, fields = self.spec, self.fields
        for field, value in (
            ("velocity", spec.velocity),
            ("max_velocity", spec.max_velocity),
            ("seconds_to_velocity", spec.acceleration),
            ("user_high_limit", spec.high_limit),
            ("user_low_limit", spec.low_limit),
            ("dial_high_limit", spec.high_limit),
            ("dial_low_limit", spec.low_limit),
            ("motor_step_size", spec.resolution),
            ("encoder_step_size", spec.resolution),
            ("steps_per_revolution", 200),
            ("egu_s_per_revolution", 200 * spec.resolution),
            ("retry_deadband", spec.resolution),
            ("display_precision", 4),
            ("engineering_units", spec.units),
            ("output_specification", f"@asyn(PMAC1,{self.number})"),
            ("done_moving_to_value", 1),
            ("motor_is_moving", 0),
        ):
            await getattr(fields, field).write(value)
        await self.record.write(spec.position, verify_value=False)
        await self.show(spec.position, force=True)

    @property
    def speed(self) -> float:
        """VELO, or VMAX (or 1) when VELO is not positive."""
        for value in (self.fields.velocity.value, self.fields.max_velocity.value):
            if value > 0:
                return float(value)
        return 1.0

    @property
    def accel_time(self) -> float:
        return max(0.0, float(self.fields.seconds_to_velocity.value))

    def limits(self) -> tuple[float, float] | None:
        """The soft limits (LLM, HLM); None when both are 0, as the motor record."""
        high = float(self.fields.user_high_limit.value)
        low = float(self.fields.user_low_limit.value)
        return None if high == low == 0 else (low, high)

    def within_limits(self, position: float) -> bool:
        limits = self.limits()
        return limits is None or limits[0] <= position <= limits[1]

    async def show(self, position: float, force: bool = False) -> None:
        """Post `position` as the readbacks (RBV, DRBV, RRBV)."""
        if position == self.position and not force:
            return
        self.position = position
        fields = self.fields
        steps = round(position / float(fields.motor_step_size.value or 1.0))
        for field, value in (
            (fields.user_readback_value, position),
            (fields.dial_readback_value, position),
            (fields.raw_readback_value, max(-(2**31), min(steps, 2**31 - 1))),
        ):  # as the driver posts them: no put checks, the hot path of a run
            await field.write(value, verify_value=False, update_fields=False)

    async def start(self) -> None:
        if self.still.is_set():
            self.still.clear()
            await self.fields.done_moving_to_value.write(0)
            await self.fields.motor_is_moving.write(1)

    async def settle(self) -> None:
        """Done moving: DMOV 1, and VAL follows a move it did not command."""
        self.move = None
        if self.record.value != self.position:
            await self.record.write(self.position, verify_value=False)
        self.last_val = self.position
        await self.fields.motor_is_moving.write(0)
        await self.fields.done_moving_to_value.write(1)
        self.still.set()


# -- the controller ----------------------------------------------------------


class _Table:
    """Channels by record name under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.pvdb: dict[str, Any] = {}

    def add(self, suffix: str, channel: Any) -> Any:
        self.pvdb[self.prefix + suffix] = channel
        return channel

    def value(self, suffix: str) -> Any:
        return self.pvdb[self.prefix + suffix].value

    async def set(self, suffix: str, value: Any) -> None:
        """Write as the IOC itself: no put hooks run."""
        await self.pvdb[self.prefix + suffix].write(value, verify_value=False)


def _enum(value: str, choices: Sequence[str]) -> Any:
    return _caproto.ChannelEnum(value=value, enum_strings=tuple(choices))


def _message() -> Any:
    return _caproto.ChannelChar(value="", max_length=_MESSAGE_LENGTH)


def _doubles(length: int) -> Any:
    return _caproto.ChannelDouble(value=np.zeros(0), max_length=length, precision=4)


def _ints(length: int) -> Any:
    return _caproto.ChannelInteger(value=np.zeros(0, dtype=np.int32), max_length=length)


@dataclass
class _Run:
    """The trajectory being executed."""

    trajectory: PvtTrajectory
    motors: dict[str, _Motor]
    t0: float
    done: asyncio.Event
    switches: int = 0
    reached: int = 0


@dataclass(frozen=True)
class _Along:
    """A run's trajectory, as one axis follows it from clock time `t0`."""

    trajectory: PvtTrajectory
    axis: str
    t0: float

    def position_at(self, t: float) -> float:
        return self.trajectory.position_at(t - self.t0)[self.axis]


@dataclass(frozen=True)
class _Points:
    """Points read from the trajectory arrays, checked."""

    ticks: npt.NDArray[np.int64]
    user: npt.NDArray[np.int32]
    positions: dict[str, Floats]
    velocities: dict[str, Floats]


class SimPmac:
    """The records and behaviour of one simulated PMAC with one coordinate system."""

    def __init__(
        self,
        prefix: str,
        motors: Sequence[SimMotor],
        *,
        cs: int = 1,
        buffer_length: int = 1000,
        rate: float = 100.0,
        max_points: int = 100_000,
        max_executed: int = 1_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        letters = [m.axis for m in motors if m.axis]
        if len(set(letters)) != len(letters):
            raise ValueError(f"two motors on one CS axis: {letters}")
        if buffer_length < 1:
            raise ValueError("buffer_length must be at least 1")
        self.prefix = prefix
        self.port = f"CS{cs}"
        self.buffer_length = buffer_length
        self.rate = rate
        self.clock = clock
        self.motors = [_Motor(i + 1, prefix, m, cs) for i, m in enumerate(motors)]
        self._on_axis = {m.spec.axis: m for m in self.motors if m.spec.axis}
        self.traj = _Table(prefix)
        self.coord = _Table(f"{prefix}CS{cs}:")
        self.sim = _Table(f"{prefix}Sim:")
        self.trajectory: PvtTrajectory | None = None
        """The points built and appended, run by the last (or current) execute."""
        self.run_start: float | None = None
        """`clock` time at which the current (or last) run started."""
        self.executed: PvtPoints | None = None
        """The points the last run reached (posted in the ``Sim:`` records)."""
        self._run: _Run | None = None
        self._built = False
        self._append_ok = False
        self._loaded = 0
        self._deferred: dict[_Motor, float] = {}
        self._released = asyncio.Event()
        self._wake = asyncio.Event()
        self._max_executed = max_executed
        self._trajectory_records(max_points)
        self._coordinate_system_records()
        self._sim_records(max_executed)

    def motor_position(self, axis: str, at: float | None = None) -> float:
        """Where the motor on CS axis `axis` is at `clock` time `at` (default now).

        Exact, not the last readback posted: along the trajectory that was
        running then (`PvtTrajectory.position_at`), along a move, or where it
        rested. A moment of the last minute gets where the motor was then, not
        where its present run, move or rest would put it (`MotionHistory`):
        simulations in the same process that follow the motors on the shared
        clock (encoders, position compare, detectors) may ask late, from a
        thread behind the clock.
        """
        motor = self._on_axis.get(axis)
        if motor is None:
            raise KeyError(f"no motor of {self.port} is on CS axis {axis!r}")
        return motor.history.position_at(self.clock() if at is None else at)

    @property
    def pvdb(self) -> dict[str, Any]:
        pvdb: dict[str, Any] = {}
        for motor in self.motors:
            pvdb.update(motor.pvdb)
        return {**pvdb, **self.traj.pvdb, **self.coord.pvdb, **self.sim.pvdb}

    # -- records -------------------------------------------------------------

    def _trajectory_records(self, length: int) -> None:
        traj = self.traj
        traj.add("ProfileTimeArray", _doubles(length))
        traj.add("UserArray", _ints(length))
        for letter in CS_AXES:
            traj.add(f"{letter}:Positions", _doubles(length))
            traj.add(f"{letter}:Velocities", _doubles(length))
            traj.add(f"{letter}:UseAxis", _enum("No", _NO_YES))
        traj.add("ProfilePointsToBuild", _caproto.ChannelInteger(value=0))
        traj.add("TotalPoints_RBV", _caproto.ChannelInteger(value=0))
        traj.add("ProfileCsName", _enum(self.port, (self.port,)))
        traj.add("ProfileCalcVel", _enum("NO", ("NO", "YES")))
        for name, on_put in (
            ("Build", self._build),
            ("Append", self._append),
            ("Execute", self._execute),
            ("Abort", self._abort),
        ):
            channel = traj.add(f"Profile{name}", _enum("Done", ("Done", name)))
            _after_client_puts(channel, on_put)
            if name != "Abort":
                traj.add(f"Profile{name}Message_RBV", _message())
        traj.add("ProfileBuildStatus_RBV", _enum("Undefined", _BUILD_STATUS))
        traj.add("ProfileAppendStatus_RBV", _enum("Undefined", _BUILD_STATUS))
        traj.add("ProfileExecuteStatus_RBV", _enum("Undefined", _EXECUTE_STATUS))
        traj.add("ProfileExecuteState_RBV", _enum("Done", _EXECUTE_STATE))

    def _coordinate_system_records(self) -> None:
        coord = self.coord
        coord.add("Port", _caproto.ChannelString(value=self.port))
        defer = coord.add("DeferMoves", _enum("Defer Off", ("Defer Off", "Defer On")))
        _after_client_puts(defer, self._defer_moves)
        for index, letter in enumerate(CS_AXES, start=1):
            demand = coord.add(
                f"M{index}:DirectDemand", _caproto.ChannelDouble(value=0.0, precision=4)
            )

            async def direct_demand(value: Any, letter: str = letter) -> None:
                await self._direct_demand(letter, float(value))

            _after_client_puts(demand, direct_demand)

    def _sim_records(self, length: int) -> None:
        sim = self.sim
        sim.add("ExecutedPoints_RBV", _caproto.ChannelInteger(value=0))
        sim.add("ExecutedTimes_RBV", _doubles(length))
        sim.add("ExecutedUser_RBV", _ints(length))
        for letter in CS_AXES:
            sim.add(f"{letter}:ExecutedPositions_RBV", _doubles(length))
            sim.add(f"{letter}:ExecutedVelocities_RBV", _doubles(length))
        sim.add("BufferLength_RBV", _caproto.ChannelInteger(value=self.buffer_length))

    async def _setup(self) -> None:
        for motor in self.motors:
            await motor.configure()
            _after_client_puts(motor.record, self._motor_put(motor))
            _after_client_puts(motor.fields.stop, self._motor_stop(motor))

    # -- motor records and direct demands -----------------------------------

    def _motor_put(self, motor: _Motor) -> Callable[[Any], Awaitable[None]]:
        async def move(value: Any) -> None:
            target = float(value)
            fields = motor.fields
            if fields.set_use_switch.value == "Set":
                motor.last_val = target
                motor.history.follow(self.clock(), Rest(target))
                await motor.show(target)
                return
            beyond = not motor.within_limits(target)
            if motor.in_run or beyond:
                await fields.limit_violation.write(int(beyond))
                await motor.record.write(motor.last_val, verify_value=False)
                return
            await fields.limit_violation.write(0)
            motor.last_val = target
            await self._move_together({motor: target})
            await motor.still.wait()

        return move

    def _motor_stop(self, motor: _Motor) -> Callable[[Any], Awaitable[None]]:
        async def stop(value: Any) -> None:
            if not value:
                return
            await motor.fields.stop.write(0)
            if motor.in_run:
                await self._end_run(_FAILURE, f"Scan failed: {motor.name} stopped")
            elif motor.move is not None:
                now = self.clock()
                here = motor.move.position_at(now)
                motor.history.follow(now, Rest(here))
                await motor.show(here)
                await motor.settle()

        return stop

    async def _move_together(self, targets: Mapping[_Motor, float]) -> None:
        """Start moves that begin and end together, each within VELO and ACCL."""
        moving = {m: p for m, p in targets.items() if not m.in_run}
        if not moving:
            return
        now = self.clock()
        starts = {m: m.move.position_at(now) if m.move else m.position for m in moving}
        duration = max(
            move_duration(p - starts[m], m.speed, m.accel_time)
            for m, p in moving.items()
        )
        for motor, target in moving.items():
            motor.move = TrapezoidMove(
                starts[motor],
                target,
                now,
                duration,
                min(motor.accel_time, duration / 2),
            )
            motor.history.follow(now, motor.move)
            await motor.start()
        self._wake.set()

    async def _direct_demand(self, letter: str, value: float) -> None:
        motor = self._on_axis.get(letter)
        if motor is None or motor.in_run:
            return
        if self.coord.value("DeferMoves") == "Defer On":
            self._deferred[motor] = value
            released = self._released
            await released.wait()
        else:
            await self._move_together({motor: value})
        await motor.still.wait()

    async def _defer_moves(self, value: Any) -> None:
        if value == "Defer On":
            return
        deferred, self._deferred = self._deferred, {}
        await self._move_together(deferred)
        released, self._released = self._released, asyncio.Event()
        released.set()

    # -- build and append ----------------------------------------------------

    def _used_axes(self) -> list[str]:
        traj = self.traj
        return [a for a in CS_AXES if traj.value(f"{a}:UseAxis") == "Yes"]

    def _read_points(self, axes: Sequence[str], first: int) -> _Points | str:
        """The points to build or append, or what is wrong with them.

        `first` is the index the first of them will have in the trajectory.
        """
        traj = self.traj
        count = int(traj.value("ProfilePointsToBuild"))
        if count < 1:
            return f"ProfilePointsToBuild is {count}: nothing to build"
        if traj.value("ProfileCalcVel") == "YES":
            return "ProfileCalcVel YES is not simulated: write the velocities"
        arrays: dict[str, npt.NDArray[Any]] = {
            "ProfileTimeArray": np.asarray(traj.value("ProfileTimeArray"), float),
            "UserArray": np.asarray(traj.value("UserArray"), np.int32),
        }
        for axis in axes:
            if axis not in self._on_axis:
                return f"axis {axis} is used but no motor of {self.port} is on it"
            for kind in ("Positions", "Velocities"):
                name = f"{axis}:{kind}"
                arrays[name] = np.asarray(traj.value(name), float)
        for name, array in arrays.items():
            if len(array) < count:
                return (
                    f"{name} has {len(array)} points, fewer than the {count} to build"
                )
        times = arrays["ProfileTimeArray"][:count]
        ticks = np.rint(np.nan_to_num(times, nan=0.0)).astype(np.int64)
        for index in np.flatnonzero((ticks < 1) | (ticks > MAX_TICKS))[:1]:
            return (
                f"point {first + index}: time {times[index]:g} microseconds is not "
                f"between 1 and {MAX_TICKS}"
            )
        points = _Points(
            ticks=ticks,
            user=arrays["UserArray"][:count],
            positions={a: arrays[f"{a}:Positions"][:count] for a in axes},
            velocities={a: arrays[f"{a}:Velocities"][:count] for a in axes},
        )
        return self._beyond_motors(points, first) or points

    def _beyond_motors(self, points: _Points, first: int) -> str:
        """What is beyond a motor's limits or speed ('' if nothing)."""
        for axis, positions in points.positions.items():
            motor = self._on_axis[axis]
            where = f"of axis {axis} ({motor.name})"
            for index in np.flatnonzero(~np.isfinite(positions))[:1]:
                return f"point {first + index} {where}: position is not a number"
            limits = motor.limits()
            if limits is not None:
                low, high = limits
                for index in np.flatnonzero((positions < low) | (positions > high))[:1]:
                    position = float(positions[index])
                    limit = (
                        f"high limit {high:g}"
                        if position > high
                        else f"low limit {low:g}"
                    )
                    return (
                        f"point {first + index} {where}: position {position:g} is "
                        f"beyond the {limit}"
                    )
            velocities = points.velocities[axis]
            vmax = float(motor.fields.max_velocity.value)
            bad = ~np.isfinite(velocities)
            if vmax > 0:
                bad |= np.abs(velocities) > vmax
            for index in np.flatnonzero(bad)[:1]:
                return (
                    f"point {first + index} {where}: velocity {velocities[index]:g} "
                    f"is beyond VMAX {vmax:g}"
                )
        return ""

    async def _set_status(self, kind: str, status: str, message: str) -> None:
        traj = self.traj
        await traj.set(f"Profile{kind}Message_RBV", message[: _MESSAGE_LENGTH - 1])
        await traj.set(f"Profile{kind}Status_RBV", status)

    async def _build(self, value: Any) -> None:
        if value != "Build":
            return
        try:
            await self._set_status("Build", "Undefined", "Building profile")
            if self._run is not None:
                await self._set_status("Build", _FAILURE, "Scan is already executing")
                return
            self._built = False
            axes = self._used_axes()
            points = self._read_points(axes, 0)
            if isinstance(points, str):
                await self._set_status("Build", _FAILURE, points)
                return
            self.trajectory = PvtTrajectory(axes)
            self._extend(points)
            self._loaded = 0
            self._fill()
            await self.traj.set("TotalPoints_RBV", 0)
            await self._post_executed(None)
            self._built = self._append_ok = True
            await self._set_status("Build", _SUCCESS, "Profile built")
            await self._set_status("Append", _SUCCESS, "")
        finally:
            await self.traj.set("ProfileBuild", "Done")

    def _extend(self, points: _Points) -> None:
        assert self.trajectory is not None
        self.trajectory.append(
            points.ticks * TICK_S, points.positions, points.velocities, points.user
        )

    def _fill(self) -> None:
        """Hand the controller its next half buffer; a short one holds the end."""
        trajectory = self.trajectory
        assert trajectory is not None
        count = min(self.buffer_length, len(trajectory) - self._loaded)
        self._loaded += count
        if count < self.buffer_length:
            trajectory.end_at(self._loaded)

    async def _append(self, value: Any) -> None:
        if value != "Append":
            return
        try:
            trajectory = self.trajectory
            await self._set_status("Append", _SUCCESS, "Appending points to trajectory")
            if not self._append_ok or trajectory is None:
                message = "Cannot append points, is the scan built?"
                await self._set_status("Append", _FAILURE, message)
                return
            points = self._read_points(trajectory.axes, len(trajectory))
            if isinstance(points, str):
                await self._set_status("Append", _FAILURE, points)
                return
            self._extend(points)
            message = f"Appended {len(points.ticks)} points to the trajectory"
            await self._set_status("Append", _SUCCESS, message)
        finally:
            await self.traj.set("ProfileAppend", "Done")

    # -- execute and abort ---------------------------------------------------

    async def _execute(self, value: Any) -> None:
        if value != "Execute":
            return
        if self._run is not None:  # a busy record: this put ends with the run
            await self._run.done.wait()
            return
        traj = self.traj
        trajectory = self.trajectory
        await traj.set("ProfileExecuteState_RBV", "Move start")
        await self._set_status("Execute", "Undefined", "Starting trajectory execution")
        if not self._built or trajectory is None:
            await traj.set("ProfileExecuteState_RBV", "Done")
            message = "Trajectory profile was not built successfully"
            await self._set_status("Execute", _FAILURE, message)
            await traj.set("ProfileExecute", "Done")
            return
        self._built = False  # as the real driver: each run needs its own build
        motors = {axis: self._on_axis[axis] for axis in trajectory.axes}
        now = self.clock()
        for motor in motors.values():
            if motor.move is not None:
                here = motor.move.position_at(now)
                motor.history.follow(now, Rest(here))
                motor.move = None
                await motor.show(here)
            motor.in_run = True
            await motor.start()
        trajectory.start = {axis: m.position for axis, m in motors.items()}
        if trajectory.final is None:
            self._fill()
        run = self._run = _Run(trajectory, motors, self.clock(), asyncio.Event())
        self.run_start = run.t0
        for axis, motor in motors.items():
            motor.history.follow(run.t0, _Along(trajectory, axis, run.t0))
        await traj.set("ProfileExecuteState_RBV", "Executing")
        await self._set_status("Execute", _SUCCESS, "Executing trajectory scan")
        self._wake.set()
        await run.done.wait()

    async def _abort(self, value: Any) -> None:
        if value != "Abort":
            return
        if self._run is not None:
            await self._end_run("Abort", "Trajectory scan aborted")
        else:
            await self._set_status("Execute", "Abort", "Trajectory scan aborted")
        await self.traj.set("ProfileAbort", "Done")

    async def _end_run(
        self, status: str, message: str, at: float | None = None
    ) -> None:
        """End the run at `at` (default now): motors stay where they are then."""
        run = self._run
        if run is None:
            return
        self._run = None
        trajectory = run.trajectory
        t = (self.clock() if at is None else at) - run.t0
        reached = trajectory.reached(t)
        positions = trajectory.position_at(t)
        for axis, motor in run.motors.items():
            motor.history.follow(run.t0 + t, Rest(positions[axis]))
        for axis, motor in run.motors.items():
            await motor.show(positions[axis])
            motor.in_run = False
            await motor.settle()
        self._append_ok = False
        await self.traj.set("TotalPoints_RBV", reached)
        await self._post_executed(trajectory.points(reached))
        await self.traj.set("ProfileExecuteState_RBV", "Done")
        await self._set_status("Execute", status, message)
        await self.traj.set("ProfileExecute", "Done")
        run.done.set()

    async def _post_executed(self, points: PvtPoints | None) -> None:
        """Publish what ran in the ``Sim:`` records (None: nothing yet)."""
        self.executed = points
        sim = self.sim
        count = 0 if points is None else len(points)
        keep = min(count, self._max_executed)
        await sim.set("ExecutedPoints_RBV", count)
        ticks = np.zeros(0) if points is None else points.durations[:keep] / TICK_S
        await sim.set("ExecutedTimes_RBV", np.rint(ticks))
        user = np.zeros(0, np.int32) if points is None else points.user[:keep]
        await sim.set("ExecutedUser_RBV", user)
        for letter in CS_AXES:
            for kind, values in (
                ("Positions", None if points is None else points.positions),
                ("Velocities", None if points is None else points.velocities),
            ):
                column = np.zeros(0) if values is None else values.get(letter)
                if column is None:
                    column = np.zeros(0)
                await sim.set(f"{letter}:Executed{kind}_RBV", column[:keep])

    # -- time ----------------------------------------------------------------

    async def _animate(self) -> None:
        """Move the motors along their moves and the run, `rate` times a second."""
        period = 1.0 / self.rate
        while True:
            if self._run is None and all(m.move is None for m in self.motors):
                self._wake.clear()
                await self._wake.wait()
            await self._step(self.clock())
            await asyncio.sleep(period)

    async def _step(self, now: float) -> None:
        for motor in self.motors:
            move = motor.move
            if move is None:
                continue
            await motor.show(move.position_at(now))
            if now >= move.end:
                await motor.settle()
        run = self._run
        if run is None:
            return
        trajectory = run.trajectory
        t = now - run.t0
        reached = trajectory.reached(t)
        length = self.buffer_length
        while trajectory.final is None and reached >= (run.switches + 1) * length - 1:
            run.switches += 1  # into the next half buffer: the driver fills one
            self._fill()
            reached = trajectory.reached(t)
        if trajectory.final is not None and t >= trajectory.end_time:
            end = trajectory.end_time + run.t0
            ran, built = trajectory.final, len(trajectory)
            if ran == built:
                await self._end_run(_SUCCESS, "Trajectory scan complete", end)
            else:
                message = f"Scan failed, unable to fill buffers in time ({ran}/{built})"
                await self._end_run(_FAILURE, message, end)
            return
        positions = trajectory.position_at(t)
        for axis, motor in run.motors.items():
            await motor.show(positions[axis])
        if reached != run.reached:
            run.reached = reached
            await self.traj.set("TotalPoints_RBV", reached)

    async def start(self) -> asyncio.Task[None]:
        """Set the motors up and start moving them: the task that does it.

        `serve` does this itself; call it when another server serves `pvdb`
        (simulations sharing one process, `sim_beamline`).
        """
        await self._setup()
        return asyncio.ensure_future(self._animate())

    async def serve(self, interfaces: list[str], ready_line: str = READY) -> None:
        """Serve the records until cancelled; print `ready_line` once serving."""
        animation = await self.start()

        async def tell(_async_lib: Any) -> None:
            announce(ready_line)

        try:
            await _asyncio_server.start_server(
                self.pvdb, interfaces=interfaces, startup_hook=tell
            )
        finally:
            animation.cancel()


def motors_from_argument(text: str) -> list[SimMotor]:
    """``--motors 3`` (default motors) or a JSON list of `SimMotor` fields."""
    if text.strip().isdigit():
        return default_motors(int(text))
    return [SimMotor(**fields) for fields in json.loads(text)]


def motors_argument(motors: Sequence[SimMotor]) -> str:
    """The ``--motors`` argument that makes `motors`."""
    return json.dumps([asdict(m) for m in motors])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A simulated Delta Tau PMAC.")
    parser.add_argument("--prefix", required=True, help="e.g. BL01:PMAC1:")
    parser.add_argument("--motors", default="2", help="a count, or a JSON list")
    parser.add_argument("--cs", type=int, default=1, help="coordinate system number")
    parser.add_argument("--buffer-length", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="updates/second")
    parser.add_argument("--interface", default="127.0.0.1")
    args = parser.parse_args(argv)

    async def run() -> None:
        pmac = SimPmac(
            str(args.prefix),
            motors_from_argument(str(args.motors)),
            cs=int(args.cs),
            buffer_length=int(args.buffer_length),
            rate=float(args.rate),
        )
        await pmac.serve([str(args.interface)])

    asyncio.run(run())


if __name__ == "__main__":
    main()
