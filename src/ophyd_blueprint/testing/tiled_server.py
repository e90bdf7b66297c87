"""A real Tiled server for tests and demos: ``tiled serve catalog --temp``.

`TiledServer` starts it on a free loopback port with a known API key, allowed
to read the given directories (where detectors wrote their files), with its
own temporary catalog, file and tabular storage, and waits until it answers.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

from .ioc import LOOPBACK
from .output import copy_output, end_process, log_tail, temporary_folder

__all__ = ["TiledServer", "TiledServerError"]


class TiledServerError(RuntimeError):
    """The Tiled server did not start; the message has its output."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class TiledServer:
    """``tiled serve catalog --temp`` on 127.0.0.1, reading `readable` dirs."""

    def __init__(
        self, readable: Sequence[Path] = (), *, workdir: Path | None = None
    ) -> None:
        self.readable = [Path(p) for p in readable]
        self.workdir = Path(workdir or temporary_folder(self, "ophyd-blueprint-tiled-"))
        self.api_key = secrets.token_hex(16)
        self.port = 0
        self.log_path = self.workdir / "tiled.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def uri(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers (bounded by `timeout`)."""
        self.port = _free_port()
        argv = [
            sys.executable,
            "-m",
            "tiled",
            "serve",
            "catalog",
            "--temp",
            "--api-key",
            self.api_key,
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
        ]
        for directory in self.readable:
            argv += ["-r", str(directory)]
        self._proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.workdir
        )
        assert self._proc.stdout is not None
        self._reader = threading.Thread(
            target=copy_output, args=(self._proc.stdout, self.log_path), daemon=True
        )
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self._proc.poll() is not None:
                code = self._proc.returncode
                raise TiledServerError(
                    f"tiled exited with code {code}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TiledServerError(
                    f"tiled did not answer within {timeout} s:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.uri}/api/v1/", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        if self._proc is not None:
            end_process(self._proc, timeout)
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def __enter__(self) -> TiledServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
