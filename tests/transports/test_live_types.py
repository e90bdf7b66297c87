"""Live-typed signals (no datatype given) on CA, PVA and Tango: once connected,
each is the signal its server's type would have been declared as.

Every case connects a live-typed signal and a declared one on the same
source and holds them to the same datatype, description (dtype, numpy dtype,
shape, choices, units, precision, limits), value, put and put refusal.
EPICS records have no bool: a bo is an enum of its two labels (declare
``bool`` to read it as one); Tango's DevBoolean is a bool.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ophyd_blueprint.core import (
    Array1D,
    NotConnectedError,
    SignalR,
    SignalRW,
    StrictEnum,
    datatype_name,
    signal_r,
    signal_rw,
)
from ophyd_blueprint.core.table import Table
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_devices import ENUM_LABELS
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.transports.tango import DevStateEnum

TIMEOUT = 10.0
GROUPS_DB = Path(__file__).parents[2] / "src/ophyd_blueprint/testing/db/pva_groups.db"


class Shutter(StrictEnum):
    OPEN = "Open"
    CLOSED = "closed now"
    MOVING = "MOVING"


class OffOn(StrictEnum):
    OFF = "Off"
    ON = "On"


class Gain(StrictEnum):
    OFF = ENUM_LABELS[0]
    LOW = ENUM_LABELS[1]
    HIGH = ENUM_LABELS[2]


class Steps(Table):
    enabled: Array1D[np.uint8]
    count: Array1D[np.int32]
    name: Sequence[str]


@dataclass(frozen=True)
class Case:
    server: str
    """The fixture serving `where`: epics_ioc, groups_ioc or tango_server."""
    scheme: str
    where: str
    """Record or group name, or the attribute of the Tango ``types`` device."""
    declared: Any
    written: Any = None
    """A value to put (None: read-only here)."""

    @property
    def id(self) -> str:
        return f"{self.scheme}-{self.where}"


def _epics(where: str, declared: Any, written: Any = None) -> list[Case]:
    return [Case("epics_ioc", s, where, declared, written) for s in ("ca", "pva")]


CASES = [
    *_epics("AO", float, -3.25),
    *_epics("AI", float),
    *_epics("LONGOUT", int, -12),
    *_epics("STRINGOUT", str, "matrix"),
    *_epics("MBBO", Shutter, "MOVING"),
    *_epics("BO", OffOn, "On"),
    *_epics("WF_DOUBLE", Array1D[np.float64], [0.5, 4.0]),
    *_epics("WF_FLOAT", Array1D[np.float32], [0.25]),
    *_epics("WF_LONG", Array1D[np.int32], [9, -9]),
    *_epics("WF_SHORT", Array1D[np.int16], [7]),
    *_epics("WF_UCHAR", Array1D[np.uint8], [0, 7]),
    *_epics("AAI_STR", Sequence[str]),
    Case("epics_ioc", "pva", "INT64OUT", int, 2**40 + 1),
    Case("epics_ioc", "ca", "INT64OUT", float),  # CA carries int64 as DOUBLE
    Case(
        "groups_ioc",
        "pva",
        "TABLE",
        Steps,
        {"enabled": [1, 0, 1], "count": [5, 6, 7], "name": ["x", "y", "z z"]},
    ),
    Case(
        "groups_ioc",
        "pva",
        "IMAGE",
        np.ndarray,
        np.arange(12, dtype=np.uint16).reshape(4, 3),
    ),
    Case("tango_server", "tango", "boolean_scalar", bool, False),
    Case("tango_server", "tango", "long_scalar", int, -2_000_000),
    Case("tango_server", "tango", "ulong64_scalar", int, 2**63),
    Case("tango_server", "tango", "double_scalar", float, -7.25),
    Case("tango_server", "tango", "double_readonly", float),
    Case("tango_server", "tango", "string_scalar", str, "with spaces"),
    Case("tango_server", "tango", "enum_scalar", Gain, ENUM_LABELS[2]),
    Case("tango_server", "tango", "state_scalar", DevStateEnum),
    Case("tango_server", "tango", "double_spectrum", Array1D[np.float64], [1.0]),
    Case("tango_server", "tango", "short_spectrum", Array1D[np.int16], [1, -1]),
    Case("tango_server", "tango", "string_spectrum", Sequence[str], ["x", "y"]),
    Case("tango_server", "tango", "double_image", np.ndarray),
]


@pytest.fixture(scope="module")
def groups_ioc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpicsIoc]:
    """An NTTable and an NTNDArray served by QSRV groups."""
    with EpicsIoc((GROUPS_DB,), log_dir=tmp_path_factory.mktemp("groups")) as ioc:
        yield ioc


@pytest.fixture
def uri(request: pytest.FixtureRequest, case: Case) -> str:
    """The case's source, on the server that serves it."""
    server = request.getfixturevalue(case.server)
    if isinstance(server, TangoServer):
        return server.attribute("types", case.where)
    assert isinstance(server, EpicsIoc)
    return f"{case.scheme}://{server.pv(case.where)}"


def plain(value: Any) -> Any:
    """A value to compare: arrays as lists, tables as dicts, enums as labels."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Table):
        return {n: plain(np.asarray(c)) for n, c in value.model_dump().items()}
    if isinstance(value, Enum):
        return value.value
    return value


def _same_kind(live: Any, declared: Any) -> None:
    """The live datatype is the declared one, or (enums, tables) its twin."""
    if isinstance(declared, type) and issubclass(declared, Enum):
        assert isinstance(live, type)
        assert issubclass(live, StrictEnum)
        assert [m.value for m in live] == [m.value for m in declared]
    elif isinstance(declared, type) and issubclass(declared, Table):
        assert isinstance(live, type)
        assert issubclass(live, Table)
        columns = {n: c.name for n, c in live.columns().items()}
        assert columns == {n: c.name for n, c in declared.columns().items()}
    else:
        assert datatype_name(live) == datatype_name(declared)
        assert live == declared


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_a_live_typed_signal_is_the_declared_one_once_connected(
    uri: str, case: Case
) -> None:
    live: SignalR[Any]
    if case.written is None:
        live, declared = signal_r(None, uri, name="sig"), signal_r(case.declared, uri)
    else:
        live, declared = signal_rw(None, uri, name="sig"), signal_rw(case.declared, uri)
    declared.set_name("sig")
    assert repr(live).startswith(f"{type(live).__name__}[Any]('sig'")
    await live.connect(timeout=TIMEOUT)
    await declared.connect(timeout=TIMEOUT)
    _same_kind(live.datatype, case.declared)
    assert await live.describe() == await declared.describe()
    assert plain(await live.get_value()) == plain(await declared.get_value())


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.written is not None], ids=lambda c: c.id
)
async def test_a_live_typed_signal_puts_and_refuses_as_the_declared_one(
    uri: str, case: Case
) -> None:
    live = signal_rw(None, uri, name="sig")
    declared = signal_rw(case.declared, uri, name="sig")
    await live.connect(timeout=TIMEOUT)
    await declared.connect(timeout=TIMEOUT)
    spec = declared.backend.spec
    assert spec is not None
    before = await declared.get_value()
    try:
        await live.set(case.written, timeout=TIMEOUT)
        expected = plain(spec.coerce(case.written))
        assert plain(await declared.get_value()) == expected
        assert plain(await live.get_value()) == expected
        wrong = object()
        with pytest.raises(TypeError, match=r"sig \(.*\) is of type .* cannot be set"):
            live.set(wrong)
        with pytest.raises(TypeError):
            declared.set(wrong)
    finally:
        await declared.set(before, timeout=TIMEOUT)


async def test_set_before_connect_says_the_type_comes_at_connect(
    epics_ioc: EpicsIoc,
) -> None:
    sig = signal_rw(None, f"ca://{epics_ioc.pv('AO')}", name="sig")
    with pytest.raises(NotConnectedError, match="datatype comes from the server"):
        sig.set(1.0)


async def test_a_serverless_live_typed_signal_fails_to_connect_saying_why() -> None:
    sig: SignalRW[Any] = signal_rw(None, "soft://nothing", name="sig")
    with pytest.raises(NotConnectedError, match="declare its dtype"):
        await sig.connect(timeout=TIMEOUT)


async def test_a_mock_of_a_connected_live_typed_signal_has_its_type(
    epics_ioc: EpicsIoc,
) -> None:
    sig = signal_rw(None, f"ca://{epics_ioc.pv('LONGOUT')}", name="sig")
    await sig.connect(timeout=TIMEOUT)
    await sig.connect(mock=True, timeout=TIMEOUT)
    assert sig.datatype is int
    await sig.set(3)
    assert await sig.get_value() == 3
    with pytest.raises(TypeError, match="is of type int"):
        sig.set("three")


async def test_a_mock_of_a_never_connected_live_typed_signal_says_why_not() -> None:
    sig = signal_rw(None, "ca://NOT:CONNECTED", name="sig")
    with pytest.raises(NotConnectedError, match="declare its dtype"):
        await sig.connect(mock=True, timeout=TIMEOUT)
