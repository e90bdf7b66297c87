"""A test server in a subprocess: started, waited for, stopped, killed.

Every server the tests and the demo start (EPICS IOCs, simulated IOCs, the
pandablocks-ioc, the Tango device server, Tiled) has the same life:
`ServerProcess` runs its command with stdout and stderr copied to a log file
(`log_path`, whose tail goes into error messages and failing tests'
reports), waits until it serves (a line it prints, or a probe answering),
and raises the server's error with that tail if it exits first or the wait
runs out. `stop` closes its stdin when it was told to exit on that (IOC
shells, the Tango server), else terminates it, and kills it if it lingers;
`kill` is SIGKILL, as a crash would be. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ophyd_blueprint.process_log import copy_output, end_process, log_tail

from .lifecycle import Started

__all__ = ["ServerProcess", "running_servers"]

_POLL = 0.05
"""How often a start checks that the server has not exited meanwhile (s)."""

_running: list[ServerProcess] = []
"""The servers this process has launched and not stopped or killed."""


def running_servers() -> tuple[ServerProcess, ...]:
    """The servers this process has launched and not stopped or killed, oldest
    first (`pytest_runtest_makereport` attaches their logs' tails to failing
    tests)."""
    return tuple(_running)


class ServerProcess(Started):
    """One server subprocess with its log; subclasses say how it starts."""

    error: type[Exception] = RuntimeError
    """What a server that does not start raises."""
    stop_timeout: float = 10.0
    """How long `stop` waits for it to exit, by default, before killing it."""

    def __init__(self, what: str, log_path: Path) -> None:
        self.what = what
        """The server in messages: ``IOC T12-ab01cd:``, ``tiled``..."""
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._exits_on_eof = False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The process id of its current run, while it runs."""
        return self._proc.pid if self.running and self._proc is not None else None

    def launch(
        self,
        argv: Sequence[str],
        timeout: float,
        *,
        ready_lines: Sequence[str] = (),
        probe: Callable[[], bool] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        console: str | None = None,
    ) -> None:
        """Run `argv` and wait until it serves: until it prints a line that
        contains one of `ready_lines`, or `probe` answers True.

        With `console`, stdin is a pipe kept open (the server exits when it
        closes) and `console` is written to it first: an IOC shell's command
        that prints a ready line once it has initialised. Raises `error` with
        the log's tail if the server exits first or `timeout` runs out (and
        then stops it).
        """
        ready = threading.Event()
        self._exits_on_eof = console is not None
        if self not in _running:
            _running.append(self)
        self._proc = proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if console is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=None if env is None else dict(env),
            cwd=cwd,
        )
        assert proc.stdout is not None
        if console is not None:
            assert proc.stdin is not None
            proc.stdin.write(console.encode())
            proc.stdin.flush()
        markers = tuple(line.encode() for line in ready_lines)
        self._reader = threading.Thread(
            target=copy_output,
            args=(proc.stdout, self.log_path, ready, markers),
            name=f"server {self.what}",
            daemon=True,
        )
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not (ready.wait(_POLL) if probe is None else probe()):
            if proc.poll() is not None:
                self.stop()
                raise self.error(
                    f"{self.what} exited with code {proc.returncode} before it "
                    f"served:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise self.error(
                    f"{self.what} did not serve within {timeout} s:\n{self.log_tail()}"
                )
            if probe is not None:
                time.sleep(_POLL)

    def stop(self, timeout: float | None = None) -> None:
        """Close its stdin if it exits on that, else terminate it; kill it
        if it has not exited within `timeout` (default `stop_timeout`)."""
        timeout = self.stop_timeout if timeout is None else timeout
        proc = self._proc
        if proc is not None and proc.poll() is None and self._exits_on_eof:
            with contextlib.suppress(OSError):
                if proc.stdin is not None:
                    proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)
        if proc is not None:
            end_process(proc, timeout)
        self._forget()
        self._join_reader(timeout)

    def kill(self, timeout: float = 10.0) -> None:
        """SIGKILL it, as a crash would, and reap it."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout)
        self._forget()
        self._join_reader(timeout)

    def restart(self, timeout: float = 30.0) -> None:
        """`kill` then `start` again (on the same ports, for servers that
        keep theirs), as clients see a crashed server come back."""
        self.kill()
        self.start(timeout)

    def _forget(self) -> None:
        if self in _running:
            _running.remove(self)

    def _join_reader(self, timeout: float) -> None:
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` lines the server printed."""
        return log_tail(self.log_path, lines)

    @abstractmethod
    def start(self, timeout: float = 30.0) -> None:
        """Start the server (with `launch`) and wait until it serves."""
