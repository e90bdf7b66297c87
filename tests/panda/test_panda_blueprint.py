"""The shipped PandA blueprint on the real IOC: discovered structure, logic
added by a beamline entry, bind paths checked at connect, the IOC's version."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import DeviceVector, load_beamline
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.panda_ioc import PandaIoc

DATA = Path(__file__).with_name("data")
DEVICES = Path(__file__).parents[2] / "devices"
TIMEOUT = 10.0


def beamline(directory: Path, devices: str, data_dir: Path) -> LoadedBeamline:
    path = directory / "beamline.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: panda
            blueprints: [{DEVICES}]
            defaults: {{protocol: pva, timeout: 10.0, data_dir: "{data_dir}"}}
            devices:
            """
        )
        + textwrap.indent(textwrap.dedent(devices), "  ")
    )
    return load_beamline(path)


@pytest.fixture(scope="module")
def old_ioc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpicsIoc]:
    log_dir = tmp_path_factory.mktemp("old-panda")
    with EpicsIoc([DATA / "old_panda.db"], log_dir=log_dir) as ioc:
        yield ioc


async def test_numbered_blocks_are_vectors_of_the_discovered_device(
    panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    bl = beamline(
        tmp_path,
        f"""\
        panda: {{blueprint: PandA, with: {{prefix: "{panda_ioc.prefix}"}}}}
        """,
        tmp_path,
    )
    report = await bl.connect(timeout=TIMEOUT)
    assert report.ok, report
    panda: Any = bl.panda
    assert isinstance(panda.seq, DeviceVector)
    assert sorted(panda.seq) == [1, 2]
    assert sorted(panda.inenc) == [1, 2, 3, 4]
    assert panda.seq[1].table.source == f"pva://{panda_ioc.pv('SEQ1:TABLE')}"
    await panda.pcomp[2].width.set(4321, timeout=TIMEOUT)
    async with asyncio.timeout(TIMEOUT):  # the IOC writes it to the PandA
        while panda_ioc.panda.store.values["PCOMP2.WIDTH"] != "4321":
            await asyncio.sleep(0.05)


async def test_a_pvi_entry_takes_logic_and_the_beamline_data_dir(
    panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    bl = beamline(
        tmp_path,
        f"""\
        raw:
          pvi: "pva://{panda_ioc.pv("PVI")}"
          logic:
            - use: panda.PcapArming
              bind: {{arm: pcap.arm, active: pcap.active}}
            - use: detector.FileDetector
        """,
        tmp_path / "data",
    )
    report = await bl.connect(timeout=TIMEOUT)
    assert report.ok, report
    raw: Any = bl.raw
    arming, detector = raw.logic
    assert detector.config["data_dir"] == str(tmp_path / "data")
    # a test in the same process may have left PCAP enabled by a sequencer:
    # its fall would end the run "Ok" between arm and disarm
    await raw.pcap.enable.set("ZERO", timeout=TIMEOUT)
    runs = len(panda_ioc.panda.runs)
    await arming.arm()
    await arming.disarm()
    assert len(panda_ioc.panda.runs) == runs + 1
    assert panda_ioc.panda.runs[-1].reason == "Disarmed"


async def test_a_bind_path_the_pvi_lacks_fails_the_connect_naming_it(
    panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    bl = beamline(
        tmp_path,
        f"""\
        bad:
          pvi: "pva://{panda_ioc.pv("PVI")}"
          logic:
            - use: panda.PcapArming
              bind: {{arm: pcap.no_such_arm, active: pcap.active}}
        """,
        tmp_path,
    )
    report = await bl.connect(timeout=TIMEOUT)
    bad = report.devices["bad"]
    error = str(bad.error)
    assert "beamline.yaml:" in error
    assert "panda.PcapArming" in error
    assert "no_such_arm" in error
    assert panda_ioc.pv("PVI") in error
    # its signals answered: the summary says the logic did not fit, not a signal
    assert bad.summary() == (
        f"bad: 1 logic entry could not be bound to what it has ({bad.signals} signals)"
    )


async def test_an_ioc_older_than_the_pvi_form_is_named_with_its_version(
    old_ioc: EpicsIoc, tmp_path: Path
) -> None:
    bl = beamline(
        tmp_path,
        f"""\
        old: {{blueprint: PandA, with: {{prefix: "{old_ioc.prefix}"}}}}
        """,
        tmp_path,
    )
    report = await bl.connect(timeout=TIMEOUT)
    error = str(report.devices["old"].error)
    assert "pandablocks-ioc 0.9.0" in error
    assert old_ioc.pv("SYSTEM:IOC_VERSION") in error
    assert "older than 0.11" in error
