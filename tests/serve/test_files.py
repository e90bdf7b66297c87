"""What `blueprint serve` gives the queueserver, without starting it: the
plans, the permissions, the worker's startup code, the beamline's `tiled` key."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ophyd_blueprint.beamline import load_beamline
from ophyd_blueprint.blueprint import validate_files
from ophyd_blueprint.serve import NameClashError, beamline_namespace, plans
from ophyd_blueprint.serve.queueserver_files import write_user_group_permissions
from ophyd_blueprint.serve.worker import startup_script

DEVICES = Path(__file__).parents[2] / "devices"


def beamline_file(path: Path, devices: str, extra: str = "") -> Path:
    path.write_text(f"beamline: t\nblueprints: [{DEVICES}]\n{extra}devices:\n{devices}")
    return path


def test_the_plans_are_those_of_bluesky_plans_and_ophyd_blueprint_plans():
    offered = plans()

    assert {"count", "scan", "grid_scan", "list_scan", "fly_scan"} <= set(offered)
    assert {"ensure_connected", "save_settings", "apply_settings"} <= set(offered)
    assert "mv" not in offered  # bluesky.plan_stubs is not offered
    assert not [name for name in offered if name.startswith("_")]


def test_primary_users_may_use_exactly_the_beamline_devices_and_the_plans(
    tmp_path: Path,
):
    path = write_user_group_permissions(tmp_path, ["x", "det"], ["scan", "count"])

    groups = YAML(typ="safe").load(path.read_text())["user_groups"]
    primary = groups["primary"]
    assert primary["allowed_plans"] == ["count", "scan"]
    assert primary["allowed_devices"] == [":^det$:?.*", ":^x$:?.*"]  # and children
    assert primary["allowed_functions"] == ["connection_report"]
    assert groups["root"]["forbidden_plans"] == [":^_"]


def test_a_device_named_like_a_plan_is_refused(tmp_path: Path):
    path = beamline_file(
        tmp_path / "t.yaml",
        "  count: {blueprint: SimMotor, with: {prefix: 'C'}, mock: true}\n"
        "  x: {blueprint: SimMotor, with: {prefix: 'X'}, mock: true}\n",
    )

    with pytest.raises(NameClashError, match="count") as caught:
        beamline_namespace(load_beamline(path))

    assert caught.value.names == ["count"]


def test_the_namespace_holds_the_devices_by_name_and_the_plans(tmp_path: Path):
    path = beamline_file(
        tmp_path / "t.yaml", "  x: {blueprint: SimMotor, with: {prefix: 'X'}}\n"
    )
    beamline = load_beamline(path)

    namespace = beamline_namespace(beamline)

    assert namespace["x"] is beamline.devices["x"]
    assert namespace["scan"] is plans()["scan"]


def test_the_startup_script_calls_the_worker_with_the_command_options(
    tmp_path: Path,
):
    beamline = tmp_path / "bl 'quoted'.yaml"

    script = startup_script(beamline, "http://127.0.0.1:8000", tmp_path / "w.pid")

    calls = [n for n in ast.walk(ast.parse(script)) if isinstance(n, ast.Call)]
    [call] = [
        c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "_namespace"
    ]
    assert [ast.literal_eval(a) for a in call.args] == [str(beamline)]
    assert {k.arg: ast.literal_eval(k.value) for k in call.keywords} == {
        "tiled": "http://127.0.0.1:8000",
        "pid_file": str(tmp_path / "w.pid"),
    }


def test_the_tiled_key_takes_an_http_url(tmp_path: Path):
    good = beamline_file(
        tmp_path / "good.yaml",
        "  x: {blueprint: SimMotor, with: {prefix: 'X'}}\n",
        extra="tiled: http://127.0.0.1:8000\n",
    )
    bad = beamline_file(
        tmp_path / "bad.yaml",
        "  x: {blueprint: SimMotor, with: {prefix: 'X'}}\n",
        extra="tiled: ftp://127.0.0.1\n",
    )

    assert validate_files([good]) == []
    assert load_beamline(good).model.tiled == "http://127.0.0.1:8000"
    [problem] = validate_files([bad])
    assert (problem.line, problem.where) == (3, "tiled")
