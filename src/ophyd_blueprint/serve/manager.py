"""The bluesky-queueserver RE Manager that `blueprint serve` runs: its watchdog,
manager and worker processes, on 127.0.0.1, ended together."""

from __future__ import annotations

import contextlib
import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ports import LOOPBACK
from .process import ServiceProcess

__all__ = ["ManagerError", "ManagerFiles", "ReManager"]

_START = (
    "import sys; from bluesky_queueserver.manager.start_manager import "
    "start_manager; sys.exit(start_manager())"
)


class ManagerError(RuntimeError):
    """The RE Manager did not start, or stopped; the message has its output."""


@dataclass(frozen=True)
class ManagerFiles:
    """What the worker runs and what the manager reads at start."""

    startup_script: Path
    existing_plans_and_devices: Path
    user_group_permissions: Path
    worker_pid: Path
    """Where the startup script writes the worker's pid."""


class ReManager:
    """``start-re-manager`` listening for clients on `control_port` (0MQ),
    publishing its console on `info_port`, keeping its queue in the Redis at
    `redis_address`. Its output goes to ``re_manager.log`` beside the startup
    script, and to `echo`."""

    def __init__(
        self,
        files: ManagerFiles,
        *,
        control_port: int,
        info_port: int,
        redis_address: str,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.control_port = control_port
        self.info_port = info_port
        argv = [
            sys.executable,
            "-c",
            _START,
            "--zmq-control-addr",
            self.control_address,
            "--zmq-info-addr",
            self.info_address,
            "--zmq-publish-console",
            "ON",
            "--redis-addr",
            redis_address,
            "--startup-script",
            str(files.startup_script),
            "--existing-plans-devices",
            str(files.existing_plans_and_devices),
            "--user-group-permissions",
            str(files.user_group_permissions),
            "--update-existing-plans-devices",
            "ENVIRONMENT_OPEN",
        ]
        log = files.startup_script.with_name("re_manager.log")
        self._process = ServiceProcess("re-manager", argv, log, echo=echo)

    @property
    def control_address(self) -> str:
        """Where clients send requests: ``REManagerAPI(zmq_control_addr=...)``."""
        return f"tcp://{LOOPBACK}:{self.control_port}"

    @property
    def info_address(self) -> str:
        """Where the console output is published: ``zmq_info_addr=...``."""
        return f"tcp://{LOOPBACK}:{self.info_port}"

    @property
    def running(self) -> bool:
        return self._process.running

    @property
    def returncode(self) -> int | None:
        return self._process.returncode

    def start(self, timeout: float = 60.0) -> None:
        """Start and wait until it answers a status request (within `timeout`)."""
        self._process.start()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if not self._process.running:
                raise ManagerError(
                    f"the RE Manager exited with code {self._process.returncode}:\n"
                    f"{self._process.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ManagerError(
                    f"the RE Manager did not answer on {self.control_address} "
                    f"within {timeout} s:\n{self._process.log_tail()}"
                )

    def answers(self, timeout: float = 1.0) -> bool:
        """Whether the manager answers a status request within `timeout`."""
        return self.status(timeout) is not None

    def status(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """The manager's status (``worker_environment_exists``,
        ``manager_state``, ...), or None if it does not answer in `timeout`."""
        api = _client(self.control_address, timeout)
        try:
            return dict(api.status())
        except Exception:  # any failure to answer is "no status"
            return None
        finally:
            api.close()

    def destroy_environment(self, timeout: float = 30.0) -> None:
        """Have the manager end its worker and mark the environment closed."""
        api = _client(self.control_address, timeout)
        try:
            api.environment_destroy()
            api.wait_for_idle(timeout=timeout)
        finally:
            api.close()

    def stop(self, timeout: float = 15.0) -> None:
        """Close the worker's environment (destroy it if a plan runs), then
        SIGTERM: the watchdog kills what is left and exits; whatever remains
        of its process group is killed after `timeout`."""
        if self.running:
            with contextlib.suppress(Exception):  # then the signal does it all
                self._close_environment(timeout)
        self._process.stop(timeout)

    def _close_environment(self, timeout: float) -> None:
        status = self.status()
        if status is None or not status["worker_environment_exists"]:
            return
        api = _client(self.control_address, timeout)
        try:
            if status["manager_state"] == "idle":
                api.environment_close()
            else:
                api.environment_destroy()
            api.wait_for_condition(_environment_closed, timeout=timeout)
        finally:
            api.close()


def _environment_closed(status: dict[str, Any]) -> bool:
    return not status["worker_environment_exists"]


def _client(control_address: str, timeout: float) -> Any:
    """bluesky-queueserver-api's client (it ships no type information)."""
    zmq_api: Any = importlib.import_module("bluesky_queueserver_api.zmq")
    return zmq_api.REManagerAPI(zmq_control_addr=control_address, timeout_recv=timeout)
