"""Pausing a fly scan: stop its devices in order, resume from the first frame missing.

bluesky's RunEngine pauses a plan (``RE.request_pause()``) by cancelling the
message it is waiting on, calling ``pause()`` on every object of the run that
has ``pause`` and ``resume``, and, on ``RE.resume()``, replaying the messages
sent since the last ``checkpoint`` before the plan goes on. A fly scan's
devices run on their own while the plan waits, so a replay cannot restart
them; `FlyPauses` is the object the RunEngine pauses instead:

- ``pause()`` stops the trigger device first (no more frames are gated), then
  the motion device (the axes stop where they are) and the detectors (their
  files stay open), ends every status the scan still waits on, and reads how
  many frames each detector has written in the run;
- the plan sends a ``checkpoint`` before each of its waits, so the replay is
  at most that wait (whose statuses the pause ended); it then sees the pause
  (`count` went up) and takes the path up again from the first frame not
  written by every detector (`resume_frame`): each detector is prepared for
  the frames it still lacks, in the same file (its stream resource goes on
  where it stopped), and the motion and trigger devices with
  ``FlyPath(spec, resume_frame)``.

The protocol a device implements to take part (bluesky's verbs):

- a detector: ``prepare(TriggerInfo)``, ``kickoff``, ``complete``, ``stop()``
  (stop acquiring now, keeping the run's file open) and ``get_index()``
  (frames written in the run so far);
- a motion or trigger device: ``prepare(spec)`` at the start, and
  ``prepare(FlyPath(spec, n))`` to resume at frame n (a motion device ramps
  into frame n's window; a trigger device gates frames n onwards only),
  ``kickoff``, ``complete`` and ``stop()`` (halt now).

A scan with a device that has no ``stop`` cannot be paused: bluesky then
aborts the run when asked to pause (its ``clear_checkpoint``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from bluesky.utils import maybe_await

__all__ = ["FlyPauses"]

STOP_TIMEOUT = 10.0
"""Seconds a device may take to stop, or a status to end, when pausing."""


class FlyPauses:
    """What one fly scan does when the RunEngine pauses it (bluesky's Pausable)."""

    def __init__(
        self, detectors: Sequence[Any], *, trigger: Any = None, motion: Any = None
    ) -> None:
        self.detectors = list(detectors)
        self.trigger = trigger
        self.motion = motion
        self.count = 0
        """Pauses so far; the plan compares it before and after each wait."""
        self.written: dict[int, int] = {}
        """Frames written in the run by each detector (by id) at the last pause."""
        self._statuses: list[Any] = []

    @property
    def stoppable(self) -> bool:
        """Every device of the scan can be stopped (else a pause aborts)."""
        devices = [*self.detectors, self.trigger, self.motion]
        return all(hasattr(d, "stop") for d in devices if d is not None)

    def watch(self, status: Any) -> Any:
        """Keep `status` (of a prepare, kickoff or complete) to end it on a pause."""
        if status is not None:
            self._statuses.append(status)
        return status

    def frames_written(self, detector: Any) -> int:
        """Frames `detector` had written in the run at the last pause (0: none)."""
        return self.written.get(id(detector), 0)

    def resume_frame(self) -> int:
        """The first frame of the path not written by every detector."""
        return min(self.frames_written(d) for d in self.detectors)

    async def pause(self) -> None:
        """Stop the trigger, then the motion and the detectors; count frames."""
        self.count += 1
        if self.trigger is not None:
            await _stopped(self.trigger)
            await _in_flight_frames_written(self.detectors)
        others = [self.motion, *(d for d in self.detectors if d is not self.trigger)]
        await asyncio.gather(*(_stopped(d) for d in others if d is not None))
        statuses, self._statuses = self._statuses, []
        for status in statuses:
            if not status.done:
                status.cancel()
        await asyncio.gather(*(_ended(s) for s in statuses))
        await asyncio.sleep(0)  # the RunEngine's own callbacks on them run first
        indices = await asyncio.gather(
            *(maybe_await(d.get_index()) for d in self.detectors)
        )
        self.written = {
            id(d): int(i) for d, i in zip(self.detectors, indices, strict=True)
        }

    def resume(self) -> None:
        """Nothing to do here: the plan prepares the rest of the path itself."""


SETTLE_TIMEOUT = 0.5
"""Seconds the frames already triggered may go without one more written, at a
pause, before the detectors are stopped anyway."""


async def _in_flight_frames_written(detectors: Sequence[Any]) -> None:
    """Once the trigger stopped, every detector saw the same edges: wait until
    their counts agree, so that stopping them drops no frame one of them is
    still writing while another has it (a detector keeping one file for the
    run would write that frame again when the scan resumes from the lowest
    count). Waits on while the counts move, at most `STOP_TIMEOUT`; gives up
    once no count moved for `SETTLE_TIMEOUT` (a detector that missed an edge
    never catches up)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_TIMEOUT
    settled = loop.time() + SETTLE_TIMEOUT
    last: list[int] = []
    while loop.time() < min(deadline, settled):
        counts = await asyncio.gather(*(maybe_await(d.get_index()) for d in detectors))
        if len(set(counts)) <= 1:
            return
        if counts != last:
            last = list(counts)
            settled = loop.time() + SETTLE_TIMEOUT
        await asyncio.sleep(0.005)  # polls the counts; bounded by the deadline


async def _stopped(device: Any) -> None:
    what = f"{getattr(device, 'name', device)} to stop"
    await _ended(device.stop(), what, check=True)


async def _ended(status: Any, what: str = "", *, check: bool = False) -> None:
    """Wait for a bluesky status to end; with `check`, raise its error."""
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    def finished(_status: Any) -> None:
        loop.call_soon_threadsafe(_settle, ended)

    status.add_callback(finished)
    try:
        await asyncio.wait_for(ended, STOP_TIMEOUT)
    except TimeoutError:
        raise TimeoutError(
            f"pausing the fly scan: waited {STOP_TIMEOUT:g} s for "
            f"{what or status} in vain"
        ) from None
    if check and not status.success:
        raise status.exception()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
