from __future__ import annotations

import pytest

from ophyd_blueprint.blueprint import (
    DTYPES,
    Beamline,
    Blueprint,
    BlueprintError,
    parse_document,
)


def shape_problems(text: str) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        parse_document(text, "f.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_dtype_vocabulary_is_the_contract() -> None:
    assert DTYPES == (
        "bool", "int", "float", "str", "enum",
        "bool[]", "int8[]", "uint8[]", "int16[]", "uint16[]", "int32[]",
        "uint32[]", "int64[]", "uint64[]", "float32[]", "float64[]", "str[]",
        "enum[]", "ndarray", "table",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("written", "meant"),
    [("floatt", "float"), ("double", "float"), ("flaot64[]", "float64[]"),
     ("string", "str"), ("int[]", "int64[]")],
)  # fmt: skip
def test_unknown_dtype_suggests_nearest(written: str, meant: str) -> None:
    text = f'blueprint: X\nsignals:\n  a: {{source: A, dtype: "{written}"}}\n'
    assert shape_problems(text) == [
        f"f.yaml:3:25: signals.a.dtype: unknown dtype {written!r}; "
        f"did you mean {meant!r}?"
    ]


def test_unknown_key_suggests_the_key_meant() -> None:
    text = "blueprint: X\nsignals:\n  a: {source: A, dtype: int, acess: rw}\n"
    assert shape_problems(text) == [
        "f.yaml:3:30: signals.a.acess: unknown key 'acess'; did you mean 'access'?"
    ]


def test_unknown_key_in_a_child_suggests_with() -> None:
    text = "blueprint: X\nchildren:\n  c: {blueprint: Y, wiht: {a: 1}}\n"
    assert shape_problems(text) == [
        "f.yaml:3:21: children.c.wiht: unknown key 'wiht'; did you mean 'with'?"
    ]


def test_small_choice_lists_are_spelled_out() -> None:
    text = "blueprint: X\nsignals:\n  a: {source: A, dtype: int, read: hint}\n"
    assert shape_problems(text) == [
        "f.yaml:3:36: signals.a.read: unknown read 'hint' (expected 'hinted', "
        "'normal', 'config' or 'omitted'); did you mean 'hinted'?"
    ]


def test_missing_key_points_at_the_mapping() -> None:
    assert shape_problems("blueprint: X\nsignals:\n  a: {dtype: int}\n") == [
        "f.yaml:3:6: signals.a: missing required key 'source'"
    ]


def test_wrong_types_are_not_coerced() -> None:
    text = "blueprint: X\nparams:\n  p: {default: [1]}\nsignals:\n  a: {source: 5}\n"
    assert shape_problems(text) == [
        "f.yaml:3:16: params.p.default: expected a string, number or boolean, got [1]",
        "f.yaml:5:15: signals.a.source: input should be a valid string, got 5",
    ]


def test_every_shape_problem_in_a_file_is_reported_sorted() -> None:
    text = (
        "blueprint: X\n"
        "signals:\n"
        "  b: {source: B, dtype: dbl}\n"
        "  a: {source: A, access: rx}\n"
        "children:\n"
        "  c: {vector: [1, a]}\n"
    )
    assert [p.split(": ", 1)[0] for p in shape_problems(text)] == [
        "f.yaml:3:25",
        "f.yaml:4:26",
        "f.yaml:6:15",
    ]


def test_top_key_tells_blueprint_from_beamline() -> None:
    assert isinstance(parse_document("blueprint: X\n"), Blueprint)
    assert isinstance(parse_document("beamline: demo\n"), Beamline)
    assert shape_problems("devices: {}\n") == [
        "f.yaml:1:1: expected a mapping with a 'blueprint:' or a 'beamline:' key"
    ]


def test_signal_defaults_are_read_only_and_not_read() -> None:
    blueprint = parse_document("blueprint: X\nsignals:\n  a: {source: A, dtype: int}\n")
    assert isinstance(blueprint, Blueprint)
    signal = blueprint.signals["a"]
    assert (signal.access, signal.read, signal.strict) == ("r", "omitted", True)


def test_loaded_objects_know_their_position() -> None:
    blueprint = parse_document("blueprint: X\nsignals:\n  a: {source: A}\n", "f.yaml")
    assert isinstance(blueprint, Blueprint)
    problem = blueprint.signals["a"].origin.problem("bad", "source")
    assert str(problem) == "f.yaml:3:15: signals.a.source: bad"
