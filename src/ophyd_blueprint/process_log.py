"""A subprocess's output kept in a log file, and its end.

Test servers (`ophyd_blueprint.testing`) and the services of `blueprint
serve` run programs whose output must outlive them: the tail of the log goes
into error messages, so that a server that would not start says why. One
reader thread per process copies its lines; these are the pieces both use.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

__all__ = ["copy_output", "end_process", "log_tail"]


def copy_output(
    stream: IO[bytes],
    log_path: Path,
    ready: threading.Event | None = None,
    markers: Sequence[bytes] = (),
    echo: Callable[[str], None] | None = None,
) -> None:
    """Append every line of `stream` to `log_path`, flushed; set `ready` once a
    line contains one of `markers`; pass each line to `echo` if given.
    Returns when the stream closes."""
    with log_path.open("ab") as log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()
            if ready is not None and any(marker in line for marker in markers):
                ready.set()
            if echo is not None:
                echo(line.decode(errors="replace").rstrip())


_FIRST_ERROR_LINES = 25
"""How much of the first error before the tail a log tail shows."""


def log_tail(log_path: Path, lines: int = 40) -> str:
    """The last `lines` lines of the log, or ``(no output)``.

    A server that fails often goes on printing the same complaint; the first
    error is the one that explains. If the log has a traceback or an
    ``ERROR`` line before its tail, up to 25 lines from it come first.
    """
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    every = text.splitlines()
    start = max(len(every) - lines, 0)
    tail = "\n".join(every[start:]) or "(no output)"
    first = next(
        (
            number
            for number, line in enumerate(every[:start])
            if line.startswith("Traceback") or "ERROR" in line
        ),
        None,
    )
    if first is None:
        return tail
    head = every[first : min(first + _FIRST_ERROR_LINES, start)]
    heading = f"--- its first error (line {first + 1}) ---"
    return "\n".join([heading, *head, "--- its last lines ---", tail])


def end_process(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Terminate `proc`, and kill it if it has not exited within `timeout`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)
