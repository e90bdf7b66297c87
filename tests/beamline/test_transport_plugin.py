"""A transport from another distribution works everywhere, touching no layer.

A throw-away distribution registers ``modbus://`` through the entry-point
group ``ophyd_blueprint.transports``, with a backend whose registers hold
what was last written to them. Installed, it is known to ``blueprint
validate``, to the builder and to a beamline's connect; get and put go
through it. A scheme registered at run time is known to ``load_beamline``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import load_beamline, register_transport
from ophyd_blueprint.blueprint import BlueprintError
from ophyd_blueprint.core import SoftSignalBackend, transport

from ..distributions import installed

MODBUS = """\
    \"\"\"modbus:// for tests: each register holds what was last written to it.\"\"\"

    import time

    from ophyd_blueprint import SignalBackend

    REGISTERS = {}


    class EchoBackend(SignalBackend):
        def __init__(self, datatype, read_uri, write_uri):
            super().__init__(datatype)
            self.read_uri, self.write_uri = read_uri, write_uri

        def source(self, name, read):
            return self.read_uri if read else self.write_uri

        async def connect(self, timeout):
            if self.spec is not None:
                REGISTERS.setdefault(self.write_uri, self.spec.default())

        async def put(self, value, wait):
            REGISTERS[self.write_uri] = value

        async def get_value(self):
            return REGISTERS[self.read_uri]

        async def get_reading(self):
            value = REGISTERS[self.read_uri]
            return {"value": value, "timestamp": time.time(), "alarm_severity": 0}

        async def get_setpoint(self):
            return REGISTERS[self.write_uri]

        async def get_datakey(self, source):
            return {"source": source, "dtype": "number", "shape": []}

        def set_callback(self, callback):
            pass


    class ModbusTransport:
        def make_backend(self, datatype, read_uri, write_uri):
            return EchoBackend(datatype, read_uri, write_uri)
    """

PUMP = """\
blueprint: Pump
doc: A pump on a Modbus PLC.
params: {plc: {type: str}}
signals:
  speed: {source: "modbus://{{plc}}/40001", dtype: float, access: rw, read: hinted}
  running: {source: "modbus://{{plc}}/00001", dtype: bool, access: rw}
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The distribution installed, and the runtime's registry as it was after."""
    monkeypatch.setattr(transport, "_transports", dict(transport._transports))
    folder = tmp_path / "site"
    folder.mkdir()
    entry_points = """\
        [ophyd_blueprint.transports]
        modbus = example_modbus:ModbusTransport
        """
    with installed(folder, "example-modbus", "example_modbus", MODBUS, entry_points):
        yield folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "devices").mkdir()
    (tmp_path / "devices" / "pump.yaml").write_text(PUMP)
    path = tmp_path / "bl.yaml"
    path.write_text(
        "beamline: plc\nblueprints: [devices]\n"
        "devices:\n  pump: {blueprint: Pump, with: {plc: 'plc1'}}\n"
    )
    return path


def blueprint_cli(site: Path | None, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, with `site` installed (or not)."""
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    code = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_validate_knows_the_scheme_once_its_distribution_is_installed(
    site: Path, project: Path
):
    without = blueprint_cli(None, "validate", str(project))
    assert without.returncode == 1
    assert "unknown URI scheme 'modbus'" in without.stdout
    done = blueprint_cli(site, "validate", str(project))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "1 file(s) OK"
    blueprint = blueprint_cli(site, "validate", str(project.parent / "devices"))
    assert blueprint.returncode == 0, blueprint.stdout + blueprint.stderr


async def test_build_connect_put_and_get_go_through_it(site: Path, project: Path):
    beamline = load_beamline(project)
    report = await beamline.connect(timeout=1.0)
    assert report.ok, str(report)
    pump: Any = beamline.pump
    assert pump.speed.source == "modbus://plc1/40001"
    await pump.speed.set(12.5)
    await pump.running.set(True)
    assert await pump.speed.get_value() == 12.5
    assert await pump.running.get_value() is True
    reading = await pump.read()
    assert reading["pump-speed"]["value"] == 12.5


def test_blueprint_connect_reports_it_connected(site: Path, project: Path):
    done = blueprint_cli(site, "connect", str(project), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["devices"]["pump"]["connected"] is True


def test_a_scheme_registered_at_run_time_is_known_to_load_beamline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(transport, "_transports", dict(transport._transports))
    path = tmp_path / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            beamline: runtime
            blueprints: [devices]
            devices:
              pump: {blueprint: Pump, with: {plc: 'plc1'}}
            """
        )
    )
    (tmp_path / "devices").mkdir()
    (tmp_path / "devices" / "pump.yaml").write_text(PUMP)
    with pytest.raises(
        BlueprintError, match="unknown URI scheme 'modbus' from these params"
    ):
        load_beamline(path)

    class SoftModbus:
        def make_backend(
            self, datatype: type[Any] | None, read_uri: str, write_uri: str
        ) -> SoftSignalBackend[Any]:
            return SoftSignalBackend(datatype, uri=read_uri)

    register_transport("modbus", SoftModbus())
    assert load_beamline(path).pump.speed.source == "modbus://plc1/40001"
