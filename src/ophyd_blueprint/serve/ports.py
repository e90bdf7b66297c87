"""Loopback ports for the services `blueprint serve` starts: free ones, taken ones."""

from __future__ import annotations

import socket

__all__ = ["LOOPBACK", "PortTakenError", "claim_port"]

LOOPBACK = "127.0.0.1"
"""Every service of `blueprint serve` listens here only."""


class PortTakenError(RuntimeError):
    """A port asked for on 127.0.0.1 is already in use by another program."""

    def __init__(self, service: str, port: int) -> None:
        super().__init__(
            f"{service}: port {port} on {LOOPBACK} is already in use; "
            "stop what uses it or choose another port (0 picks a free one)"
        )
        self.service = service
        self.port = port


def claim_port(service: str, port: int = 0) -> int:
    """`port` if it is free on 127.0.0.1 (or a free one for 0); raises
    PortTakenError naming `service` if it is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            raise PortTakenError(service, port) from None
        return int(sock.getsockname()[1])
