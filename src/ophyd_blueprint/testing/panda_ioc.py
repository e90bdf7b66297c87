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
_GAVE_UP = b"PandA did not respond to GetChanges"
"""What pandablocks-ioc prints when it gives its PandA up for good: a
``*CHANGES?`` unanswered for 1 s (ten of its 0.1 s poll periods, fixed in
its code) and it stops polling; every put, arm and disarm fails after."""


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
        self._scanned = 0
        """How far its log has been searched for `_GAVE_UP` (this run's part)."""

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
        self._scanned = self.log_path.stat().st_size if self.log_path.exists() else 0
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

    def lost_panda(self) -> bool:
        """Whether the running IOC has given its PandA up: pandablocks-ioc
        does when one ``*CHANGES?`` goes unanswered for 1 s, and does not
        connect again. A simulated PandA in a thread misses that second when
        another thread of its process holds the GIL that long."""
        if not self.running:
            return False
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._scanned)
                unread = log.read()
        except OSError:
            return False
        if _GAVE_UP in unread:
            return True
        # a line being written may hold the first part of the words
        self._scanned += max(0, len(unread) - len(_GAVE_UP))
        return False

    def revive(self, timeout: float = 90.0) -> bool:
        """Restart the IOC (same prefix and ports) if it has given its PandA
        up (`lost_panda`); whether it had. Its clients reconnect."""
        if not self.lost_panda():
            return False
        self.restart(timeout)
        return True

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
        if not self.panda.running:
            self.panda.start()
        self.host = self.panda.host
        super().start(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Stop the IOC, then the simulation."""
        super().stop(timeout)
        self.panda.stop()

    def log_tail(self, lines: int = 40) -> str:
        """The IOC's last lines, then the simulation's latest failures and
        the times its thread was held up, if any."""
        tail = super().log_tail(lines)
        if self.panda.errors:
            heading = "--- the simulated PandA's own failures ---"
            tail = "\n".join([tail, heading, *self.panda.errors[-3:]])
        if self.panda.stalls:
            heading = "--- when the simulated PandA's thread was held up ---"
            tail = "\n".join([tail, heading, *self.panda.held_up(5)])
        return tail
