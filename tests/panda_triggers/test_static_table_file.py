"""A static table named in a beamline is read from beside the beamline file."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from scanspec.specs import Fly, Line

from ophyd_blueprint import BlueprintError, load_beamline
from ophyd_blueprint.blueprint import BlueprintLibrary, load_blueprint
from ophyd_blueprint.builder import FILES_FROM, BuildError, build_device
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.logic.panda_seq_table import PandaSeqTable

DATA = Path(__file__).parent / "data"


def beamline(folder: Path, table: str) -> Path:
    """A beamline in `folder` whose PandA SEQ2 runs the table file `table`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: static
            blueprints: [{DATA}]
            devices:
              static:
                blueprint: PandaStaticTable
                with: {{prefix: "BL05:PANDA:", table: "{table}"}}
            """
        )
    )
    return path


def the_logic(device: Any) -> PandaSeqTable:
    [logic] = [lg for lg in device.logic if isinstance(lg, PandaSeqTable)]
    return logic


async def test_a_relative_table_path_is_read_beside_the_beamline_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = beamline(tmp_path / "beamlines", "tables/pulses.yaml")
    (tmp_path / "beamlines" / "tables").mkdir()
    (tmp_path / "beamlines" / "tables" / "pulses.yaml").write_text(
        "- {repeats: 3, time1: 5000, outa1: true, time2: 5000}\n"
    )
    elsewhere = tmp_path / "session"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a session started somewhere else
    bl = load_beamline(path, mock=True)
    await bl.connect()
    static: Any = bl.static

    await static.prepare(Fly(0.01 @ Line("t", 0, 1, 3)))

    assert the_logic(static).config["table"] == path.parent / "tables/pulses.yaml"
    table = await static.table.get_value()
    assert list(table.repeats) == [3]
    assert list(table.time1) == [5000]


def test_a_missing_table_file_is_refused_at_load_naming_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = beamline(tmp_path / "beamlines", "../tables/none.yaml")
    monkeypatch.chdir(tmp_path / "beamlines")  # where a cwd-relative path would be

    with pytest.raises(BlueprintError) as raised:
        load_beamline(path, mock=True)

    # at the beamline's line that gave it, naming the blueprint's that used it
    assert str(raised.value) == (
        f"{path}:6:11: devices.static.with: trigger.PandaSeqTable's 'table': "
        f"no such file {tmp_path / 'tables' / 'none.yaml'} (given by "
        f"'{{{{table}}}}' at {DATA / 'panda_static.yaml'}:26:19)"
    )


def test_a_device_built_without_a_beamline_refuses_a_missing_table_at_the_template(
    tmp_path: Path,
) -> None:
    """`build_device` alone (no beamline validated first) checks it too."""
    blueprint = load_blueprint(DATA / "panda_static.yaml")
    library = BlueprintLibrary([DATA])

    with pytest.raises(BuildError) as raised:
        build_device(
            blueprint,
            {"prefix": "BL05:PANDA:", "table": "none.yaml"},
            library=library,
            mock=True,
            logic_defaults={FILES_FROM: str(tmp_path)},
        )

    assert str(raised.value) == (
        f"{DATA / 'panda_static.yaml'}:26:19: trigger.PandaSeqTable's 'table': "
        f"no such file {tmp_path / 'none.yaml'}"
    )


async def test_an_absolute_table_path_is_kept(tmp_path: Path) -> None:
    table = tmp_path / "pulses.yaml"
    table.write_text("- {repeats: 2, time1: 10, outa1: true, time2: 10}\n")
    bl = load_beamline(beamline(tmp_path / "beamlines", str(table)), mock=True)
    await bl.connect()

    assert the_logic(bl.static).config["table"] == table


async def test_a_beamline_loaded_by_a_relative_path_still_finds_it_after_a_chdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beamline(tmp_path / "beamlines", "pulses.yaml")
    (tmp_path / "beamlines" / "pulses.yaml").write_text(
        "- {repeats: 2, time1: 10, outa1: true, time2: 10}\n"
    )
    monkeypatch.chdir(tmp_path)
    bl = load_beamline("beamlines/bl.yaml", mock=True)
    monkeypatch.chdir(tmp_path / "beamlines")  # the session moves on
    await bl.connect()
    static: Any = bl.static

    await static.prepare(Fly(0.01 @ Line("t", 0, 1, 2)))

    assert the_logic(static).config["table"] == tmp_path / "beamlines" / "pulses.yaml"
    assert list((await static.table.get_value()).repeats) == [2]


def test_a_missing_table_for_a_discovered_panda_stops_validate_and_the_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bl.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            beamline: discovered
            devices:
              panda:
                blueprint: PandA
                with: {prefix: "BL05:PANDA:"}
                logic:
                  - use: trigger.PandaSeqTable
                    bind: {table: seq.2.table, enable: seq.2.enable,
                           active: seq.2.active, repeats: seq.2.repeats,
                           prescale: seq.2.prescale,
                           prescale_units: seq.2.prescale_units}
                    with: {table: none.yaml}
            """
        )
    )
    said = (
        f"{path}:12:23: devices.panda.logic.0.with.table: trigger.PandaSeqTable's "
        f"'table': no such file {tmp_path / 'none.yaml'}"
    )

    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == said + "\n"
    with pytest.raises(BlueprintError) as raised:
        load_beamline(path)  # nothing serves BL05:PANDA: and nothing is asked
    assert str(raised.value) == said
