"""The real pandablocks-ioc, serving a simulated PandA, for tests.

`PandablocksIoc` runs ``pandablocks-ioc softioc <address> <prefix>`` in front
of a PandA at an address (a simulation in another process: the coupled
beamline's); `PandaIoc` starts a `SimPandA` (its own loopback address, in a
thread of this process), then the IOC: ``pandablocks-ioc`` from the
virtualenv the Makefile makes (``.venv-panda``: the IOC pins numpy<2) on a
port slot of `ophyd_blueprint.testing.ioc`, waits until it serves, and stops
both. The IOC exits when its stdin closes, so it is kept open until `stop`.

Records are ``<prefix>SEQ1:TABLE`` (an NTTable over PVA), ``<prefix>PCAP:ARM``,
``<prefix>DATA:HDF_DIRECTORY``...; ``<prefix>PVI`` is the root of its PVI.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from .ioc import LOOPBACK, IocError, SlotServer, configure_client_env
from .sim_panda import EncoderPosition, SimPandA, constant_position

__all__ = ["PANDA_IOC_ENV", "PandaIoc", "PandablocksIoc", "panda_ioc_executable"]

PANDA_IOC_ENV = "OPHYD_BLUEPRINT_PANDA_IOC"
"""Names the ``pandablocks-ioc`` executable to run, instead of ``.venv-panda``'s."""

_VENV_IOC = Path(".venv-panda") / "bin" / "pandablocks-ioc"


def panda_ioc_executable() -> Path:
    """The ``pandablocks-ioc`` to run: `PANDA_IOC_ENV`, else the project's
    ``.venv-panda`` (beside ``src/``, or in the working directory)."""
    named = os.environ.get(PANDA_IOC_ENV)
    candidates = (
        [Path(named)]
        if named
        else [Path(__file__).resolve().parents[3] / _VENV_IOC, Path.cwd() / _VENV_IOC]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise IocError(
        f"pandablocks-ioc not found at {', '.join(map(str, candidates))}: run "
        f"`make .venv-panda/.installed` or set {PANDA_IOC_ENV}"
    )


class PandablocksIoc(SlotServer):
    """The real pandablocks-ioc in front of the PandA at `host` (127.0.0.x)."""

    def __init__(
        self,
        host: str = "",
        *,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        configure_client_env()
        self.host = host
        self.prefix = prefix or f"PANDA{os.getpid()}-{secrets.token_hex(3)}:"
        workdir = Path(log_dir or tempfile.mkdtemp(prefix="ophyd-blueprint-panda-"))
        workdir.mkdir(parents=True, exist_ok=True)
        log_path = workdir / f"{self.prefix.rstrip(':')}.log"
        super().__init__(f"pandablocks-ioc {self.prefix}", log_path)
        self._workdir = workdir

    def pv(self, name: str) -> str:
        """``ioc.pv("SEQ1:TABLE")`` -> ``PANDA12-ab01cd:SEQ1:TABLE``."""
        return self.prefix + name

    def server_env(self) -> dict[str, str]:
        return {
            **os.environ,
            **configure_client_env(),
            **self.slot_env(),
            "EPICS_PVAS_INTF_ADDR_LIST": LOOPBACK,
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, timeout: float = 90.0) -> None:
        """Start the IOC and wait until it serves."""
        if self.running:
            return
        executable = panda_ioc_executable()
        self.take_slot()
        # Its Python console runs this once iocInit has returned: it serves.
        self.launch(
            [str(executable), "softioc", self.host, self.prefix.rstrip(":")],
            timeout,
            ready_lines=(self._marker(),),
            env=self.server_env(),
            cwd=self._workdir,
            console=f"print({self._marker()!r}, flush=True)\n",
        )

    def _marker(self) -> str:
        return f"ophyd-blueprint: pandablocks-ioc {self.prefix} ready"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r}, host={self.host!r})"


class PandaIoc(PandablocksIoc):
    """A simulated PandA (`panda`) and the real pandablocks-ioc in front of it."""

    def __init__(
        self,
        *,
        encoder_position: EncoderPosition = constant_position,
        prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.panda = SimPandA(encoder_position=encoder_position)
        super().__init__(prefix=prefix, log_dir=log_dir)

    def start(self, timeout: float = 90.0) -> None:
        """Start the simulation, then the IOC, and wait until the IOC serves."""
        if self.running:
            return
        self.panda.start()
        self.host = self.panda.host
        super().start(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Stop the IOC, then the simulation."""
        super().stop(timeout)
        self.panda.stop()

    def log_tail(self, lines: int = 40) -> str:
        """The IOC's last lines, and the simulation's latest failures if any."""
        tail = super().log_tail(lines)
        if not self.panda.errors:
            return tail
        heading = "--- the simulated PandA's own failures ---"
        return "\n".join([tail, heading, *self.panda.errors[-3:]])
