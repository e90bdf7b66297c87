from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ophyd_blueprint.blueprint import RoleSpec, validate_files

Write = Callable[[str, str], Path]

NUMBERS = frozenset({"int", "float"})
ROLES = {
    "motion.Motor": [
        RoleSpec("setpoint", frozenset({"w", "rw"}), NUMBERS),
        RoleSpec("readback", frozenset({"r", "rw"}), NUMBERS),
        RoleSpec("stop", frozenset({"x"}), None, required=False),
    ]
}


def check(write: Write, text: str, **files: str) -> list[str]:
    """Problems of `text` as b.yaml, with other blueprints beside it."""
    for name, other in files.items():
        write(f"{name}.yaml", other)
    path = write("b.yaml", text)
    problems = validate_files([path], logic_roles=ROLES)
    return [str(p).removeprefix(str(path.parent) + "/") for p in problems]


def test_enum_needs_choices_that_are_unique(write: Write) -> None:
    text = (
        "blueprint: B\nsignals:\n"
        "  a: {source: A, dtype: enum}\n"
        "  b: {source: B, dtype: enum, choices: []}\n"
        '  c: {source: C, dtype: "enum[]", choices: [x, y, x]}\n'
        "  d: {source: D, dtype: int, choices: [x], strict: false}\n"
    )
    assert check(write, text) == [
        "b.yaml:3:6: signals.a: dtype 'enum' needs choices; add choices: [...]",
        "b.yaml:4:40: signals.b.choices: choices must not be empty",
        "b.yaml:5:51: signals.c.choices.2: choice 'x' is listed twice",
        "b.yaml:6:39: signals.d.choices: choices is only for enum dtypes",
        "b.yaml:6:52: signals.d.strict: strict is only for enum dtypes",
    ]


def test_access_rules_for_dtype_read_and_sources(write: Write) -> None:
    text = (
        "blueprint: B\nsignals:\n"
        "  stop: {source: S, access: x, dtype: int, read: config}\n"
        '  val: {source: "mock://V", access: rw}\n'
        "  rbv: {source: R, read_source: R_RBV, dtype: int}\n"
        "  t: {source: T, dtype: table}\n"
        "  trig: {source: G, dtype: int, trigger_value: 1}\n"
    )
    assert check(write, text) == [
        "b.yaml:3:39: signals.stop.dtype: access 'x' signals have no dtype",
        "b.yaml:3:50: signals.stop.read: a signal with access 'x' cannot be read; "
        "remove 'read'",
        "b.yaml:4:8: signals.val: missing dtype: a mock:// signal has no server "
        "to take it from; add dtype: float (or its type)",
        "b.yaml:5:33: signals.rbv.read_source: read_source needs access 'rw' "
        "(source is then the write source)",
        "b.yaml:6:6: signals.t: a table needs columns",
        "b.yaml:7:48: signals.trig.trigger_value: trigger_value needs access 'x'",
    ]


def test_unknown_uri_scheme_suggests_a_known_one(write: Write) -> None:
    text = 'blueprint: B\nsignals:\n  a: {source: "pav://X", dtype: int}\n'
    assert check(write, text) == [
        "b.yaml:3:15: signals.a.source: unknown URI scheme 'pav' "
        "(known: ca, mock, pva, soft, tango); did you mean 'pva'?"
    ]


def test_undefined_template_name_suggests_a_param(write: Write) -> None:
    text = (
        "blueprint: B\nparams:\n  prefix: {}\nsignals:\n"
        '  a: {source: "{{prefx}}A", dtype: int}\n'
    )
    assert check(write, text) == [
        "b.yaml:5:15: signals.a.source: 'prefx' is undefined in '{{prefx}}A'; "
        "did you mean 'prefix'?"
    ]


def test_names_must_be_python_attributes(write: Write) -> None:
    text = (
        "blueprint: B\nsignals:\n"
        "  class: {source: A, dtype: int}\n"
        "  _hidden: {source: B, dtype: int}\n"
    )
    message = "is not a valid name: use letters, digits and '_', not first"
    assert check(write, text) == [
        f"b.yaml:3:3: signals.class: 'class' {message}",
        f"b.yaml:4:3: signals._hidden: '_hidden' {message}",
    ]


def test_signal_and_child_with_one_name_clash(write: Write) -> None:
    text = (
        "blueprint: B\nsignals:\n  x: {source: A, dtype: int}\n"
        "children:\n  x: {pvi: 'pva://P'}\n"
    )
    assert check(write, text) == [
        "b.yaml:3:3: signals.x: 'x' is both a signal and a child",
        "b.yaml:5:3: children.x: 'x' is both a signal and a child",
    ]


def test_unknown_child_blueprint_suggests_nearest_name(write: Write) -> None:
    text = "blueprint: B\nchildren:\n  m: {blueprint: Motr}\n"
    assert check(write, text, motor="blueprint: Motor\n") == [
        "b.yaml:3:18: children.m.blueprint: unknown blueprint 'Motr'; "
        "did you mean 'Motor'?"
    ]


def test_child_params_are_checked_against_the_child(write: Write) -> None:
    motor = "blueprint: Motor\nparams:\n  prefix: {}\n  n: {type: int, default: 1}\n"
    text = (
        "blueprint: B\nparams:\n  p: {}\nchildren:\n"
        '  m: {blueprint: Motor, with: {n: "x", prefx: "{{p}}"}}\n'
    )
    assert check(write, text, motor=motor) == [
        "b.yaml:5:31: children.m.with: missing required param 'prefix'",
        "b.yaml:5:35: children.m.with.n: param 'n' must be int, got 'x'",
        "b.yaml:5:40: children.m.with.prefx: unknown param 'prefx'; "
        "did you mean 'prefix'?",
    ]


def test_child_with_more_than_one_source_is_an_error(write: Write) -> None:
    text = (
        "blueprint: B\nchildren:\n  m: {pvi: 'pva://P', tango: 'tango://h:1/a/b/c'}\n"
    )
    assert check(write, text) == [
        "b.yaml:3:6: children.m: needs exactly one of 'blueprint', 'pvi' or 'tango'; "
        "found ['pvi', 'tango']"
    ]


def test_vector_indices_must_be_unique_and_i_is_defined(write: Write) -> None:
    chan = "blueprint: Chan\nparams:\n  prefix: {}\n"
    text = (
        "blueprint: B\nchildren:\n"
        '  c: {blueprint: Chan, vector: [1, 1], with: {prefix: "C{{i}}"}}\n'
    )
    assert check(write, text, chan=chan) == [
        "b.yaml:3:32: children.c.vector: vector indices must be unique"
    ]


def test_extends_cycle_is_reported_in_every_file_of_it(write: Write) -> None:
    assert check(
        write, "blueprint: B\nextends: A\n", a="blueprint: A\nextends: B\n"
    ) == [
        "a.yaml:2:10: extends: extends cycle: A -> B -> A",
        "b.yaml:2:10: extends: extends cycle: B -> A -> B",
    ]


def test_child_cycle_is_reported_in_every_file_of_it(write: Write) -> None:
    a = "blueprint: A\nchildren:\n  b: {blueprint: B}\n"
    text = "blueprint: B\nchildren:\n  a: {blueprint: A}\n"
    assert check(write, text, a=a) == [
        "a.yaml:3:18: children.b.blueprint: child cycle: A -> B -> A",
        "b.yaml:3:18: children.a.blueprint: child cycle: B -> A -> B",
    ]


def test_logic_bindings_are_checked_against_roles(write: Write) -> None:
    text = (
        "blueprint: B\nsignals:\n"
        "  sp: {source: S, dtype: float, access: r}\n"
        "  rb: {source: R, dtype: str}\n"
        "logic:\n"
        "  - use: motion.Motr\n"
        "  - use: motion.Motor\n"
        "    bind: {setpoint: sp, readback: rb, stp: x}\n"
    )
    assert check(write, text) == [
        "b.yaml:6:10: logic.0.use: unknown logic 'motion.Motr'; "
        "did you mean 'motion.Motor'?",
        "b.yaml:8:22: logic.1.bind.setpoint: role 'setpoint' needs access rw, w; "
        "'sp' has 'r'",
        "b.yaml:8:36: logic.1.bind.readback: role 'readback' needs dtype float, int; "
        "'rb' has 'str'",
        "b.yaml:8:40: logic.1.bind.stp: motion.Motor has no role 'stp'; "
        "did you mean 'stop'?",
    ]


def test_required_roles_must_be_bound_and_paths_must_exist(write: Write) -> None:
    motor = (
        "blueprint: Motor\nsignals:\n"
        "  readback: {source: R, dtype: float}\n"
        "  setpoint: {source: S, dtype: float, access: rw}\n"
    )
    text = (
        "blueprint: B\nchildren:\n  m: {blueprint: Motor}\n"
        "logic:\n  - use: motion.Motor\n    bind: {setpoint: m.setpoint, stop: m.stp}\n"
    )
    assert check(write, text, motor=motor) == [
        "b.yaml:6:11: logic.0.bind: motion.Motor needs role 'readback' bound",
        "b.yaml:6:40: logic.0.bind.stop: no signal 'm.stp'; did you mean 'm.setpoint'?",
    ]


def test_logic_is_not_checked_without_roles(write: Write) -> None:
    path = write("b.yaml", "blueprint: B\nlogic:\n  - use: no.Such\n")
    assert validate_files([path]) == []
