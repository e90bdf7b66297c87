"""A real Tango device server for tests and the demo, on 127.0.0.1, no database.

`TangoServer` runs ``python -m ophyd_blueprint.testing.tango_server --port N``
in a subprocess it owns: the devices of `tango_devices` served by
``tango.test_context.MultiDeviceTestContext`` (in that process), which prints
``READY`` and runs until its stdin closes. `kill` and `start` again (or
`restart`) reuse the same port, so clients see the server go and come back.
Use it in tests through the session fixture::

    # conftest.py
    from ophyd_blueprint.testing.fixtures import tango_server

    # test_x.py
    async def test_position(tango_server):
        sig = signal_r(float, tango_server.attribute("motor", "Position"))

or outside pytest: ``with TangoServer() as server: print(server.device("motor"))``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from .output import announce, temporary_folder
from .ports import LOOPBACK, claim_port
from .server_process import ServerProcess

__all__ = ["DEVICES", "LOOPBACK", "TangoServer", "TangoServerError"]

DEVICES = {
    "types": "test/types/1",
    "motor": "test/motor/1",
    "motor2": "test/motor/2",
}
"""Short name -> Tango device name of every device the server runs."""

_READY = "READY"


class TangoServerError(RuntimeError):
    """The server did not start; the message has the tail of its output."""


def free_port() -> int:
    """A port free on 127.0.0.1, this process's until it exits, and one the
    kernel does not hand out by itself (`ports.claim_port`): a restarted
    server finds it still free."""
    return claim_port()


class TangoServer(ServerProcess):
    """The test device server in a subprocess, on a fixed port of 127.0.0.1."""

    error = TangoServerError

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        folder = temporary_folder(self, "ophyd-blueprint-tango-")
        super().__init__(f"Tango server on port {self.port}", folder / "tango.log")

    def device(self, short: str) -> str:
        """``tango://127.0.0.1:PORT/test/motor/1#dbase=no`` for ``"motor"``."""
        return f"tango://{LOOPBACK}:{self.port}/{DEVICES[short]}#dbase=no"

    def attribute(self, short: str, name: str) -> str:
        """The TRL of attribute (or command) `name` of device `short`."""
        return f"tango://{LOOPBACK}:{self.port}/{DEVICES[short]}/{name}#dbase=no"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it serves, or raise within `timeout`."""
        self.launch(
            [sys.executable, "-u", "-m", __name__, "--port", str(self.port)],
            timeout,
            ready_lines=(f"{_READY} {self.port}",),
            console="",  # it serves until its stdin closes
        )

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log_tail(lines=10_000)


def serve(port: int) -> None:
    """Serve the test devices on `port` until stdin closes."""
    # pytango ships no type stub for tango.test_context.
    test_context: Any = importlib.import_module("tango.test_context")
    from .tango_devices import MotorDevice, TypesDevice

    devices_info = [
        {"class": TypesDevice, "devices": [{"name": DEVICES["types"]}]},
        {
            "class": MotorDevice,
            "devices": [{"name": DEVICES["motor"]}, {"name": DEVICES["motor2"]}],
        },
    ]
    context: Any = test_context.MultiDeviceTestContext(
        devices_info, host=LOOPBACK, port=port, process=False, timeout=30
    )
    with context:
        announce(f"{_READY} {port}")
        sys.stdin.read()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="the ophyd-blueprint test Tango server"
    )
    parser.add_argument("--port", type=int, required=True)
    serve(parser.parse_args(argv).port)


if __name__ == "__main__":
    main()
