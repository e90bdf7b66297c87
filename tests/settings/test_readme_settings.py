"""The README's settings example runs as written, on the demo IOC's axis and the
Tango server, and the diff it shows is the one the command prints."""

from __future__ import annotations

import re
from pathlib import Path

import bluesky.plan_stubs as bps
from bluesky.run_engine import RunEngine

from ophyd_blueprint import load_beamline
from ophyd_blueprint.plans import ensure_connected
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.tango_server import TangoServer

from .conftest import ROOT, blueprint_cli, python

README = (ROOT / "README.md").read_text()


def block(language: str, marker: str) -> str:
    (found,) = [
        b for b in re.findall(rf"```{language}\n(.*?)```", README, re.S) if marker in b
    ]
    return found


def test_readme_settings_example_saves_restores_and_shows_the_diff(
    RE: RunEngine, axes_ioc: EpicsIoc, tango_server: TangoServer, tmp_path: Path
):
    trl = tango_server.device("motor").removesuffix("#dbase=no")
    beamline = (
        block("yaml", "beamline: lab")
        .replace("[../devices]", f"[{ROOT / 'devices'}]")
        .replace("DEMO:X", axes_ioc.pv("X"))
        .replace("tango://127.0.0.1:10000/test/motor/1", trl)
    )
    (tmp_path / "beamlines").mkdir()
    (tmp_path / "beamlines" / "lab.yaml").write_text(beamline)

    code = block("python", "save_settings(")
    done = python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = code.split("print(report)  # ")[1].strip()
    assert done.stdout == printed + "\n"

    bl = load_beamline(tmp_path / "beamlines" / "lab.yaml")
    RE(ensure_connected(*bl))
    RE(bps.mv(bl.x.velocity, 2.0, bl.tm.velocity, 1.5))
    done = blueprint_cli(
        "settings", "diff", "settings/lab.yaml", "beamlines/lab.yaml", cwd=tmp_path
    )
    assert done.returncode == 1
    assert done.stdout == block("text", "settings differ")

    for line in block("sh", "blueprint settings save").splitlines():
        argv = line.split("#")[0].split()[1:]
        done = blueprint_cli(*argv, cwd=tmp_path)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert RE(bps.rd(bl.x.velocity)).plan_result == 2.0  # saved after the change
