"""`blueprint serve` as a user runs it: a process of its own, driven over 0MQ
with bluesky-queueserver-api, stopped with a signal."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import IO, Any

import psutil
from bluesky_queueserver_api.zmq import REManagerAPI

from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()  # the served worker inherits where the test IOCs are

CLI = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
SERVING = re.compile(r"serving: RE Manager control (tcp://\S+), info (tcp://\S+)")


def blueprint(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A `blueprint` command that ends by itself, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Served:
    """A running ``blueprint serve``: its output lines, its addresses, a client."""

    def __init__(self, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(
            target=self._read, args=(self.proc.stdout,), daemon=True
        ).start()
        self.control = self.info = ""

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line)

    def wait_for_line(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """The next line matching `pattern` among those not yet waited for
        (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no line matching {pattern.pattern!r} within {timeout} s:\n"
                    + self.output()
                ) from None
            found = pattern.search(line)
            if found:
                return found

    def wait_until_serving(self, timeout: float = 90) -> None:
        """Until serve says where it serves; shorter than pytest's timeout
        (120 s), so a start that hangs fails with serve's output."""
        found = self.wait_for_line(SERVING, timeout)
        self.control, self.info = found[1], found[2]

    def api(self, timeout: float = 10) -> Any:
        """A bluesky-queueserver-api client of this manager (close it after)."""
        return REManagerAPI(
            zmq_control_addr=self.control, zmq_info_addr=self.info, timeout_recv=timeout
        )

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `signum`; the exit code once it has stopped."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def end(self) -> None:
        """After a test: SIGTERM, and if that fails, kill it and all it started."""
        if self.proc.poll() is not None:
            return
        started = self.descendants()
        try:
            self.stop(signal.SIGTERM, timeout=60)
        except subprocess.TimeoutExpired:
            for process in [*started, psutil.Process(self.proc.pid)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
            self.proc.wait(10)

    def output(self) -> str:
        return "\n".join(self.lines[-80:])


def wait_gone(processes: Sequence[psutil.Process], timeout: float = 10) -> list[int]:
    """Pids of `processes` still running (not zombies) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p.pid for p in processes if _running(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
