"""Real servers for the beamline tests: the test IOC, caproto's motor records,
the Tango server."""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest_asyncio

from ophyd_blueprint.testing.fixtures import epics_ioc, tango_server
from ophyd_blueprint.testing.ioc import (
    LOOPBACK,
    configure_client_env,
    release_ports,
    reserve_ports,
)

configure_client_env()

__all__ = ["FakeMotorIoc", "epics_ioc", "fake_motor_ioc", "tango_server"]

SCRIPT = Path(__file__).with_name("fake_motor_ioc.py")
READY = "Server startup complete."


@dataclass(frozen=True)
class FakeMotorIoc:
    """Where the caproto motor records are served: ``prefix + "M1"``, ..."""

    prefix: str
    output: list[str]

    def pv(self, name: str) -> str:
        return self.prefix + name


def _collect(stream: IO[str], output: list[str], ready: threading.Event) -> None:
    for line in stream:
        output.append(line)
        if READY in line:
            ready.set()


async def _until_disconnected(prefix: str, timeout: float) -> None:
    """Wait until this loop's CA channels to `prefix` have seen the IOC go."""
    aioca: Any = importlib.import_module("aioca")

    def connected() -> bool:
        infos: list[Any] = aioca.get_channel_infos()
        return any(i.connected and i.name.startswith(prefix) for i in infos)

    async with asyncio.timeout(timeout):
        while connected():
            await asyncio.sleep(0.02)


def _stop(proc: subprocess.Popen[str], reader: threading.Thread) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    reader.join(5)


# async, on the session loop, and stopped when this package's tests end: the
# CA client's disconnect callbacks then still find their loop open (a later
# RunEngine made in the main thread would leave them a closed one)
@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def fake_motor_ioc() -> AsyncIterator[FakeMotorIoc]:
    """caproto's fake motor records in a subprocess, on a loopback port slot."""
    ports = reserve_ports("caproto fake motor IOC")
    prefix = f"FM{os.getpid()}-{secrets.token_hex(3)}:"
    env = {
        **os.environ,
        "EPICS_CA_SERVER_PORT": str(ports.ca_server),
        "EPICS_CAS_INTF_ADDR_LIST": LOOPBACK,
        "EPICS_CAS_BEACON_ADDR_LIST": LOOPBACK,
        "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
        "EPICS_CAS_BEACON_PORT": os.environ["EPICS_CA_REPEATER_PORT"],
    }
    proc = subprocess.Popen(
        [sys.executable, "-u", str(SCRIPT), "--prefix", prefix],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    output: list[str] = []
    ready = threading.Event()
    reader = threading.Thread(
        target=_collect, args=(proc.stdout, output, ready), daemon=True
    )
    reader.start()
    try:
        if not await asyncio.to_thread(ready.wait, 30):
            raise RuntimeError("caproto motor IOC did not start:\n" + "".join(output))
        yield FakeMotorIoc(prefix, output)
    finally:
        await asyncio.to_thread(_stop, proc, reader)
        await _until_disconnected(prefix, timeout=10)
        release_ports(ports)
