"""CA, PVA and Tango behave alike where the concern is the same: one rule each,
decided in `core`, shown here on the real servers.

- A lost server: one DISCONNECTED reading with the last value, then the
  monitor resumes by itself on the server's own events.
- Limits: open bounds are None, unset ranges (both open, or 0 and 0) are left
  out, a source without any has no ``limits``.
- URIs: one splitter; a transport refuses a URI of another scheme.
"""

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from bluesky.protocols import Reading

from ophyd_blueprint.core import (
    DISCONNECTED,
    datatype_spec,
    get_transport,
    signal_r,
    signal_rw,
    split_uri,
)
from ophyd_blueprint.core.backend import disconnected_reading
from ophyd_blueprint.core.limits import limits, limits_range
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_server import TangoServer

SCHEMES = ["ca", "pva", "tango"]
TIMEOUT = 10.0


class Collector:
    """The readings of one signal, and a way to wait for one that matches."""

    def __init__(self) -> None:
        self.readings: list[Reading[Any]] = []
        self._changed = asyncio.Event()

    def __call__(self, readings: dict[str, Reading[Any]]) -> None:
        self.readings.extend(readings.values())
        self._changed.set()

    async def wait_for(
        self, predicate: Callable[[Reading[Any]], bool], after: int, timeout: float
    ) -> int:
        """The index of the first reading from `after` on that matches."""
        async with asyncio.timeout(timeout):
            while True:
                for index in range(after, len(self.readings)):
                    if predicate(self.readings[index]):
                        return index
                self._changed.clear()
                await self._changed.wait()


@dataclass
class Restartable:
    """A float source on a server the test may kill and start again."""

    uri: str
    kill: Callable[[], None]
    start: Callable[[], None]
    initial: float
    """The source's value when its server has just started."""
    resume_timeout: float
    """How long the client library may take to find the server again."""


@pytest.fixture(params=SCHEMES)
def restartable(request: pytest.FixtureRequest) -> Restartable:
    scheme: str = request.param
    if scheme == "tango":
        server: TangoServer = request.getfixturevalue("restartable_tango_server")
        uri = server.attribute("motor", "Position")
        # Tango notices a dead server by its missing heartbeat and subscribes
        # again every 10 s: allow two rounds.
        return Restartable(uri, server.kill, server.start, 0.0, 25.0)
    ioc: EpicsIoc = request.getfixturevalue("restartable_ioc")
    # libca searches for a lost circuit's PVs every 10 s; the PVA client's
    # search back-off reaches 30 s.
    resume = 30.0 if scheme == "ca" else 35.0
    return Restartable(f"{scheme}://{ioc.pv('V')}", ioc.kill, ioc.start, 1.5, resume)


async def test_a_lost_server_is_one_disconnected_reading_then_events_resume(
    restartable: Restartable,
):
    case = restartable
    sig = signal_rw(float, case.uri, name="s")
    await sig.connect(timeout=TIMEOUT)
    await sig.set(0.5)
    seen = Collector()
    sig.subscribe(seen)
    good = await seen.wait_for(lambda r: r["value"] == 0.5, 0, TIMEOUT)

    await asyncio.to_thread(case.kill)
    lost = await seen.wait_for(
        lambda r: r["alarm_severity"] == DISCONNECTED, good + 1, case.resume_timeout
    )
    assert seen.readings[lost]["value"] == 0.5  # the last value delivered
    assert (
        seen.readings[lost].get("message", "").startswith(f"{case.uri} disconnected: ")
    )

    await asyncio.to_thread(case.start)
    back = await seen.wait_for(
        lambda r: r["alarm_severity"] != DISCONNECTED, lost + 1, case.resume_timeout
    )
    assert seen.readings[back]["value"] == case.initial
    during = seen.readings[good + 1 : back]
    assert [r["alarm_severity"] for r in during] == [DISCONNECTED]  # once per loss
    await sig.set(0.25)  # and the monitor is on the server's events again
    await seen.wait_for(lambda r: r["value"] == 0.25, back + 1, TIMEOUT)
    sig.clear_sub(seen)


def test_the_loss_reading_has_the_last_value_or_the_default_and_comes_once():
    spec = datatype_spec(float)
    last: Reading[float] = {"value": 2.5, "timestamp": 1.0, "alarm_severity": 0}
    lost = disconnected_reading(last, spec, "ca://X", "Channel disconnected")
    assert lost is not None
    assert (lost["value"], lost["alarm_severity"]) == (2.5, DISCONNECTED)
    assert lost.get("message") == "ca://X disconnected: Channel disconnected"
    assert disconnected_reading(lost, spec, "ca://X", "again") is None
    nothing_yet = disconnected_reading(None, spec, "pva://X", "gone")
    assert nothing_yet is not None
    assert nothing_yet["value"] == 0.0


def _on(scheme: str, ioc: EpicsIoc, server: TangoServer) -> Callable[[str], str]:
    """Record or attribute name -> its URI on this transport's test server."""
    if scheme == "tango":
        return lambda name: server.attribute(*name.split("/"))
    return lambda name: f"{scheme}://{ioc.pv(name)}"


LIMITED = {
    "ca": (
        "AO",
        {
            "control": {"low": -50.0, "high": 50.0},
            "display": {"low": -100.0, "high": 100.0},
            "alarm": {"low": -40.0, "high": 40.0},
            "warning": {"low": -30.0, "high": 30.0},
        },
    ),
    "tango": (
        "types/double_readonly",
        {
            "control": {"low": -100.0, "high": 100.0},
            "alarm": {"low": -90.0, "high": 90.0},
            "warning": {"low": -80.0, "high": 80.0},
        },
    ),
}
LIMITED["pva"] = LIMITED["ca"]
PARTLY = {
    "ca": ("LONGOUT", int, {"control": {"low": -1000.0, "high": 1000.0}}),
    "tango": ("motor/Velocity", float, {"control": {"low": 0.0, "high": None}}),
}
PARTLY["pva"] = PARTLY["ca"]
UNLIMITED = {"ca": ("COUNTER", int), "pva": ("COUNTER", int)}
UNLIMITED["tango"] = ("types/long_scalar", int)


@pytest.mark.parametrize("scheme", SCHEMES)
async def test_limits_follow_one_rule(
    scheme: str, epics_ioc: EpicsIoc, tango_server: TangoServer
):
    uri = _on(scheme, epics_ioc, tango_server)
    name, every = LIMITED[scheme]
    partly_name, partly_type, partly = PARTLY[scheme]
    none_name, none_type = UNLIMITED[scheme]
    signals = {
        "every": signal_r(float, uri(name), name="every"),
        "partly": signal_r(partly_type, uri(partly_name), name="partly"),
        "none": signal_r(none_type, uri(none_name), name="none"),
    }
    await asyncio.gather(*(s.connect(timeout=TIMEOUT) for s in signals.values()))
    keys = {n: (await s.describe())[n] for n, s in signals.items()}
    assert keys["every"].get("limits") == every
    assert keys["partly"].get("limits") == partly  # 0 and 0 is unset
    assert "limits" not in keys["none"]


def test_the_limits_rule():
    assert limits_range(-1.0, 1.0) == {"low": -1.0, "high": 1.0}
    assert limits_range(0.0, 0.0) is None  # EPICS for "no limits"
    assert limits_range(math.nan, math.nan) is None
    assert limits_range(None, None) is None
    assert limits_range(math.nan, 5.0) == {"low": None, "high": 5.0}
    assert limits_range(0.0, None) == {"low": 0.0, "high": None}
    assert limits({"control": (0.0, 0.0), "display": (None, math.nan)}) is None
    assert limits({"alarm": (-2, 2), "warning": (0, 0)}) == {
        "alarm": {"low": -2.0, "high": 2.0}
    }


PATHS = {
    "ca": "BL01:X.RBV",
    "pva": "BL01:X",
    "tango": "127.0.0.1:10000/a/b/c/d#dbase=no",
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_one_uri_splitter_and_each_transport_refuses_other_schemes(scheme: str):
    path = PATHS[scheme]
    uri = f"{scheme}://{path}"
    assert split_uri(uri) == (scheme, path)
    assert split_uri(uri, scheme) == (scheme, path)
    transport = get_transport(scheme)
    assert transport.make_backend(float, uri, uri).source("", True) == uri
    other = f"soft://{path}"
    with pytest.raises(ValueError, match=f"is not a {scheme}:// URI"):
        transport.make_backend(float, other, other)
    with pytest.raises(ValueError, match="has no scheme"):
        transport.make_backend(float, path, path)
