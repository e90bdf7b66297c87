"""The demo's servers: an EPICS IOC, a simulated areaDetector, a Tango server.

EPICS servers take free loopback ports (`ophyd_blueprint.testing.ioc` slots).
The Tango server prefers Tango's usual port 10000, which the shipped
``beamlines/demo.yaml`` names, and takes a free port when that one is busy;
`DemoServers.tango_port` says which, and the demo passes it to the beamline.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from ophyd_blueprint.testing.ioc import LOOPBACK, EpicsIoc, served_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimIoc
from ophyd_blueprint.testing.tango_server import (
    TangoServer,
    TangoServerError,
    free_port,
)

__all__ = [
    "CAMERA_PREFIX",
    "DEMO_DB",
    "TANGO_PORT",
    "DemoServers",
    "demo_servers",
    "wait_for_stop_signal",
]

DEMO_DB = Path(__file__).with_name("demo.db")
TANGO_PORT = 10000
"""Tango's usual port, named by the shipped demo beamline; used when free."""
CAMERA_PREFIX = "DEMO:CAM:"


@dataclass(frozen=True)
class DemoServers:
    """The running demo servers and where they listen."""

    ioc: EpicsIoc
    camera: SimIoc
    tango: TangoServer

    @property
    def tango_port(self) -> int:
        return self.tango.port

    def tango_motor(self) -> str:
        """The TRL of the Tango motor, without options: the beamline adds them."""
        return f"tango://{LOOPBACK}:{self.tango.port}/test/motor/1"

    def client_env(self) -> dict[str, str]:
        """What a shell needs to reach them: CA/PVA addresses, the Tango port."""
        return {**served_client_env(), "DEMO_TANGO_PORT": str(self.tango.port)}


@contextlib.contextmanager
def demo_servers(
    out: Callable[[str], None], tango_port: int = TANGO_PORT
) -> Generator[DemoServers, None, None]:
    """Start the servers, say where each listens, stop them all on exit."""
    out("starting the EPICS IOC (CA + PVA) with the demo records ...")
    with (
        EpicsIoc([DEMO_DB], prefix="DEMO:") as ioc,
        SimDetectorIoc(prefix=CAMERA_PREFIX) as camera,
    ):
        assert ioc.ports is not None
        assert camera.ports is not None
        out(
            f"IOC up (DEMO:): CA port {ioc.ports.ca_server}, PVA port "
            f"{ioc.ports.pva_server}; log: {ioc.log_path}"
        )
        out(
            f"simulated areaDetector up ({CAMERA_PREFIX}): CA port "
            f"{camera.ports.ca_server}; log: {camera.log_path}"
        )
        with _tango_server(out, tango_port) as tango:
            yield DemoServers(ioc, camera, tango)


@contextlib.contextmanager
def _tango_server(
    out: Callable[[str], None], preferred: int
) -> Generator[TangoServer, None, None]:
    """The Tango server on `preferred` if it is free, else on a free port."""
    server: TangoServer | None = None
    if _free(preferred):
        server = TangoServer(port=preferred)
        try:
            server.start()
        except TangoServerError:  # taken between the check and the start
            server = None
    if server is None:
        server = TangoServer(port=free_port())
        server.start()
        out(f"port {preferred} is taken: the Tango server uses port {server.port}")
    out(f"Tango device server up on {LOOPBACK}:{server.port}")
    try:
        yield server
    finally:
        server.stop()


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def wait_for_stop_signal() -> int:
    """Block until SIGINT or SIGTERM arrives; returns which.

    Unlike reading stdin, this keeps a server running in the background
    (``&``, nohup, CI) where stdin is closed from the start.
    """
    stop = threading.Event()
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(1.0):  # a timed wait lets the handler run promptly
            pass
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
    return received[0]
