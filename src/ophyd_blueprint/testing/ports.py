"""Loopback ports for test servers: claimed across processes, and never ones
the kernel hands out by itself.

A port that is free when a test server is given it must stay its own while
the server is down (`kill` then `start` on the same port, which clients must
see come back). Two things took such ports in CI:

- another process reserving the same free port (each xdist worker reserves
  its IOCs' ports): every port here is claimed with a locked file per port
  in ``$TMPDIR/ophyd-blueprint-ports/``, held until the process ends;
- the kernel giving it away: a server bound to port 0 (a Tango server, a
  Tiled server, any program's) and every outgoing connection get a port from
  the kernel's ephemeral range, and a killed IOC's port in that range is
  free for the kernel to hand out. So ports are chosen below that range
  (``/proc/sys/net/ipv4/ip_local_port_range``), where the kernel never
  picks one by itself.
"""

from __future__ import annotations

import fcntl
import random
import socket
import tempfile
from pathlib import Path
from typing import IO

__all__ = ["LOOPBACK", "claim_port", "claim_ports", "holders", "port_free"]

LOOPBACK = "127.0.0.1"

_CLAIMS = Path(tempfile.gettempdir()) / "ophyd-blueprint-ports"
"""Where each process claims the ports it takes: a file per port, locked."""
_claimed: list[IO[bytes]] = []
"""The locked files of this process's ports, open (so locked) until it exits."""
_LOWEST = 20000
"""Below this are well-known services (EPICS 5064-5076, Tango 10000...)."""
_FIRST_EPHEMERAL = 32768
"""Linux's default; macOS and the IANA range start higher still."""


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return _FIRST_EPHEMERAL, 65535


def _candidates() -> list[int]:
    """Ports the kernel does not give out by itself, above well-known ones."""
    low, high = _ephemeral_range()
    below = range(_LOWEST, min(low, 65536))
    above = range(max(high + 1, _LOWEST), 65536)
    ports = [*below, *above]
    if len(ports) < 1000:  # a machine whose ephemeral range is nearly all
        ports = list(range(_LOWEST, 65536))
    random.shuffle(ports)
    return ports


def _bindable(port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        # as the servers bind: TCP in TIME_WAIT does not block them, and a UDP
        # port is shared (PVA clients of this process listen for beacons on
        # the PVA broadcast port of the first slot, beside its IOC)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def port_free(port: int) -> bool:
    """Whether a server could bind `port` on 127.0.0.1 now, TCP and UDP."""
    return _bindable(port, socket.SOCK_STREAM) and _bindable(port, socket.SOCK_DGRAM)


def _claim(port: int) -> bool:
    """Whether this process now holds `port` against every other process that
    claims ports here (xdist workers, a demo, a user's tests)."""
    try:
        _CLAIMS.mkdir(exist_ok=True)
        claim = (_CLAIMS / f"{port}.lock").open("ab")
    except OSError:
        return True  # nowhere to claim it: as free as the bind test says
    try:
        fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        claim.close()
        return False
    _claimed.append(claim)
    return True


def claim_ports(count: int) -> list[int]:
    """`count` ports free on 127.0.0.1 (TCP and UDP), now this process's
    until it exits, outside the kernel's ephemeral range."""
    found: list[int] = []
    for port in _candidates():
        if port_free(port) and _claim(port):
            found.append(port)
            if len(found) == count:
                return found
    raise OSError(f"found only {len(found)} of {count} free loopback ports")


def claim_port() -> int:
    """One port, as `claim_ports`."""
    return claim_ports(1)[0]


def holders(port: int) -> str:
    """Which processes have a socket on `port` (for an error message)."""
    try:
        import psutil
    except ImportError:
        return "a process (install psutil to see which)"
    found: list[str] = []
    try:
        connections = psutil.net_connections("inet")
    except (psutil.Error, OSError) as error:
        return f"a process ({error})"
    for connection in connections:
        if connection.laddr and connection.laddr.port == port:
            try:
                name = " ".join(psutil.Process(connection.pid).cmdline()[:4])
            except (psutil.Error, TypeError, ValueError):
                name = "?"
            found.append(f"pid {connection.pid} ({name}, {connection.status})")
    return ", ".join(found) or "no process psutil can see (TIME_WAIT?)"
