"""A connect failure names where its signal was declared: file, line, column.

The test IOC's integer records declared as ``float`` in a blueprint file: the
report, the strict connect's error and ``blueprint connect`` all say
``devices/counter.yaml:5:3: c.count: ca://...LONGIN is a int32 PV, the
blueprint says float``, read from the error's attributes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ophyd_blueprint import DatatypeMismatchError, NotConnectedError, load_beamline
from ophyd_blueprint.testing.ioc import EpicsIoc

COUNTER = """\
blueprint: Counter
doc: The test IOC's integer records, declared as floats by mistake.
params: {prefix: {type: str}}
signals:
  count: {source: "{{prefix}}LONGIN", dtype: float, access: r}
  limit: {source: "{{prefix}}LONGOUT", dtype: float, access: rw}
  value: {source: "{{prefix}}AI", dtype: float, access: r}
"""

FAST = """\
blueprint: FastCounter
extends: Counter
signals:
  rate: {source: "{{prefix}}AO", dtype: int, access: rw}
"""

STAGE = """\
blueprint: Stage
params: {prefix: {type: str}}
children:
  counter: {blueprint: Counter, with: {prefix: "{{prefix}}"}}
"""


@pytest.fixture
def in_project(epics_ioc: EpicsIoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A project folder, the working directory, as a beamline user has it."""
    devices = tmp_path / "devices"
    devices.mkdir()
    (devices / "counter.yaml").write_text(COUNTER)
    (devices / "stage.yaml").write_text(STAGE)
    (devices / "fast.yaml").write_text(FAST)
    beamlines = tmp_path / "beamlines"
    beamlines.mkdir()
    (beamlines / "bl.yaml").write_text(
        textwrap.dedent(
            f"""\
            beamline: origins
            blueprints: [../devices]
            defaults: {{protocol: ca, timeout: 5.0}}
            devices:
              c: {{blueprint: Counter, with: {{prefix: "{epics_ioc.prefix}"}}}}
              stage: {{blueprint: Stage, with: {{prefix: "pva://{epics_ioc.prefix}"}}}}
              fast: {{blueprint: FastCounter, with: {{prefix: "{epics_ioc.prefix}"}}}}
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    return epics_ioc


async def test_a_wrong_dtype_names_the_file_line_signal_pv_and_both_types(
    in_project: EpicsIoc,
):
    report = await load_beamline("beamlines/bl.yaml").connect()
    assert report.failed == ["c", "stage", "fast"]
    lines = str(report).splitlines()
    longin = in_project.pv("LONGIN")
    assert (
        f"    devices/counter.yaml:5:3: c.count: ca://{longin} is a int32 PV, "
        "the blueprint says float"
    ) in lines
    failures = {f.path: f for f in report.devices["c"].signal_failures()}
    assert set(failures) == {"count", "limit"}
    count = failures["count"]
    assert (count.kind, count.source, count.origin) == (
        "wrong type",
        f"ca://{longin}",
        "devices/counter.yaml:5:3",
    )
    assert failures["limit"].origin == "devices/counter.yaml:6:3"


async def test_a_child_blueprint_s_signal_names_its_own_file(in_project: EpicsIoc):
    report = await load_beamline("beamlines/bl.yaml").connect()
    stage = {f.path: f for f in report.devices["stage"].signal_failures()}
    assert set(stage) == {"counter.count", "counter.limit"}
    count = stage["counter.count"]
    assert count.origin == "devices/counter.yaml:5:3"
    assert count.source == f"pva://{in_project.pv('LONGIN')}"
    data = report.as_dict()["devices"]["stage"]["failures"]
    assert {f["signal"]: f["origin"] for f in data} == {
        "counter.count": "devices/counter.yaml:5:3",
        "counter.limit": "devices/counter.yaml:6:3",
    }


async def test_an_inherited_signal_names_the_base_s_file(in_project: EpicsIoc):
    report = await load_beamline("beamlines/bl.yaml").connect()
    fast = {f.path: f.origin for f in report.devices["fast"].signal_failures()}
    assert fast == {
        "count": "devices/counter.yaml:5:3",
        "limit": "devices/counter.yaml:6:3",
        "rate": "devices/fast.yaml:4:3",
    }


async def test_the_strict_connect_error_carries_the_same_facts(in_project: EpicsIoc):
    beamline = load_beamline("beamlines/bl.yaml")
    with pytest.raises(NotConnectedError) as caught:
        await beamline.connect(strict=True)
    leaf = caught.value.leaves()["c.count"]
    assert isinstance(leaf, DatatypeMismatchError)
    assert isinstance(leaf, TypeError)
    assert (leaf.expected, leaf.actual) == ("float", "int32 PV")
    assert leaf.origin == "devices/counter.yaml:5:3"
    assert (
        f"count: devices/counter.yaml:5:3: ca://{in_project.pv('LONGIN')} is a "
        "int32 PV, the blueprint says float"
    ) in str(caught.value)


def test_blueprint_connect_prints_the_declaration(in_project: EpicsIoc):
    code = "import sys; from ophyd_blueprint.cli.main import main; sys.exit(main())"
    command = [sys.executable, "-c", code, "connect", "beamlines/bl.yaml"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr
    longout = in_project.pv("LONGOUT")
    assert (
        f"devices/counter.yaml:6:3: c.limit: ca://{longout} is a int32 PV, "
        "the blueprint says float"
    ) in done.stdout
    as_json = subprocess.run(
        [*command, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    failures = json.loads(as_json.stdout)["devices"]["c"]["failures"]
    assert {(f["signal"], f["kind"], f["origin"], f["source"]) for f in failures} == {
        (
            "count",
            "wrong type",
            "devices/counter.yaml:5:3",
            f"ca://{in_project.pv('LONGIN')}",
        ),
        ("limit", "wrong type", "devices/counter.yaml:6:3", f"ca://{longout}"),
    }
