from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import (
    Blueprint,
    BlueprintError,
    BlueprintLibrary,
    load_blueprint,
    render_blueprint,
    resolve_extends,
)

Write = Callable[[str, str], Path]

MOTOR = """\
blueprint: Motor
doc: a motor
params:
  prefix: {type: str}
  speed: {type: float, default: 2}
signals:
  setpoint: {source: "{{prefix}}.VAL", dtype: float, access: rw}
  readback: {source: "pva://{{prefix}}.RBV", dtype: float}
  gain: {source: "{{prefix}}.GAIN", read_source: "{{prefix}}.GAIN_RBV",
         dtype: float, access: rw}
logic:
  - use: motion.Motor
    bind: {setpoint: setpoint}
    with: {speed: "{{speed}}"}
"""


@pytest.fixture
def motor(write: Write) -> Blueprint:
    return load_blueprint(write("motor.yaml", MOTOR))


def test_sources_are_rendered_and_given_the_default_protocol(motor: Blueprint) -> None:
    rendered = render_blueprint(motor, {"prefix": "BL01:M1"}, protocol="pva")
    assert {name: s.source for name, s in rendered.signals.items()} == {
        "setpoint": "pva://BL01:M1.VAL",
        "readback": "pva://BL01:M1.RBV",
        "gain": "pva://BL01:M1.GAIN",
    }
    assert rendered.signals["gain"].read_source == "pva://BL01:M1.GAIN_RBV"


def test_logic_with_values_keep_their_type(motor: Blueprint) -> None:
    rendered = render_blueprint(motor, {"prefix": "M", "speed": 3})
    assert rendered.logic[0].with_ == {"speed": 3.0}


def test_rendering_twice_changes_nothing(motor: Blueprint) -> None:
    rendered = render_blueprint(motor, {"prefix": "M"}, protocol="ca")
    assert render_blueprint(rendered, {}, protocol="pva") == rendered


def test_param_problems_are_all_reported_where_the_params_were_given(
    motor: Blueprint,
) -> None:
    with pytest.raises(BlueprintError) as caught:
        render_blueprint(motor, {"prefx": "M", "speed": "fast"})
    assert [str(p) for p in caught.value.problems] == [
        "<params of Motor>:1:1: missing required param 'prefix'",
        "<params of Motor>:1:1: prefx: unknown param 'prefx'; did you mean 'prefix'?",
        "<params of Motor>:1:1: speed: param 'speed' must be float, got 'fast'",
    ]


def test_render_failure_points_at_the_template_string(write: Write) -> None:
    path = write(
        "bad.yaml",
        "blueprint: Bad\nparams:\n  n: {type: int}\nsignals:\n"
        '  a: {source: "X{{ n / 0 }}", dtype: int}\n',
    )
    with pytest.raises(BlueprintError) as caught:
        render_blueprint(load_blueprint(path), {"n": 1})
    assert str(caught.value) == (
        f"{path}:5:15: signals.a.source: cannot render 'X{{{{ n / 0 }}}}': "
        "division by zero"
    )


def test_extends_merges_by_key_and_replaces_entries_whole(write: Write) -> None:
    write("motor.yaml", MOTOR)
    write(
        "fancy.yaml",
        "blueprint: FancyMotor\nextends: Motor\n"
        "params:\n  speed: {type: float, default: 5}\n"
        "signals:\n"
        '  readback: {source: "{{prefix}}.DRBV", dtype: float, read: hinted}\n'
        '  offset: {source: "{{prefix}}.OFF", dtype: float}\n'
        "logic:\n  - use: motion.Motor\n    bind: {readback: readback}\n",
    )
    library = BlueprintLibrary([write("motor.yaml", MOTOR).parent])
    merged = resolve_extends(library["FancyMotor"], library)
    assert merged.extends is None
    assert merged.doc == "a motor"
    assert list(merged.signals) == ["setpoint", "readback", "gain", "offset"]
    assert merged.signals["readback"].source == "{{prefix}}.DRBV"
    assert merged.params["speed"].default == 5
    assert [entry.bind for entry in merged.logic] == [{"readback": "readback"}]
    assert merged.signals["setpoint"].origin.file.endswith("motor.yaml")


def test_vector_children_render_one_params_set_per_index(write: Write) -> None:
    path = write(
        "det.yaml",
        "blueprint: Det\nparams:\n  prefix: {type: str}\n"
        "children:\n"
        "  chan:\n    blueprint: Chan\n    vector: {start: 1, stop: 3}\n"
        '    with: {prefix: "{{prefix}}C{{i}}:", index: "{{i}}"}\n'
        "  pair:\n    blueprint: Chan\n"
        "    vector: {1: {prefix: A}, 4: {prefix: B}}\n"
        '    with: {index: "{{ i * 10 }}"}\n',
    )
    rendered = render_blueprint(load_blueprint(path), {"prefix": "D:"})
    assert rendered.children["chan"].vector == {
        1: {"prefix": "D:C1:", "index": 1},
        2: {"prefix": "D:C2:", "index": 2},
    }
    assert rendered.children["chan"].with_ == {}
    assert rendered.children["pair"].vector == {
        1: {"index": 10, "prefix": "A"},
        4: {"index": 40, "prefix": "B"},
    }


def test_unknown_base_is_an_error_at_extends(write: Write, tmp_path: Path) -> None:
    path = write("d.yaml", "blueprint: D\nextends: Motr\n")
    with pytest.raises(BlueprintError) as caught:
        render_blueprint(load_blueprint(path), {}, library=BlueprintLibrary([tmp_path]))
    assert str(caught.value) == f"{path}:2:10: extends: unknown blueprint 'Motr'"
