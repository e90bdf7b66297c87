"""A service subprocess of `blueprint serve`: its own process group, its output
kept in a log file (and echoed), stopped with everything it started, and
killed with it even if `blueprint serve` itself is killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ophyd_blueprint.process_log import copy_output, end_process, log_tail

__all__ = ["ServiceProcess"]

_REAPER = """
import os, signal, sys, time
groups = set()
for line in sys.stdin:
    verb, _, pid = line.partition(" ")
    (groups.add if verb == "watch" else groups.discard)(int(pid))
for signum in (signal.SIGTERM, signal.SIGKILL):
    for group in groups:
        try:
            os.killpg(group, signum)
        except OSError:
            pass
    deadline = time.monotonic() + 3
    while groups and time.monotonic() < deadline:
        time.sleep(0.05)
        for group in list(groups):
            try:
                os.killpg(group, 0)
            except OSError:
                groups.discard(group)
"""
"""The reaper: reads ``watch PID`` / ``forget PID`` lines; at the end of its
input (this process has exited, however it died) it ends the process groups
still watched: SIGTERM, then SIGKILL those left after 3 s."""


class _Reaper:
    """One watchdog process per `blueprint serve`, started with the first
    service: a service's group is watched while it runs, so that a SIGKILLed
    or crashed serve leaves no Redis or RE Manager holding its ports."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _send(self, line: str) -> None:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _REAPER],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # Ctrl-C is ours to handle, not its
                )
            stdin = self._proc.stdin
            assert stdin is not None
            with contextlib.suppress(OSError):
                stdin.write(f"{line}\n".encode())
                stdin.flush()

    def watch(self, group: int) -> None:
        self._send(f"watch {group}")

    def forget(self, group: int) -> None:
        self._send(f"forget {group}")


_reaper = _Reaper()


class ServiceProcess:
    """`argv` run in a session of its own, so that `stop` ends its children too.

    Every line it prints goes to `log_path`, and to `echo` if given.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        echo: Callable[[str], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._echo = echo
        self._env = dict(env) if env is not None else None
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=self._env,
            cwd=self.log_path.parent,
            start_new_session=True,  # Ctrl-C reaches us only; we stop it in order
        )
        _reaper.watch(self._proc.pid)  # the leader of its own session
        assert self._proc.stdout is not None
        self._reader = threading.Thread(
            target=copy_output,
            args=(self._proc.stdout, self.log_path),
            kwargs={"echo": self._echo},
            name=self.name,
            daemon=True,
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        assert self._proc is not None, f"{self.name} was not started"
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        """None while it runs (or before it started), its exit code after."""
        return None if self._proc is None else self._proc.poll()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, SIGKILL after `timeout`; then whatever it started is killed."""
        proc = self._proc
        if proc is None:
            return
        end_process(proc, timeout)
        # the session's other processes (children it did not end) go with it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        _reaper.forget(proc.pid)
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines it printed, or ``(no output)``.

        Once it has exited, its last lines are waited for (up to 5 s): the
        reason it exited is usually the last thing it printed.
        """
        reader = self._reader
        if reader is not None and not self.running:
            reader.join(5.0)
        return log_tail(self.log_path, lines)
