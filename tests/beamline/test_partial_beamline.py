"""A beamline where some devices cannot connect: the report says which and
why, rolled up by server, and the rest of the beamline still scans."""

from __future__ import annotations

import json
import multiprocessing
import secrets
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import NotConnectedError, load_beamline
from ophyd_blueprint.beamline import ConnectionReport, DeviceConnection
from ophyd_blueprint.core import LogicNotBoundError
from ophyd_blueprint.testing.tango_server import LOOPBACK, free_port

from .conftest import FakeMotorIoc
from .scan_child import scan_alive_devices

DEVICES = Path(__file__).parents[2] / "devices"

WRONG_TYPES = """\
blueprint: WrongTypes
doc: The motor record's readback declared as an int, its MOVN as a str.
params: {prefix: {type: str}}
signals:
  position: {source: "{{prefix}}.RBV", dtype: int, access: r}
  moving:   {source: "{{prefix}}.MOVN", dtype: str, access: r}
  units:    {source: "{{prefix}}.EGU", dtype: str, access: r}
"""


@pytest.fixture(scope="module")
def partial_beamline(
    fake_motor_ioc: FakeMotorIoc, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("partial")
    (folder / "wrong_types.yaml").write_text(WRONG_TYPES)
    m1 = fake_motor_ioc.pv("M1")
    nobody = f"NOBODY-{secrets.token_hex(3)}:M"
    dead_tango = f"tango://{LOOPBACK}:{free_port()}/test/motor/1"
    path = folder / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: partial
            blueprints: [{DEVICES}, {folder}]
            defaults: {{protocol: ca, timeout: 1.5}}
            devices:
              m1: {{blueprint: EpicsMotor, with: {{prefix: "{m1}"}}}}
              det: {{blueprint: PeakDetector, with: {{prefix: "DET:"}}, mock: true}}
              dead: {{blueprint: EpicsMotor, with: {{prefix: "{nobody}"}}}}
              wrong: {{blueprint: WrongTypes, with: {{prefix: "{m1}"}}}}
              gone:
                blueprint: TangoMotor
                with: {{trl: "{dead_tango}", options: "#dbase=no"}}
            """
        )
    )
    return path


@pytest.fixture(scope="module")
async def report(partial_beamline: Path) -> ConnectionReport:
    return await load_beamline(partial_beamline).connect()


def test_report_lists_alive_and_failed_devices(report: ConnectionReport):
    assert not report.ok
    assert report.connected == ["m1", "det"]
    assert report.failed == ["dead", "wrong", "gone"]
    assert str(report).splitlines()[0] == (
        "2 of 5 devices connected; failed: dead, wrong, gone"
    )


def test_dead_ioc_is_one_line_before_the_folded_reasons(report: ConnectionReport):
    text = str(report)
    dead = report.devices["dead"]
    assert dead.summary() == "dead: 10 of 10 PVs did not answer (IOC down?)"
    assert dead.server.startswith("ca NOBODY-")
    assert dead.server.endswith(":M")
    folded = [line for line in text.splitlines() if line.strip().startswith("dead.")]
    assert folded == [
        "    dead.{setpoint, readback, velocity, acceleration, done_moving, moving, "
        "stop, high_limit, low_limit, units}: no answer within 1.5 s"
    ]
    assert text.index(dead.summary()) < text.index("why:") < text.index(folded[0])


def test_wrong_dtype_names_the_signal_its_pv_and_both_types(
    report: ConnectionReport, fake_motor_ioc: FakeMotorIoc, partial_beamline: Path
):
    wrong = report.devices["wrong"]
    assert wrong.summary() == "wrong: 2 of 3 signals failed: 2 have the wrong type"
    declared = partial_beamline.parent / "wrong_types.yaml"
    rbv = fake_motor_ioc.pv("M1.RBV")
    expected = (
        f"    {declared}:5:3: wrong.position: ca://{rbv} is a float64 PV, "
        "the blueprint says int"
    )
    assert expected in str(report).splitlines()
    kinds = {f.path: f.kind for f in wrong.signal_failures()}
    assert kinds == {"position": "wrong type", "moving": "wrong type"}
    origins = {f.path: f.origin for f in wrong.signal_failures()}
    assert origins == {"position": f"{declared}:5:3", "moving": f"{declared}:6:3"}


def test_dead_tango_host_is_rolled_up_by_host(report: ConnectionReport):
    gone = report.devices["gone"]
    host = gone.server.removeprefix("tango ")
    assert host.startswith(f"{LOOPBACK}:")
    assert gone.summary() == "gone: 4 of 4 signals did not answer (Tango server down?)"
    assert report.by_server()[f"tango {host}"] == ["gone"]
    assert f"  tango {host}: gone: 4 of 4 signals" in str(report)


def test_report_as_json_has_every_device_and_failure(report: ConnectionReport):
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ok"] is False
    assert data["devices"]["m1"]["connected"] is True
    assert len(data["devices"]["dead"]["failures"]) == 10
    assert {f["kind"] for f in data["devices"]["wrong"]["failures"]} == {"wrong type"}


async def test_strict_connect_raises_the_tree_of_failed_devices(
    partial_beamline: Path,
):
    bl = load_beamline(partial_beamline)
    with pytest.raises(NotConnectedError) as caught:
        await bl.connect(strict=True)
    assert isinstance(caught.value.errors, dict)
    assert set(caught.value.errors) == {"dead", "wrong", "gone"}


def test_the_alive_devices_still_scan(partial_beamline: Path):
    # a fresh process, as a beamline session: the RunEngine's CA channels are
    # its own and end with it
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        job = pool.submit(scan_alive_devices, partial_beamline, "m1", ["det", "dead"])
        connected, events = job.result(timeout=60)
    assert connected == ["m1", "det"]
    data: list[dict[str, Any]] = events
    assert [e["m1-readback"] for e in data] == pytest.approx([0.0, 0.5, 1.0])
    assert all("det-total" in e for e in data)
    assert not any(key.startswith("dead-") for e in data for key in e)


def test_logic_that_cannot_be_bound_is_not_counted_as_signals_failing():
    error = NotConnectedError(
        {
            "panda": LogicNotBoundError("no child 'tabel'", source="pva://P:PVI"),
            "seq": LogicNotBoundError("no child 'enabel'", source="pva://P:PVI"),
        }
    )
    panda = DeviceConnection("panda", 234, error)
    assert panda.summary() == (
        "panda: 2 logic entries could not be bound to what it has (234 signals)"
    )
    mixed = NotConnectedError(
        {"panda": error, "x": NotConnectedError("refused", source="pva://P:X")}
    )
    assert DeviceConnection("panda", 234, mixed).summary() == (
        "panda: 3 of 234 signals failed"
    )
