"""The real pandablocks-ioc serves the simulated PandA: records, PVI, arming."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest
from p4p.client.asyncio import Context

from ophyd_blueprint import load_beamline
from ophyd_blueprint.logic.detector_parts import DetectorError
from ophyd_blueprint.logic.panda_capture import PcapArming
from ophyd_blueprint.testing.fixtures import pytest_runtest_setup
from ophyd_blueprint.testing.panda_ioc import PandaIoc

TIMEOUT = 10.0
DATA = Path(__file__).with_name("data")


async def _get(ctx: Context, pv: str) -> Any:
    return await asyncio.wait_for(ctx.get(pv), TIMEOUT)


async def _put(ctx: Context, pv: str, value: object) -> None:
    await asyncio.wait_for(ctx.put(pv, value), TIMEOUT)


async def _wait_for(ctx: Context, pv: str, wanted: object) -> None:
    async with asyncio.timeout(TIMEOUT):
        while (await ctx.get(pv)) != wanted:
            await asyncio.sleep(0.05)


async def test_the_ioc_describes_itself_through_pvi(panda_ioc: PandaIoc) -> None:
    with Context("pva") as ctx:
        root = (await _get(ctx, panda_ioc.pv("PVI"))).todict()
    seq = root["value"]["seq"]
    assert seq[0] is None
    assert [item["d"] for item in seq[1:]] == [
        panda_ioc.pv("SEQ1:PVI"),
        panda_ioc.pv("SEQ2:PVI"),
    ]
    assert root["value"]["pcap"]["d"] == panda_ioc.pv("PCAP:PVI")
    assert root["value"]["data"]["d"] == panda_ioc.pv("DATA:PVI")


async def test_a_put_through_the_ioc_reaches_the_panda(panda_ioc: PandaIoc) -> None:
    with Context("pva") as ctx:
        await _put(ctx, panda_ioc.pv("PCOMP2:START"), 1234)
        async with asyncio.timeout(TIMEOUT):
            while panda_ioc.panda.store.values["PCOMP2.START"] != "1234":
                await asyncio.sleep(0.05)


async def _arm_and_disarm(ioc: PandaIoc) -> None:
    """PCAP armed and disarmed through the IOC's records, and a capture run
    that the simulated PandA ended for the disarm."""
    with Context("pva") as ctx:
        await _put(ctx, ioc.pv("PCAP:ARM"), 1)
        await _wait_for(ctx, ioc.pv("PCAP:ACTIVE"), 1)
        await _put(ctx, ioc.pv("PCAP:ARM"), 0)
        await _wait_for(ctx, ioc.pv("PCAP:ACTIVE"), 0)
    assert ioc.panda.runs[-1].reason == "Disarmed"


async def test_arming_through_the_ioc_makes_pcap_active(panda_ioc: PandaIoc) -> None:
    await _arm_and_disarm(panda_ioc)


async def test_an_ioc_that_gave_its_panda_up_is_restarted_before_the_next_test(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """pandablocks-ioc gives its PandA up for good when a ``*CHANGES?`` goes
    unanswered for 1 s (CI: a test holding the GIL 2 s starved the simulated
    PandA, a thread of the test process, and later PandA tests could not
    arm). The setup hook restarts such an IOC, saying so, and it arms again."""
    with PandaIoc(log_dir=tmp_path) as ioc:  # its own: the session's stays well
        assert not ioc.lost_panda()
        with ioc.panda.silent():
            async with asyncio.timeout(TIMEOUT):
                while not ioc.lost_panda():
                    await asyncio.sleep(0.05)
        # what a user of the device is told meanwhile: arming cannot work
        arming = await _pcap_arming(ioc, tmp_path)
        with pytest.raises(DetectorError, match="MAJOR alarm: the IOC may have lost"):
            await arming.arm()
        ports, first = ioc.ports, ioc.pid
        with pytest.warns(pytest.PytestWarning, match="had given its PandA up"):
            await asyncio.to_thread(pytest_runtest_setup, request.node)
        assert ioc.pid != first, "restarted"
        assert ioc.ports == ports
        assert not ioc.lost_panda()
        assert not await asyncio.to_thread(ioc.revive), "nothing to revive"
        await _arm_and_disarm(ioc)


async def _pcap_arming(ioc: PandaIoc, folder: Path) -> PcapArming:
    """The hand-written PCAP blueprint on `ioc`, arming with a 1 s timeout."""
    path = folder / "panda.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: lost
            blueprints: [{DATA}]
            defaults: {{protocol: pva, timeout: {TIMEOUT}}}
            devices:
              panda:
                blueprint: PandaCaptureByHand
                with: {{prefix: "{ioc.prefix}"}}
                logic:
                  - use: panda.PcapArming
                    bind: {{arm: arm, active: active}}
                    with: {{timeout: 1.0}}
            """
        )
    )
    panda = load_beamline(path).panda
    await panda.connect(timeout=TIMEOUT)
    [arming] = [
        logic
        for logic in panda.logic
        if isinstance(logic, PcapArming) and logic.config.get("timeout") == 1.0
    ]
    return arming
