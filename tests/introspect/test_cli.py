"""``blueprint introspect`` and ``blueprint diff`` on live devices."""

import asyncio
import json
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import validate_files
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_server import TangoServer

SCHEMA = Path(__file__).parents[2] / "schemas" / "blueprint.schema.json"


async def _run(argv: list[str]) -> int:
    """The CLI runs its own event loop, so it runs in a thread here."""
    return await asyncio.to_thread(main, argv)


async def test_introspect_writes_files_that_validate_with_a_schema_header(
    pvi_ioc: EpicsIoc, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "devices" / "stage.yaml"
    uri = f"pva://{pvi_ioc.pv('PVI')}"
    code = await _run(["introspect", uri, "-o", str(out), "--name", "Stage"])
    assert code == 0, capsys.readouterr()
    lines = out.read_text().splitlines()
    schema = lines[0].removeprefix("# yaml-language-server: $schema=")
    assert (out.parent / schema).resolve() == SCHEMA.resolve()
    assert lines[1].startswith(f"# Introspected from pva://{pvi_ioc.pv('PVI')} on ")
    written = sorted(p.name for p in out.parent.iterdir())
    assert written == ["StageCalc.yaml", "StageLegacy.yaml", "stage.yaml"]
    assert validate_files(out.parent.iterdir()) == []


async def test_diff_is_clean_after_introspect_and_reports_drift_as_json(
    tango_server: TangoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "motor.yaml"
    uri = tango_server.device("motor")
    assert await _run(["introspect", uri, "-o", str(out)]) == 0
    assert await _run(["diff", str(out), uri]) == 0
    text = out.read_text()
    edited = text.replace("velocity:", "speed:").replace(
        "position: {source: 'tango://{{prefix}}Position#dbase=no', dtype: float",
        "position: {source: 'tango://{{prefix}}Position#dbase=no', dtype: int",
    )
    out.write_text(edited)
    capsys.readouterr()
    assert await _run(["diff", str(out), uri, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["same"] is False
    assert set(report["added"]) == {"velocity"}
    assert set(report["removed"]) == {"speed"}
    assert report["changed"]["position"]["dtype"] == {"frozen": "int", "live": "float"}


async def test_diff_of_a_dead_device_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frozen = tmp_path / "x.yaml"
    frozen.write_text("blueprint: X\nsignals: {}\n")
    code = await _run(
        ["diff", str(frozen), "pva://NOBODY:HOME:PVI", "--timeout", "0.5"]
    )
    assert code == 2
    assert "pva://NOBODY:HOME:PVI" in capsys.readouterr().err


async def test_introspect_of_a_pvi_file_builds_with_its_params(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = Path(__file__).parent / "data" / "shutter.pvi.device.yaml"
    out = tmp_path / "shutter.yaml"
    assert await _run(["introspect", str(data), "-o", str(out)]) == 0, (
        capsys.readouterr()
    )
    assert "params:" in out.read_text()


async def test_introspect_types_pvi_signals_and_diff_says_live_ones_match_any(
    pvi_ioc: EpicsIoc, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stage.yaml"
    uri = f"pva://{pvi_ioc.pv('PVI')}"
    assert await _run(["introspect", uri, "-o", str(out), "--name", "Stage"]) == 0
    text = out.read_text()
    assert "gain: {source: 'pva://{{prefix}}GAIN', dtype: float, access: rw" in text
    out.write_text(text.replace("GAIN', dtype: float", "GAIN', dtype: int"))
    capsys.readouterr()
    assert await _run(["diff", str(out), uri]) == 0
    printed = capsys.readouterr().out
    assert "live-typed (no dtype: typed by the server at connect) match any" in printed
    assert f"{out} matches {uri}" in printed
    assert await _run(["diff", str(out), uri, "--type-live", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["live_typed"] == []
    assert report["changed"] == {"gain": {"dtype": {"frozen": "int", "live": "float"}}}


async def test_introspect_into_a_folder_keeps_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = Path(__file__).parent / "data" / "shutter.pvi.device.yaml"
    folder = tmp_path / "devices"
    assert await _run(["introspect", str(data), "-o", f"{folder}/"]) == 0
    (root,) = folder.iterdir()
    root.write_text(f"blueprint: {root.stem}\nsignals: {{}}\n")
    capsys.readouterr()

    assert await _run(["introspect", str(data), "-o", str(folder)]) == 2
    said = capsys.readouterr().err
    assert f"nothing written: would replace {root}, not written by introspect" in said
    assert said.rstrip().endswith("(--force)")
    assert root.read_text() == f"blueprint: {root.stem}\nsignals: {{}}\n"
    assert await _run(["introspect", str(data), "-o", str(folder), "--force"]) == 0
    assert root.read_text().startswith("# ")
