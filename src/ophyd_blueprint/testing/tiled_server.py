"""A real Tiled server for tests and demos: ``tiled serve catalog --temp``.

`TiledServer` starts it on a free loopback port with a known API key, allowed
to read the given directories (where detectors wrote their files), with its
own temporary catalog, file and tabular storage, and waits until it answers.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from .output import temporary_folder
from .ports import LOOPBACK, claim_port
from .server_process import ServerProcess

__all__ = ["TiledServer", "TiledServerError"]


class TiledServerError(RuntimeError):
    """The Tiled server did not start; the message has its output."""


class TiledServer(ServerProcess):
    """``tiled serve catalog --temp`` on 127.0.0.1, reading `readable` dirs."""

    error = TiledServerError

    def __init__(
        self, readable: Sequence[Path] = (), *, workdir: Path | None = None
    ) -> None:
        self.readable = [Path(p) for p in readable]
        self.workdir = Path(workdir or temporary_folder(self, "ophyd-blueprint-tiled-"))
        self.api_key = secrets.token_hex(16)
        self.port = 0
        super().__init__("tiled", self.workdir / "tiled.log")

    @property
    def uri(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers (bounded by `timeout`)."""
        self.port = claim_port()
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
        self.launch(argv, timeout, probe=self._answers, cwd=self.workdir)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.uri}/api/v1/", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False
