"""A test server's output: copied to its log file, watched for its ready line.

`EpicsIoc`, `SimIoc` and `TiledServer` run a server in a subprocess and keep
what it prints in a log, whose tail goes into error messages and failing
tests' reports. One reader thread per server copies the lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO

__all__ = [
    "announce",
    "copy_output",
    "end_process",
    "log_tail",
    "temporary_folder",
]


def announce(line: str) -> None:
    """Print `line` (a server's ready line) in one write to stdout.

    ``print(a, b)`` writes its parts one by one; a library thread of the same
    process (Tango's "Ready to accept request") can land in between and break
    the line its parent is waiting for. One ``write`` of a short line to a
    pipe is never split.
    """
    sys.stdout.flush()
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured: no file behind it
        print(line, flush=True)
    else:
        os.write(fileno, f"{line}\n".encode())


def temporary_folder(owner: object, prefix: str) -> Path:
    """A new folder in the temporary directory, removed with `owner`.

    It goes when `owner` is garbage-collected or, at the latest, when the
    process exits, so a server's log and files outlive its stop (for error
    messages and tests' reports) but no run leaves folders behind.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    weakref.finalize(owner, shutil.rmtree, folder, ignore_errors=True)
    return folder


def copy_output(
    stream: IO[bytes],
    log_path: Path,
    ready: threading.Event | None = None,
    markers: Sequence[bytes] = (),
) -> None:
    """Append every line of `stream` to `log_path`, flushed; set `ready` once a
    line contains one of `markers`. Returns when the stream closes."""
    with log_path.open("ab") as log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()
            if ready is not None and any(marker in line for marker in markers):
                ready.set()


def log_tail(log_path: Path, lines: int = 40) -> str:
    """The last `lines` lines of the log, or ``(no output)``."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:])


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
