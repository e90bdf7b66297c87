"""Loopback ports for the services `blueprint serve` starts: free ones, taken ones."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Sequence

__all__ = ["LOOPBACK", "PortTakenError", "pick_ports"]

LOOPBACK = "127.0.0.1"
"""Every service of `blueprint serve` listens here only."""


class PortTakenError(RuntimeError):
    """A port asked for on 127.0.0.1 is already in use by another program, or
    asked for by another service (`other`) too."""

    def __init__(self, service: str, port: int, other: str | None = None) -> None:
        taken = f"is asked for by {other} too" if other else "is already in use"
        stop = "" if other else "stop what uses it or "
        super().__init__(
            f"{service}: port {port} on {LOOPBACK} {taken}; "
            f"{stop}choose another port (0 picks a free one)"
        )
        self.service = service
        self.port = port
        self.other = other


def pick_ports(wanted: Sequence[tuple[str, int]]) -> list[int]:
    """The port of each (service, port) asked for: `port` if it is free on
    127.0.0.1, a free one for 0. All are held bound until all are chosen, so
    two services given 0 never get the same port. PortTakenError names the
    first service whose port is taken, or asked for by another service too."""
    asked: dict[int, str] = {}
    with contextlib.ExitStack() as held:
        ports: list[int] = []
        for service, port in wanted:
            if port in asked:
                raise PortTakenError(service, port, asked[port])
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            if port:  # free again at once after a service that used it stopped
                asked[port] = service
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                raise PortTakenError(service, port) from None
            ports.append(int(sock.getsockname()[1]))
        return ports
