"""docs/how-to/panda.md's examples, run as written on the coupled beamline.

The page's blocks need a PandA (the docs harness has none), so they are
marked ``run-by`` this test: its YAML files are written with the coupled
beamline's prefixes and folders, then its Python blocks run in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import pytest
from bluesky.run_engine import call_in_bluesky_event_loop

from ophyd_blueprint.blueprint.settings_file import load_settings
from ophyd_blueprint.testing.coupled import CoupledBeamline

from .conftest import wire

PAGE = Path(__file__).parents[2] / "docs" / "how-to" / "panda.md"
BLOCK = re.compile(r"```(\w+)([^\n]*)\n(.*?)```", re.S)


@pytest.fixture
def rewired(coupled_beamline: CoupledBeamline) -> Iterator[CoupledBeamline]:
    """The coupled beamline, its PandA wired as `wiring` does (INENC1's scale
    and offset those of x, as the page takes them to be), and wired so again
    afterwards (the page's plans rewire it)."""
    wire(coupled_beamline)
    yield coupled_beamline
    wire(coupled_beamline)


def on_the_coupled_beamline(text: str, sim: CoupledBeamline, data: Path) -> str:
    return (
        text.replace("/data/", f"{data}/")
        .replace("BL04:PMAC:M1", sim.motor(1))
        .replace("BL04:PMAC:", sim.pmac)
        .replace("BL04:PANDA:", sim.panda)
    )


def rows(folder: Path, dataset: str) -> list[int]:
    """The rows of `dataset` in each PandA file in `folder`."""
    found: list[int] = []
    for path in sorted(folder.glob("panda-*.h5")):
        with h5py.File(path, "r", swmr=True) as f:
            found.append(len(f[dataset]))
    return found


def test_the_panda_how_to_runs_as_written(
    rewired: CoupledBeamline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = BLOCK.findall(PAGE.read_text())
    files = [
        (info, body)
        for language, info, body in blocks
        if language == "yaml" and body.startswith("# file: ")
    ]
    code = [
        body
        for language, info, body in blocks
        if language == "python" and "run-by=tests/coupled/test_panda_howto.py" in info
    ]
    assert len(files) == 3, "two beamlines and a table"
    assert len(code) == 3, "two plans and the settings"
    data = tmp_path / "data"
    for folder in ("bl04", "bl05"):
        (data / folder).mkdir(parents=True)  # the IOC writes only where it exists
    for _, body in files:
        name = body.splitlines()[0].removeprefix("# file: ").strip()
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(on_the_coupled_beamline(body, rewired, data))
    session = tmp_path / "session"  # the plans run where the beamline is not
    session.mkdir()
    monkeypatch.chdir(tmp_path)

    position_compare, static_table, settings = code
    exec(compile(position_compare, str(PAGE), "exec"), {})
    assert rows(data / "bl04", "x") == [100], "a frame per pulse along the line"

    monkeypatch.chdir(session)
    scope: dict[str, Any] = {}
    exec(
        compile(
            static_table.replace('"beamlines/', f'"{tmp_path}/beamlines/'),
            str(PAGE),
            "exec",
        ),
        scope,
    )
    assert rows(data / "bl05", "x") == [6], "the table of three pulses, twice"

    exec(compile(settings, str(PAGE), "exec"), scope)
    saved = load_settings(session / "panda-design.yaml").devices["panda"]
    assert saved["pcap.trig"] == "SEQ2.OUTA"
    assert call_in_bluesky_event_loop(scope["panda"].pcap.trig.get_value()) == (
        "SEQ2.OUTA"
    )
