"""A real EPICS IOC for tests, on loopback, with the project's test records.

`EpicsIoc` runs ``python -m pvxslibs.ioc`` (CA, and PVA through PVXS QSRV 2,
the default flavour ``"pvxs"``) or ``python -m epicscorelibs.ioc`` (CA, and
PVA through pvAccessCPP QSRV 1, flavour ``"qsrv1"``) on ``.db`` files, with a
unique record prefix. Use it in your own tests through the session fixtures::

    # conftest.py
    from ophyd_blueprint.testing.fixtures import (
        epics_ioc, epics_ioc_qsrv1, pytest_runtest_makereport,
    )

    # test_x.py
    async def test_ai(epics_ioc):
        sig = signal_r(float, f"ca://{epics_ioc.prefix}AI")
        await sig.connect()

or start your own IOC with your own records::

    with EpicsIoc(records='record(ao, "$(P)MOTOR") {}', db_files=()) as ioc:
        ...  # PVs are ioc.pv("MOTOR")

Network: everything stays on 127.0.0.1. CA and PVA clients read their
``EPICS_*`` environment once, when their first context is made, so this module
reserves the ports of a few IOCs ("slots") the first time it is used and
points this process's environment (`configure_client_env`) at all of them:
``EPICS_CA_ADDR_LIST="127.0.0.1:<ca port of slot 0> 127.0.0.1:<slot 1> ..."``
and ``EPICS_PVA_ADDR_LIST`` likewise with each slot's PVA UDP port. Every IOC
takes its own slot (its own CA, PVA TCP and PVA UDP ports) and its own prefix,
so one default CA context and one default PVA context (``p4p`` ``Context("pva")``)
reach every IOC of the session at once, pvxs and QSRV 1 alike. A PVA client
that must talk to exactly one IOC can use ``Context("pva", conf=ioc.pva_conf(),
useenv=False)``.

`kill` (SIGKILL) and `start` again, or `restart`, reuse the same ports and
prefix, so clients see the server go away and come back. The IOC's output is
kept in `log_path`; `pytest_runtest_makereport` attaches its tail to every
failing test while an IOC runs.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .output import temporary_folder
from .ports import LOOPBACK, claim_ports, holders, port_free
from .server_process import ServerProcess

__all__ = [
    "LOOPBACK",
    "READY_LINE",
    "RECORDS_DB",
    "EpicsIoc",
    "IocError",
    "IocFlavour",
    "IocPorts",
    "SlotServer",
    "configure_client_env",
    "release_ports",
    "reserve_ports",
    "served_client_env",
]

READY_LINE = "iocRun: All initialization complete"
RECORDS_DB = Path(__file__).parent / "db" / "records.db"
"""The shared test records (ai/ao, longs, int64, enums, strings, waveforms...)."""

IocFlavour = Literal["pvxs", "qsrv1"]
_MODULES: dict[IocFlavour, str] = {"pvxs": "pvxslibs.ioc", "qsrv1": "epicscorelibs.ioc"}
_SLOTS = 32
"""Port slots per process: every server a test process holds at once (its
session-scoped ones, then its package's and module's) needs one."""
_CA_MAX_ARRAY_BYTES = "20000000"


class IocError(RuntimeError):
    """The IOC did not start (or stop) in time; the message has its output."""


@dataclass(frozen=True, slots=True)
class IocPorts:
    """The loopback ports one IOC serves on."""

    ca_server: int
    pva_server: int
    pva_broadcast: int


class _Network:
    """The ports reserved for this process's IOCs, and which are in use."""

    def __init__(self) -> None:
        try:
            ports = claim_ports(3 * _SLOTS + 1)
        except OSError as error:
            raise IocError(str(error)) from None
        self.repeater = ports[-1]
        self.slots = [IocPorts(*ports[3 * i : 3 * i + 3]) for i in range(_SLOTS)]
        self.holders: dict[int, str] = {}
        self.lock = threading.Lock()

    def take(self, holder: str) -> IocPorts:
        with self.lock:
            for index, slot in enumerate(self.slots):
                if index not in self.holders:
                    self.holders[index] = holder
                    return slot
            held = "\n".join(f"  {name}" for name in self.holders.values())
        raise IocError(
            f"all {_SLOTS} IOC port slots of this process are in use, by:\n{held}\n"
            "stop a server before starting another, or give it a narrower "
            "fixture scope"
        )

    def give_back(self, ports: IocPorts) -> None:
        with self.lock:
            self.holders.pop(self.slots.index(ports), None)

    def held(self) -> list[IocPorts]:
        """The slots whose servers hold them now."""
        with self.lock:
            return [self.slots[i] for i in sorted(self.holders)]

    def client_env(self, slots: list[IocPorts] | None = None) -> dict[str, str]:
        """The variables that point clients at `slots` (default: all)."""
        first = self.slots[0]
        slots = self.slots if slots is None else slots
        return {
            "EPICS_CA_ADDR_LIST": " ".join(f"{LOOPBACK}:{s.ca_server}" for s in slots),
            "EPICS_CA_AUTO_ADDR_LIST": "NO",
            "EPICS_CA_SERVER_PORT": str(first.ca_server),
            "EPICS_CA_REPEATER_PORT": str(self.repeater),
            "EPICS_CA_MAX_ARRAY_BYTES": _CA_MAX_ARRAY_BYTES,
            "EPICS_CAS_INTF_ADDR_LIST": LOOPBACK,
            "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
            "EPICS_CAS_BEACON_ADDR_LIST": LOOPBACK,
            "EPICS_PVA_ADDR_LIST": " ".join(
                f"{LOOPBACK}:{s.pva_broadcast}" for s in slots
            ),
            "EPICS_PVA_AUTO_ADDR_LIST": "NO",
            "EPICS_PVA_SERVER_PORT": str(first.pva_server),
            "EPICS_PVA_BROADCAST_PORT": str(first.pva_broadcast),
            "EPICS_PVAS_INTF_ADDR_LIST": LOOPBACK,
            "EPICS_PVAS_BEACON_ADDR_LIST": LOOPBACK,
            "EPICS_PVAS_AUTO_BEACON_ADDR_LIST": "NO",
        }


_network: _Network | None = None


def _the_network() -> _Network:
    global _network
    if _network is None:
        _network = _Network()
    return _network


def configure_client_env() -> dict[str, str]:
    """Point this process's CA and PVA clients at the IOCs of this module.

    Idempotent. Call it before the first CA or PVA client context is made
    (the fixtures and `EpicsIoc` do); returns the variables it set.
    """
    env = _the_network().client_env()
    os.environ.update(env)
    return env


def served_client_env() -> dict[str, str]:
    """What a client in another process needs to reach the servers this
    process runs now: `configure_client_env`'s variables, the address lists
    cut to the slots in use (``blueprint demo --serve`` prints them)."""
    configure_client_env()
    network = _the_network()
    return network.client_env(network.held())


def reserve_ports(holder: str = "a server of reserve_ports") -> IocPorts:
    """A free slot's ports, for a server of your own (e.g. a caproto IOC).

    This process's CA client searches them (`configure_client_env`); run the
    server with ``EPICS_CA_SERVER_PORT=<ca_server>`` and
    ``EPICS_CAS_INTF_ADDR_LIST=127.0.0.1``. Give them back with `release_ports`.
    `holder` names the server in the error raised when every slot is taken.
    """
    configure_client_env()
    return _the_network().take(holder)


def release_ports(ports: IocPorts) -> None:
    """Return a slot taken by `reserve_ports` once its server has stopped."""
    _the_network().give_back(ports)


class SlotServer(ServerProcess):
    """A server on a port slot of this process: its own CA and PVA ports,
    taken at its first start, kept across `kill` and start, given back at
    `stop`."""

    error = IocError

    def __init__(self, what: str, log_path: Path) -> None:
        super().__init__(what, log_path)
        self.ports: IocPorts | None = None

    def take_slot(self) -> IocPorts:
        """Its slot: the one it has, or a new one."""
        if self.ports is None:
            self.ports = reserve_ports(self.what)
        return self.ports

    def slot_env(self) -> dict[str, str]:
        """The ``EPICS_*`` server ports of its slot, for its environment."""
        assert self.ports is not None, "start it first"
        return {
            "EPICS_CA_SERVER_PORT": str(self.ports.ca_server),
            "EPICS_PVAS_SERVER_PORT": str(self.ports.pva_server),
            "EPICS_PVA_SERVER_PORT": str(self.ports.pva_server),
            "EPICS_PVAS_BROADCAST_PORT": str(self.ports.pva_broadcast),
            "EPICS_PVA_BROADCAST_PORT": str(self.ports.pva_broadcast),
        }

    def kill(self, timeout: float = 10.0) -> None:
        """SIGKILL it, as a crash would, and wait until its ports can be
        bound again (a `start` then serves on them)."""
        super().kill(timeout)
        if self.ports is not None:
            self._wait_ports_free(self.ports, timeout)

    def _wait_ports_free(self, ports: IocPorts, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        wanted = (ports.ca_server, ports.pva_server, ports.pva_broadcast)
        while not all(port_free(p) for p in wanted):
            if time.monotonic() > deadline:
                held = [p for p in wanted if not port_free(p)]
                raise IocError(
                    f"ports {wanted} of {self.what} stayed in use: "
                    + "; ".join(f"{p} by {holders(p)}" for p in held)
                )
            time.sleep(0.02)

    def stop(self, timeout: float | None = None) -> None:
        """Stop it (see `ServerProcess.stop`) and give its slot back."""
        super().stop(timeout)
        if self.ports is not None:
            release_ports(self.ports)
            self.ports = None


class EpicsIoc(SlotServer):
    """One IOC subprocess serving `db_files` (and `records` text) under `prefix`.

    `macros` are passed besides ``P=<prefix>``. Start with `start` or ``with``.
    """

    stop_timeout = 5.0

    def __init__(
        self,
        db_files: Sequence[Path | str] = (RECORDS_DB,),
        *,
        records: str = "",
        flavour: IocFlavour = "pvxs",
        prefix: str | None = None,
        macros: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        configure_client_env()
        self.flavour: IocFlavour = flavour
        self.prefix = prefix or f"T{os.getpid()}-{secrets.token_hex(3)}:"
        self._workdir = Path(log_dir or temporary_folder(self, "ophyd-blueprint-ioc-"))
        self._workdir.mkdir(parents=True, exist_ok=True)
        name = self.prefix.rstrip(":").replace(":", "_")
        super().__init__(f"IOC {self.prefix}", self._workdir / f"{name}.log")
        self._db_files = [Path(p) for p in db_files]
        if records:
            extra = self._workdir / f"{name}.db"
            extra.write_text(records)
            self._db_files.append(extra)
        all_macros = {"P": self.prefix, **(macros or {})}
        self._macros = ",".join(f"{k}={v}" for k, v in all_macros.items())

    def pv(self, name: str) -> str:
        """The full PV name of record `name`: ``ioc.pv("AI")`` -> ``T12-ab01cd:AI``."""
        return self.prefix + name

    def server_env(self) -> dict[str, str]:
        """The environment the IOC runs with: this process's plus its own ports."""
        return {
            **os.environ,
            **_the_network().client_env(),
            **self.slot_env(),
            "PVXS_QSRV_ENABLE": "YES",
        }

    def pva_conf(self) -> dict[str, str]:
        """A p4p ``Context(conf=..., useenv=False)`` config reaching only this IOC."""
        assert self.ports is not None, "start the IOC first"
        return {
            "EPICS_PVA_ADDR_LIST": f"{LOOPBACK}:{self.ports.pva_broadcast}",
            "EPICS_PVA_AUTO_ADDR_LIST": "NO",
            "EPICS_PVA_BROADCAST_PORT": str(self.ports.pva_broadcast),
            "EPICS_PVA_SERVER_PORT": str(self.ports.pva_server),
        }

    def start(self, timeout: float = 30.0) -> None:
        """Start (or start again, on the same ports) and wait until it runs."""
        if self.running:
            return
        self.take_slot()
        argv = [sys.executable, "-m", _MODULES[self.flavour], "-m", self._macros]
        for db in self._db_files:
            argv += ["-d", str(db)]
        # The IOC's Python console reads this once iocInit has returned and
        # prints it flushed: a ready signal that does not depend on when the
        # errlog thread gets round to printing READY_LINE.
        self.launch(
            argv,
            timeout,
            ready_lines=(READY_LINE, self._ready_marker()),
            env=self.server_env(),
            cwd=self._workdir,
            console=f"print({self._ready_marker()!r}, flush=True)\n",
        )

    def _ready_marker(self) -> str:
        return f"ophyd-blueprint: IOC {self.prefix} ready"

    def stop(self, timeout: float | None = None) -> None:
        """Close the IOC's stdin (it exits), kill it if it lingers, and give
        its ports back."""
        super().stop(timeout)

    def __repr__(self) -> str:
        return f"EpicsIoc({self.flavour!r}, prefix={self.prefix!r}, ports={self.ports})"
