"""A PandA's settings, on the real IOC: every read-write field its PVI has
(PCAP's arm and the file's capture excepted), saved and restored with each
field's units before the values given in them."""

from __future__ import annotations

import asyncio
import re
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import numpy as np
import pytest
from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop
from pandablocks.asyncio import AsyncioClient
from pandablocks.commands import Put

from ophyd_blueprint import Device, Signal, SignalRW, load_beamline
from ophyd_blueprint.blueprint.settings_file import load_settings
from ophyd_blueprint.introspect import freeze, introspect
from ophyd_blueprint.plans import apply_settings, ensure_connected, save_settings
from ophyd_blueprint.plans.settings_select import device_settings
from ophyd_blueprint.testing.panda_ioc import PandaIoc

DEVICES = Path(__file__).parents[2] / "devices"
HOW_TO = Path(__file__).parents[2] / "docs" / "how-to" / "panda.md"
TIMEOUT = 10.0
TICK = 8e-9


@pytest.fixture(scope="module")
def RE() -> RunEngine:
    return RunEngine(context_managers=[], call_returns_result=True)


def connected(RE: RunEngine, folder: Path, blueprint: str, prefix: str) -> Any:
    """A beamline in `folder` of one PandA built from `blueprint` (searched
    for in `folder`, then the shipped ones), connected; the PandA."""
    path = folder / "beamline.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: panda
            blueprints: [{folder}, {DEVICES}]
            defaults: {{protocol: pva, timeout: 10.0, data_dir: "{folder}"}}
            devices:
              panda: {{blueprint: {blueprint}, with: {{prefix: "{prefix}"}}}}
            """
        )
    )
    bl = load_beamline(path)
    RE(ensure_connected(*bl))
    return bl.panda


@pytest.fixture(scope="module")
def shipped(
    RE: RunEngine, panda_ioc: PandaIoc, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """The PandA built from the shipped blueprint."""
    folder = tmp_path_factory.mktemp("panda-settings")
    return connected(RE, folder, "PandA", panda_ioc.prefix)


def signals(device: Device, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for name, child in device.children():
        if isinstance(child, Signal):
            yield ".".join((*path, name)), child
        else:
            yield from signals(child, (*path, name))


def test_every_read_write_field_is_a_setting_and_units_come_first(
    shipped: Any,
) -> None:
    found = call_in_bluesky_event_loop(device_settings(shipped))

    writable = {path for path, sig in signals(shipped) if isinstance(sig, SignalRW)}
    assert set(found.settings) == writable - {"pcap.arm", "data.capture"}
    assert found.others["pcap.arm"].startswith("it is PcapArming's 'arm'")
    assert found.others["data.capture"].startswith("it is PandaHDF5Writer's")
    assert "pcap.active" in found.others  # read only
    units = {path for path in found.settings if path.endswith("_units")}
    assert {"pulse.1.width_units", "seq.2.prescale_units"} <= units
    assert set(found.stages[0]) == units
    assert "pulse.1.width" in found.stages[1]


def test_a_blueprint_extending_the_panda_excludes_fields_by_pattern(
    RE: RunEngine, panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    (tmp_path / "my_panda.yaml").write_text(
        textwrap.dedent(
            """\
            blueprint: MyPandA
            extends: PandA
            settings:
              discovered: rw
              first: ["*_units"]
              exclude: ["data.*", "*_dataset"]
            """
        )
    )
    mine = connected(RE, tmp_path, "MyPandA", panda_ioc.prefix)
    found = call_in_bluesky_event_loop(device_settings(mine))

    excluded = "MyPandA's settings exclude it ('data.*')"
    assert found.others["data.flush_period"] == excluded
    assert "'*_dataset'" in found.others["inenc.1.val_dataset"]
    assert "inenc.1.val_capture" in found.settings
    left = [p for p in found.settings if p.startswith("data.") or "_dataset" in p]
    assert left == []
    assert all(path.endswith("_units") for path in found.stages[0])


def test_a_panda_frozen_to_yaml_has_the_same_settings_through_include(
    RE: RunEngine, shipped: Any, panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    """Frozen, a PandA's signals are declared: `discovered: rw` no longer
    finds them, and `include` names them instead (the how-to's blueprint)."""
    found = call_in_bluesky_event_loop(
        introspect(f"pva://{panda_ioc.prefix}PVI", name="FrozenPanda", type_live=True)
    )
    freeze(found, tmp_path / "FrozenPanda.yaml")
    blocks = re.findall(r"```yaml\n(.*?)```", HOW_TO.read_text(), re.S)
    (mine,) = [block for block in blocks if "extends: FrozenPanda" in block]
    (tmp_path / "my_panda.yaml").write_text(mine)
    frozen = connected(RE, tmp_path, "MyPandA", panda_ioc.prefix)
    settings = call_in_bluesky_event_loop(device_settings(frozen))
    live = call_in_bluesky_event_loop(device_settings(shipped))

    assert len(settings.settings) > 100
    assert list(settings.settings) == list(live.settings)
    assert settings.stages == live.stages  # units first, then the rest at once
    assert settings.others["pcap.arm"].startswith("it is PcapArming's 'arm'")
    assert settings.others["data.capture"] == (
        "MyPandA's settings exclude it ('data.capture')"
    )
    assert settings.others["pcap.active"].startswith("it has access 'r'")


def put_table(RE: RunEngine, table: Any, rows: list[dict[str, int]]) -> list[int]:
    """SEQ2's table (`table`) set to `rows` through the IOC; its columns."""
    empty = RE(bps.rd(table)).plan_result
    columns: dict[str, Any] = {
        name: np.asarray([row.get(name, 0) for row in rows], getattr(empty, name).dtype)
        for name in type(empty).model_fields
        if name != "trigger"
    }
    columns["trigger"] = ["Immediate"] * len(rows)
    RE(bps.mv(table, columns))
    return [row["repeats"] for row in rows]


def on_the_panda(sim: Any, rows: int) -> list[int]:
    """SEQ2's table on the simulated PandA once it has `rows` rows (the IOC
    sends a table to its PandA after the put is done)."""
    deadline = time.monotonic() + TIMEOUT
    while len(words := list(sim.tables["SEQ2.TABLE"])) != 4 * rows:
        assert time.monotonic() < deadline, f"the PandA's SEQ2 table is {words}"
        time.sleep(0.02)
    return words


async def on_its_port(host: str, *puts: tuple[str, str]) -> None:
    async with AsyncioClient(host) as client:
        for field, value in puts:
            await client.send(Put(field, value), timeout=TIMEOUT)


def seen_by_the_ioc(signal: Any, value: Any) -> None:
    """Until the IOC's record reads `value`, asked afresh: pandablocks-ioc
    takes a change made on the PandA into a read-write field's record
    without telling its monitors."""
    deadline = time.monotonic() + TIMEOUT
    while (now := call_in_bluesky_event_loop(signal.get_value(cached=False))) != value:
        assert time.monotonic() < deadline, f"{signal.source} stayed {now!r}"
        time.sleep(0.02)


def test_a_saved_design_is_restored_with_units_before_their_values(
    RE: RunEngine, shipped: Any, panda_ioc: PandaIoc, tmp_path: Path
) -> None:
    panda = shipped
    sim = panda_ioc.panda.store
    RE(bps.mv(panda.pulse[1].width_units, "ms"))
    RE(bps.mv(panda.pulse[1].width, 2.5))  # in ms
    rows = [
        {"repeats": 3, "time1": 100, "outa1": 1, "time2": 50},
        {"repeats": 1, "time1": 20, "time2": 20},
    ]
    put_table(RE, panda.seq[2].table, rows)
    designed = on_the_panda(sim, len(rows))
    path = tmp_path / "panda.yaml"
    RE(save_settings([panda], path))
    saved = load_settings(path).devices["panda"]
    assert (saved["pulse.1.width_units"], saved["pulse.1.width"]) == ("ms", 2.5)
    assert saved["seq.2.table"]["repeats"] == [3, 1]

    # changed on the PandA itself (its web page, say), seen by the IOC; the
    # width then in seconds: written before its units, 2.5 would be 2.5 s
    asyncio.run(on_its_port(panda_ioc.panda.host, ("PULSE1.WIDTH.UNITS", "s")))
    asyncio.run(on_its_port(panda_ioc.panda.host, ("PULSE1.WIDTH", "0")))
    seen_by_the_ioc(panda.pulse[1].width_units, "s")
    seen_by_the_ioc(panda.pulse[1].width, 0.0)
    put_table(RE, panda.seq[2].table, [{"repeats": 9, "time1": 1}])
    assert on_the_panda(sim, 1) != designed
    report = RE(apply_settings(path, [panda])).plan_result

    assert report.ok, report
    assert sim.values["PULSE1.WIDTH.UNITS"] == "ms"
    assert sim.ticks("PULSE1.WIDTH") == round(2.5e-3 / TICK)
    assert on_the_panda(sim, len(rows)) == designed
