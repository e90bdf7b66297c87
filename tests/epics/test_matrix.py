"""The same records through ca:// and pva://: each datatype reads and round-trips.

Other modules write these records too, so values are checked only after this
module's own puts; reads check the type.

PVA runs against both IOC flavours (QSRV 2 and QSRV 1); CA against the pvxs
IOC. A record may need another name per protocol (CA reads long strings
through ``$``); `Case.records` holds those.
"""

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import Array1D, StrictEnum, signal_r, signal_rw
from ophyd_blueprint.testing.ioc import EpicsIoc

TIMEOUT = 5.0
HAS_PVA = importlib.util.find_spec("ophyd_blueprint.transports.pva") is not None


class Shutter(StrictEnum):
    OPEN = "Open"
    CLOSED = "closed now"
    MOVING = "MOVING"


@dataclass(frozen=True)
class Case:
    datatype: Any
    record: str
    initial: Any
    written: Any = None
    records: dict[str, str] = field(default_factory=dict[str, str])
    truncated_by: dict[str, int] = field(default_factory=dict[str, int])
    """Server flavour -> the length it cuts a written string to, over PVA."""

    def pv(self, protocol: str) -> str:
        return self.records.get(protocol, self.record)


CASES = [
    Case(float, "AO", 1.5, -3.25),
    Case(int, "LONGOUT", 7, -12),
    Case(int, "INT64OUT", 5, 2**40 + 1),
    Case(bool, "BO", False, True),
    Case(Shutter, "MBBO", Shutter.OPEN, Shutter.MOVING),
    Case(str, "STRINGOUT", "world", "matrix"),
    Case(
        str,
        "LSO",
        "initial long string",
        "y" * 100,
        {"ca": "LSO.VAL$"},
        {"qsrv1": 39},  # QSRV 1 serves an lso VAL as a char[40]
    ),
    Case(Sequence[str], "AAI_STR", ["one", "two"]),
    Case(Array1D[np.float64], "WF_DOUBLE", np.array([1.5, -2.5]), [0.5, 4.0]),
    Case(Array1D[np.int32], "WF_LONG", np.array([1, -2], np.int32), [9, -9]),
    Case(Array1D[np.uint8], "WF_UCHAR", np.array([1, 255], np.uint8), [0, 7]),
    Case(Array1D[np.float32], "WF_FLOAT", np.array([1.5], np.float32), [0.25]),
]

SERVERS = [
    pytest.param(("ca", "epics_ioc"), id="ca"),
    pytest.param(
        ("pva", "epics_ioc"),
        id="pva-qsrv2",
        marks=pytest.mark.skipif(not HAS_PVA, reason="no pva transport yet"),
    ),
    pytest.param(
        ("pva", "epics_ioc_qsrv1"),
        id="pva-qsrv1",
        marks=pytest.mark.skipif(not HAS_PVA, reason="no pva transport yet"),
    ),
]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> tuple[str, EpicsIoc]:
    protocol, fixture = request.param
    return protocol, request.getfixturevalue(fixture)


def plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.record}-{c.datatype}")
async def test_record_reads_a_value_of_the_datatype(
    server: tuple[str, EpicsIoc], case: Case
):
    protocol, ioc = server
    sig = signal_r(case.datatype, f"{protocol}://{ioc.pv(case.pv(protocol))}")
    await sig.connect(timeout=TIMEOUT)
    value = await sig.get_value()
    assert type(value) is type(case.initial)
    if isinstance(value, np.ndarray):
        assert value.dtype == case.initial.dtype


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.written is not None], ids=lambda c: c.record
)
async def test_value_written_is_read_back(server: tuple[str, EpicsIoc], case: Case):
    protocol, ioc = server
    expected = case.written
    if protocol == "pva" and ioc.flavour in case.truncated_by:
        expected = case.written[: case.truncated_by[ioc.flavour]]
    sig = signal_rw(case.datatype, f"{protocol}://{ioc.pv(case.pv(protocol))}")
    await sig.connect(timeout=TIMEOUT)
    try:
        await sig.set(case.written)
        assert plain(await sig.get_value()) == plain(expected)
    finally:
        await sig.set(case.initial)
