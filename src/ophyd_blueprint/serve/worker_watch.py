"""Notice a worker that died without the manager asking it to (killed, crashed).

bluesky-queueserver does not notice by itself: its status goes on saying the
environment is open and idle. The worker's startup code writes the worker's
pid to a file; once that process is gone while the manager still counts its
environment as open (and is not closing or opening it), `WorkerWatch` has the
manager destroy the environment, so that its status says closed and opening it
again starts a new worker, which loads the beamline afresh.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from .manager import ReManager

__all__ = ["WorkerWatch"]

_CHANGING = ("creating_environment", "closing_environment", "destroying_environment")
"""Manager states in which a worker ends or starts on request: not a death."""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class WorkerWatch:
    """Watches the worker whose pid the startup code wrote to `pid_file`."""

    def __init__(self, pid_file: Path, manager: ReManager) -> None:
        self.pid_file = pid_file
        self.manager = manager

    def died(self) -> int | None:
        """The pid of a worker that died unasked, its environment now destroyed;
        None if the worker lives, or ended because the manager closed it."""
        try:
            pid = int(self.pid_file.read_text())
        except (OSError, ValueError):  # no environment opened yet
            return None
        if _alive(pid):
            return None
        self.pid_file.unlink(missing_ok=True)
        status = self.manager.status()
        if (
            status is None
            or not status["worker_environment_exists"]
            or status["manager_state"] in _CHANGING
        ):
            return None
        self.manager.destroy_environment()
        return pid
