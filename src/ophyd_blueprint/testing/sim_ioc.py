"""Simulated IOCs (Python Channel Access servers) in a subprocess, on loopback.

`SimIoc` runs ``python -m <module> --prefix P ...`` on a port slot of
`ophyd_blueprint.testing.ioc` (its own CA server port, listed in this
process's ``EPICS_CA_ADDR_LIST``, since several CA servers on one host answer
unicast searches only on their own ports), waits until it serves, and stops,
kills or restarts it on the same port and prefix. `SimDetectorIoc` is the
simulated areaDetector of `ophyd_blueprint.testing.sim_detector`, `SimPmacIoc`
the simulated Delta Tau PMAC of `ophyd_blueprint.testing.sim_pmac`,
`SimBeamlineIoc` both coupled in one process (`ophyd_blueprint.testing.sim_beamline`).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .ioc import LOOPBACK, IocError, SlotServer
from .output import temporary_folder

if TYPE_CHECKING:
    from .sim_pmac import SimMotor

__all__ = ["SimBeamlineIoc", "SimDetectorIoc", "SimIoc", "SimPmacIoc"]

READY = "Server startup complete."
"""What a simulated IOC prints once it serves (caproto's own words)."""


class SimIoc(SlotServer):
    """One simulated IOC subprocess: `module` run with ``--prefix`` and `args`."""

    stop_timeout = 5.0

    def __init__(
        self,
        module: str,
        args: Sequence[str] = (),
        *,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.module = module
        self.args = list(args)
        self.prefix = prefix or f"S{os.getpid()}-{secrets.token_hex(3)}:"
        workdir = Path(log_dir or temporary_folder(self, "ophyd-blueprint-sim-"))
        workdir.mkdir(parents=True, exist_ok=True)
        log_path = workdir / f"{self.prefix.rstrip(':').replace(':', '_')}.log"
        super().__init__(f"{module} {self.prefix}", log_path)

    def pv(self, name: str) -> str:
        return self.prefix + name

    def server_env(self) -> dict[str, str]:
        assert self.ports is not None
        return {
            **os.environ,
            "EPICS_CA_SERVER_PORT": str(self.ports.ca_server),
            "EPICS_CAS_INTF_ADDR_LIST": LOOPBACK,
            "EPICS_CAS_BEACON_ADDR_LIST": LOOPBACK,
            "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
            "EPICS_CAS_BEACON_PORT": os.environ.get("EPICS_CA_REPEATER_PORT", "5065"),
            # a busy put (Acquire, Capture) must not delay reads on its circuit
            "CAPROTO_SERVER_WRITE_LOCK_TIMEOUT_SEC": "0",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, timeout: float = 30.0) -> None:
        """Start (or start again, on the same port) and wait until it serves."""
        if self.running:
            return
        self.take_slot()
        argv = [sys.executable, "-m", self.module, "--prefix", self.prefix]
        self.launch(
            [*argv, *self.args], timeout, ready_lines=(READY,), env=self.server_env()
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.module!r}, prefix={self.prefix!r})"


class SimDetectorIoc(SimIoc):
    """The simulated areaDetector (``cam1:`` and ``HDF1:``) with frames of `size`."""

    def __init__(
        self,
        size: tuple[int, int] = (64, 48),
        *,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        super().__init__(
            "ophyd_blueprint.testing.sim_detector",
            ["--size", f"{size[0]}x{size[1]}"],
            prefix=prefix,
            log_dir=log_dir,
        )
        self.size = size


class SimPmacIoc(SimIoc):
    """The simulated PMAC: `motors` (a count, or their settings) at ``M1``, ``M2``...,
    its trajectory scan, and coordinate system `cs` (``CS1:``).

    `buffer_length` is how many points the controller takes at a time (1000 on
    a real one): a run continues only while the points built and appended
    stay more than two buffers ahead of it.
    """

    def __init__(
        self,
        motors: int | Sequence[SimMotor] = 2,
        *,
        cs: int = 1,
        buffer_length: int = 1000,
        rate: float = 100.0,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        from .sim_pmac import default_motors, motors_argument  # imports caproto

        self.motors = default_motors(motors) if isinstance(motors, int) else [*motors]
        self.cs = cs
        self.buffer_length = buffer_length
        super().__init__(
            "ophyd_blueprint.testing.sim_pmac",
            [
                "--motors",
                motors_argument(self.motors),
                "--cs",
                str(cs),
                "--buffer-length",
                str(buffer_length),
                "--rate",
                str(rate),
            ],
            prefix=prefix,
            log_dir=log_dir,
        )

    def motor(self, number: int) -> str:
        """The record name of motor `number` (1-based), e.g. ``P:M1``."""
        return self.pv(f"M{number}")


class SimBeamlineIoc(SimIoc):
    """The coupled simulated beamline: a PMAC with `motors` at ``PMAC:``,
    `detectors` at ``DET1:``, ``DET2:``... looking at its X and Y motors, and
    a position compare at ``PCOMP:`` triggering them, on one clock; with
    `panda`, a simulated PandA on the motors triggering them too (its address
    is `panda_host` once started)."""

    def __init__(
        self,
        motors: int | Sequence[SimMotor] = 2,
        *,
        detectors: int = 1,
        buffer_length: int = 1000,
        panda: bool = False,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        from .sim_pmac import default_motors, motors_argument  # imports caproto

        self.motors = default_motors(motors) if isinstance(motors, int) else [*motors]
        super().__init__(
            "ophyd_blueprint.testing.sim_beamline",
            [
                "--motors",
                motors_argument(self.motors),
                "--detectors",
                str(detectors),
                "--buffer-length",
                str(buffer_length),
                *(["--panda"] if panda else []),
            ],
            prefix=prefix,
            log_dir=log_dir,
        )

    @property
    def panda_host(self) -> str:
        """The simulated PandA's address, as the running beamline printed it."""
        from .sim_beamline import PANDA_HOST_LINE

        for line in reversed(self.log_path.read_text(errors="replace").splitlines()):
            if line.startswith(PANDA_HOST_LINE):
                return line.removeprefix(PANDA_HOST_LINE).strip()
        raise IocError(f"{self.prefix} serves no simulated PandA:\n{self.log_tail()}")

    @property
    def pmac(self) -> str:
        """The PMAC's prefix."""
        return self.pv("PMAC:")

    def motor(self, number: int) -> str:
        """The record name of motor `number` (1-based)."""
        return self.pv(f"PMAC:M{number}")

    def detector(self, number: int) -> str:
        """The prefix of detector `number` (1-based)."""
        return self.pv(f"DET{number}:")

    @property
    def compare(self) -> str:
        """The position compare's prefix."""
        return self.pv("PCOMP:")
