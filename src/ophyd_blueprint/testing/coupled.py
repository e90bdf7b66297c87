"""The coupled simulated beamline with a PandA, behind the real pandablocks-ioc.

`CoupledBeamline` starts `SimBeamlineIoc` with its simulated PandA (a PMAC
whose X and Y motors the PandA's INENC1 and INENC2 count, a detector looking
at them and triggered by the PandA's TTLOUT1, all on one clock in one
process), then the real pandablocks-ioc in front of that PandA. Tests and
the demo load a beamline file on `pmac`, `motor(n)`, `detector(n)` and
`panda` (the IOC's prefix), and wire the PandA with `wiring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .lifecycle import Started
from .panda_ioc import PandablocksIoc
from .sim_beamline import ENCODER_SCALE
from .sim_ioc import SimBeamlineIoc

if TYPE_CHECKING:
    from .sim_pmac import SimMotor

__all__ = ["CoupledBeamline", "wiring"]


def wiring(prefix: str) -> list[tuple[str, object]]:
    """The PandA's records to put, as on a beamline: SEQ1 gates and triggers
    the capture of both encoders (datasets ``x``, ``y``, in motor units) and
    pulses TTLOUT1, the detector's trigger input. PCAP is enabled by the soft
    bit BITS.A, which ``trigger.PandaSeq`` holds high (its ``running`` role)
    while its tables run: SEQ1.ACTIVE falls between two tables."""
    puts: list[tuple[str, object]] = [
        ("PCAP:ENABLE", "BITS.OUTA"),
        ("PCAP:GATE", "SEQ1.ACTIVE"),
        ("PCAP:TRIG", "SEQ1.OUTA"),
        ("TTLOUT1:VAL", "SEQ1.OUTA"),
        # PVI discovery types PRESCALE with its units: SEQ blocks left in
        # different units would be discovered as seq_1, seq_2
        ("SEQ1:PRESCALE:UNITS", "us"),
        ("SEQ2:PRESCALE:UNITS", "us"),
    ]
    for number, name in ((1, "x"), (2, "y")):
        puts += [
            (f"INENC{number}:VAL:SCALE", ENCODER_SCALE),
            (f"INENC{number}:VAL:OFFSET", 0.0),
            (f"INENC{number}:VAL:CAPTURE", "Value"),
            (f"INENC{number}:VAL:DATASET", name),
        ]
    return [(prefix + name, value) for name, value in puts]


class CoupledBeamline(Started):
    """The simulated beamline (PMAC, detector, PandA) and pandablocks-ioc.

    `prefix` is the simulation's (its PMAC is ``<prefix>PMAC:``), `panda_prefix`
    the IOC's; each is unique to the process unless given (the demo gives
    those its beamline file names)."""

    def __init__(
        self,
        motors: int | Sequence[SimMotor] = 2,
        *,
        detectors: int = 1,
        buffer_length: int = 1000,
        prefix: str | None = None,
        panda_prefix: str | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.sim = SimBeamlineIoc(
            motors,
            detectors=detectors,
            buffer_length=buffer_length,
            panda=True,
            prefix=prefix,
            log_dir=log_dir,
        )
        self.ioc = PandablocksIoc(prefix=panda_prefix, log_dir=log_dir)

    @property
    def pmac(self) -> str:
        """The PMAC's prefix."""
        return self.sim.pmac

    def motor(self, number: int) -> str:
        """The record name of motor `number` (1-based)."""
        return self.sim.motor(number)

    def detector(self, number: int) -> str:
        """The prefix of detector `number` (1-based)."""
        return self.sim.detector(number)

    @property
    def panda(self) -> str:
        """The pandablocks-ioc's prefix (its PVI root is ``<panda>PVI``)."""
        return self.ioc.prefix

    def start(self) -> None:
        """Start the simulation, then the IOC in front of its PandA."""
        self.sim.start()
        self.ioc.host = self.sim.panda_host
        try:
            self.ioc.start()
        except BaseException:
            self.sim.stop()
            raise

    def stop(self) -> None:
        """Stop the IOC, then the simulation."""
        try:
            self.ioc.stop()
        finally:
            self.sim.stop()

    def log_tail(self, lines: int = 40) -> str:
        """Both servers' last output lines."""
        return f"{self.sim.log_tail(lines)}\n--- pandablocks-ioc ---\n" + (
            self.ioc.log_tail(lines)
        )
