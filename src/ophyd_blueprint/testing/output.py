"""A test server's output: its ready line, and a folder for its log and files.

Copying a server's output to its log is `ophyd_blueprint.process_log`'s,
shared with the services of `blueprint serve`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path

__all__ = ["announce", "temporary_folder"]


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
