from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ophyd_blueprint.blueprint import BlueprintLibrary, validate_files

Write = Callable[[str, str], Path]

MOTOR = (
    "blueprint: Motor\nparams:\n  prefix: {}\n"
    "signals:\n  x: {source: '{{prefix}}X', dtype: int}\n"
)


def test_library_indexes_blueprints_by_name_and_skips_other_files(
    write: Write, tmp_path: Path
) -> None:
    write("a/motor.yaml", MOTOR)
    write("a/b/beamline.yaml", "beamline: demo\n")
    library = BlueprintLibrary([tmp_path])
    assert list(library) == ["Motor"]
    assert library["Motor"].signals["x"].dtype == "int"


def test_duplicate_blueprint_names_are_reported_with_both_locations(
    write: Write, tmp_path: Path
) -> None:
    first = write("a.yaml", "# c\nblueprint: Motor\n")
    second = write("b.yaml", "blueprint: 'Motor'\n")
    problems = [str(p) for p in BlueprintLibrary([tmp_path]).problems]
    assert problems == [
        f"{first}:2:12: blueprint: blueprint 'Motor' is defined twice; "
        f"the other one is at {second}:1:13",
        f"{second}:1:13: blueprint: blueprint 'Motor' is defined twice; "
        f"the other one is at {first}:2:12",
    ]


def test_library_loads_once_and_reloads_when_the_file_changes(
    write: Write, tmp_path: Path
) -> None:
    path = write("motor.yaml", MOTOR)
    library = BlueprintLibrary([tmp_path])
    assert library["Motor"] is library["Motor"]
    path.write_text(MOTOR.replace("dtype: int", "dtype: float"), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert library["Motor"].signals["x"].dtype == "float"


def test_beamline_devices_are_checked_through_their_blueprints(write: Write) -> None:
    write("devices/motor.yaml", MOTOR)
    write(
        "devices/stage.yaml",
        "blueprint: Stage\nparams:\n  p: {}\nchildren:\n"
        "  m: {blueprint: Motor, with: {prefix: '{{ p.nope }}'}}\n",
    )
    beamline = write(
        "beamlines/bl.yaml",
        "beamline: bl\nblueprints: [../devices, ../missing]\n"
        "devices:\n"
        "  x: {blueprint: Motor, with: {prefx: 'X'}}\n"
        "  y: {blueprint: Motr}\n"
        "  s: {blueprint: Stage, with: {p: 'S'}}\n"
        "  z: {pvi: 'pva://Z', with: {a: 1}}\n",
    )
    root = str(beamline.parent.parent) + "/"
    assert [str(p).removeprefix(root) for p in validate_files([beamline])] == [
        "beamlines/bl.yaml:2:26: blueprints.1: no such file or directory: "
        f"{root}missing",
        "beamlines/bl.yaml:4:31: devices.x.with: missing required param 'prefix'",
        "beamlines/bl.yaml:4:32: devices.x.with.prefx: unknown param 'prefx'; "
        "did you mean 'prefix'?",
        "beamlines/bl.yaml:5:18: devices.y.blueprint: unknown blueprint 'Motr'; "
        "did you mean 'Motor'?",
        "beamlines/bl.yaml:7:29: devices.z.with: 'with' needs 'blueprint'",
        "devices/stage.yaml:5:40: children.m.with.prefix: cannot render "
        "'{{ p.nope }}': 'str object' has no attribute 'nope'",
    ]


def test_all_problems_in_a_file_set_are_reported_in_one_run(write: Write) -> None:
    broken_yaml = write("a.yaml", "blueprint: A\nsignals:\n\tx: 1\n")
    bad_shape = write(
        "b.yaml", "blueprint: B\nsignals:\n  x: {source: X, dtype: dbl}\n"
    )
    bad_meaning = write(
        "c.yaml", "blueprint: C\nsignals:\n  x: {source: X, dtype: table}\n"
    )
    good = write("d.yaml", MOTOR)
    problems = validate_files([good, bad_meaning, bad_shape, broken_yaml])
    assert [(Path(p.path).name, p.line, p.col) for p in problems] == [
        ("a.yaml", 3, 1),
        ("b.yaml", 3, 25),
        ("c.yaml", 3, 6),
    ]


def test_a_beamline_that_makes_an_untyped_signal_soft_is_a_problem(
    write: Write,
) -> None:
    write(
        "devices/live.yaml",
        "blueprint: Live\nparams:\n  p: {}\nsignals:\n"
        "  x: {source: '{{p}}X'}\n  y: {source: 'soft://y'}\n"
        "  z: {source: 'ca://Z'}\n",
    )
    beamline = write(
        "beamlines/bl.yaml",
        "beamline: bl\nblueprints: [../devices]\ndefaults: {protocol: soft}\n"
        "devices:\n  d: {blueprint: Live, with: {p: 'D:'}}\n",
    )
    root = str(beamline.parent.parent) + "/"
    assert [str(p).removeprefix(root) for p in validate_files([beamline])] == [
        "beamlines/bl.yaml:5:30: devices.d.with: Live.x has no dtype, and here "
        "its source is soft://, which has no server to take its type from; "
        "give it a dtype",
        "devices/live.yaml:6:6: signals.y: missing dtype: a soft:// signal has "
        "no server to take it from; add dtype: float (or its type)",
    ]
