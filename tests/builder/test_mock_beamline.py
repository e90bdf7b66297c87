"""A YAML beamline built into devices and scanned in mock mode (no server)."""

import textwrap
from pathlib import Path
from typing import Any

import bluesky.plans as bp
import bluesky.protocols as p
import pytest
from bluesky.run_engine import RunEngine

from ophyd_blueprint import (
    BlueprintError,
    SignalR,
    SignalRW,
    SignalX,
    load_beamline,
)
from ophyd_blueprint.logic.motion import SoftLimitError
from ophyd_blueprint.plans import ensure_connected

DEVICES = Path(__file__).parents[2] / "devices"


def write_beamline(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bl.yaml"
    path.write_text(
        f"beamline: test\nblueprints: [{DEVICES}]\n" + textwrap.dedent(body)
    )
    return path


@pytest.fixture
def beamline_file(tmp_path: Path) -> Path:
    return write_beamline(
        tmp_path,
        """\
        devices:
          x:   {blueprint: EpicsMotor, with: {prefix: "T:X"}}
          det: {blueprint: PeakDetector, with: {prefix: "T:DET:"}}
        """,
    )


def test_signals_get_the_class_and_datatype_their_yaml_declares(beamline_file: Path):
    bl = load_beamline(beamline_file, mock=True)
    x: Any = bl.x
    assert type(x).__name__ == "EpicsMotor"
    assert isinstance(x.readback, SignalR)
    assert not isinstance(x.readback, SignalRW)
    assert isinstance(x.setpoint, SignalRW)
    assert x.setpoint.datatype is float
    assert isinstance(x.done_moving, SignalR)
    assert x.done_moving.datatype is bool
    assert isinstance(x.child("stop"), SignalX)
    assert x.readback.name == "x-readback"
    assert x.setpoint.source == "mock+ca://T:X.VAL"


def test_logic_makes_devices_bluesky_movable_and_triggerable(beamline_file: Path):
    bl = load_beamline(beamline_file, mock=True)
    assert isinstance(bl.x, p.Movable)
    assert isinstance(bl.x, p.Stoppable)
    assert isinstance(bl.x, p.Locatable)
    assert isinstance(bl.det, p.Triggerable)
    assert isinstance(bl.det, p.Readable)


def test_one_class_per_blueprint(tmp_path: Path):
    path = write_beamline(
        tmp_path,
        """\
        devices:
          a: {blueprint: EpicsMotor, with: {prefix: "A"}}
          b: {blueprint: EpicsMotor, with: {prefix: "B"}}
        """,
    )
    bl = load_beamline(path, mock=True)
    assert type(bl.a) is type(bl.b)


def test_mock_beamline_runs_a_real_scan_with_readback_following(beamline_file: Path):
    bl = load_beamline(beamline_file, mock=True)
    engine = RunEngine(context_managers=[])
    engine(ensure_connected(*bl, mock=True))
    events: list[dict[str, Any]] = []
    engine(
        bp.scan([bl.det], bl.x, 0, 1, 3),
        lambda name, doc: events.append(doc) if name == "event" else None,
    )
    assert [e["data"]["x-readback"] for e in events] == [0.0, 0.5, 1.0]
    assert all("det-total" in e["data"] for e in events)


async def test_move_outside_soft_limits_is_refused_before_moving(beamline_file: Path):
    from ophyd_blueprint import get_mock_put_calls, set_mock_value

    bl = load_beamline(beamline_file, mock=True)
    report = await bl.connect()
    assert report.ok
    x: Any = bl.x
    set_mock_value(x.low_limit, -1.0)
    set_mock_value(x.high_limit, 1.0)
    with pytest.raises(SoftLimitError, match=r"x: 5.0 is outside the soft limits"):
        await x.set(5.0)
    assert get_mock_put_calls(x.setpoint) == []


async def test_move_reports_progress_and_location(beamline_file: Path):
    bl = load_beamline(beamline_file, mock=True)
    await bl.connect()
    x: Any = bl.x
    status = x.set(2.0)
    seen: list[float] = []
    status.watch(lambda *, current, **_: seen.append(current))
    await status
    assert seen[-1] == 2.0
    assert await x.locate() == {"setpoint": 2.0, "readback": 2.0}


def test_unknown_blueprint_is_reported_with_line_and_suggestion(tmp_path: Path):
    path = write_beamline(
        tmp_path,
        """\
        devices:
          x: {blueprint: EpicsMotr, with: {prefix: "T:X"}}
        """,
    )
    with pytest.raises(BlueprintError) as info:
        load_beamline(path)
    text = str(info.value)
    assert f"{path}:4:" in text
    assert "did you mean 'EpicsMotor'" in text


async def test_connect_report_lists_each_device_and_its_mode(tmp_path: Path):
    path = write_beamline(
        tmp_path,
        """\
        devices:
          ghost: {blueprint: PeakDetector, with: {prefix: "soft://"}}
          real:  {blueprint: PeakDetector, with: {prefix: "T:DET:"}, mock: true}
        """,
    )
    bl = load_beamline(path)
    report = await bl.connect(timeout=0.5)
    assert report.connected == ["ghost", "real"]
    assert report.ok
    assert "real: connected (3 signals, mock)" in str(report)


def test_reserved_names_cover_every_member_of_built_devices_and_beamlines():
    from ophyd_blueprint.beamline import LoadedBeamline
    from ophyd_blueprint.blueprint.vocabulary import BEAMLINE_MEMBERS, DEVICE_MEMBERS
    from ophyd_blueprint.builder import BlueprintDevice

    device_members = {n for n in dir(BlueprintDevice) if not n.startswith("_")}
    assert device_members | {"logic", "blueprint"} <= DEVICE_MEMBERS
    beamline_members = {n for n in dir(LoadedBeamline) if not n.startswith("_")}
    assert beamline_members | {"model", "devices", "mock"} <= BEAMLINE_MEMBERS


async def test_vector_children_are_read_item_by_item(tmp_path: Path):
    path = write_beamline(
        tmp_path,
        """\
        devices:
          det: {blueprint: SimScalarDetector, with: {prefix: "T:DET:"}}
        """,
    )
    bl = load_beamline(path, mock=True)
    await bl.connect()
    readings = await bl.det.read()  # type: ignore[attr-defined]
    assert {f"det-stats-{i}-total" for i in range(1, 5)} <= set(readings)
    assert "det-stats-1-mean" not in readings  # omitted by its blueprint
