"""``blueprint introspect`` to stdout, and ``diff`` seeing units change."""

import asyncio
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ophyd_blueprint.cli.main import main
from ophyd_blueprint.testing.tango_server import TangoServer


async def _run(argv: list[str]) -> int:
    """The CLI runs its own event loop, so it runs in a thread here."""
    return await asyncio.to_thread(main, argv)


async def test_introspect_without_o_prints_the_blueprint(
    tango_server: TangoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _run(["introspect", tango_server.device("motor")]) == 0
    out = capsys.readouterr().out
    blueprint = YAML(typ="safe").load(out)
    assert {"position", "velocity", "stop"} <= set(blueprint["signals"])
    assert list(tmp_path.iterdir()) == []  # nothing written where we are


async def test_diff_reports_changed_units(
    tango_server: TangoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "motor.yaml"
    uri = tango_server.device("motor")
    assert await _run(["introspect", uri, "-o", str(out)]) == 0
    assert "access: rw, units: mm}" in out.read_text()
    out.write_text(out.read_text().replace("units: mm}", "units: um}", 1))
    capsys.readouterr()
    assert await _run(["diff", str(out), uri]) == 1
    assert "units 'um' -> 'mm'" in capsys.readouterr().out
