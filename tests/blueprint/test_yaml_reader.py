from __future__ import annotations

import time
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import BlueprintError, Problem
from ophyd_blueprint.blueprint.yaml_reader import MAX_BYTES, parse_yaml, read_yaml


def problems(text: str) -> list[Problem]:
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(text, "f.yaml")
    return caught.value.problems


def only(text: str) -> str:
    [problem] = problems(text)
    return str(problem)


def test_positions_are_one_based_for_values_and_keys() -> None:
    data, positions = parse_yaml("a: 1\nsignals:\n  x: {dtype: float}\n", "f.yaml")
    assert data == {"a": 1, "signals": {"x": {"dtype": "float"}}}
    assert positions.values[("signals", "x", "dtype")] == (3, 14)
    assert positions.keys[("signals", "x", "dtype")] == (3, 7)
    assert positions.keys[("signals",)] == (2, 1)


def test_position_of_unknown_path_falls_back_to_nearest_ancestor() -> None:
    _, positions = parse_yaml("signals:\n  x: {dtype: float}\n", "f.yaml")
    assert positions.of(("signals", "x", "source")) == (2, 6)


def test_duplicate_key_is_an_error_with_line_and_column() -> None:
    assert only("a: 1\nb:\n  c: 1\n  c: 2\n") == (
        "f.yaml:4:3: duplicate key 'c' (first defined at 3:3)"
    )


def test_every_duplicate_key_in_a_file_is_reported() -> None:
    assert [(p.line, p.col) for p in problems("a: 1\na: 2\nb: 1\nb: 2\n")] == [
        (2, 1),
        (4, 1),
    ]


def test_alias_bomb_fails_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        refs = ", ".join([f"*{previous}"] * 9)
        lines.append(f"{name}: &{name} [{refs}]")
    start = time.perf_counter()
    message = only("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert (
        message
        == "f.yaml:1:1: document expands to more than 1000000 nodes (alias bomb?)"
    )


def test_small_aliases_and_merge_keys_are_expanded() -> None:
    data, positions = parse_yaml("base: &b {x: 1}\nd: {<<: *b, y: 2}\n", "f.yaml")
    assert data == {"base": {"x": 1}, "d": {"y": 2, "x": 1}}
    assert positions.values[("d", "x")] == (1, 14)


def test_explicit_keys_win_over_merged_ones() -> None:
    data, _ = parse_yaml("base: &b {x: 1}\nd: {x: 2, <<: *b}\n", "f.yaml")
    assert data == {"base": {"x": 1}, "d": {"x": 2}}


def test_recursive_alias_is_an_error() -> None:
    assert only("a: &x [*x]\n") == (
        "f.yaml:1:4: an alias refers to the node that contains it"
    )


def test_python_tags_are_refused() -> None:
    assert only("a: !!python/object/apply:os.system [ls]\n") == (
        "f.yaml:1:4: tag '!!python/object/apply:os.system' is not allowed"
    )


def test_unknown_tags_are_refused() -> None:
    assert only("a: !secret x\n") == "f.yaml:1:4: tag '!secret' is not allowed"


def test_tabs_are_explained() -> None:
    assert only("a:\n\tb: 1\n") == (
        "f.yaml:2:1: tabs are not allowed for indentation in YAML; use spaces"
    )


def test_syntax_error_names_line_and_column() -> None:
    assert only("a: [1, 2\nb: 3\n") == (
        "f.yaml:2:2: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at 1:4)"
    )


def test_control_characters_are_refused_at_their_position() -> None:
    assert only("a: 1\nb: \x07\n") == (
        "f.yaml:2:4: character U+0007 is not allowed in YAML"
    )


def test_second_document_is_an_error() -> None:
    assert only("a: 1\n---\nb: 2\n") == (
        "f.yaml:2:1: a file holds one YAML document; found a second one"
    )


def test_empty_file_is_an_error() -> None:
    assert only("# nothing\n") == "f.yaml:1:1: file is empty"


def test_deep_nesting_is_bounded() -> None:
    assert "nesting is deeper than 100 levels" in only("[" * 150 + "]" * 150)


def test_non_scalar_keys_are_refused() -> None:
    assert (
        only("? [a]\n: 1\n") == "f.yaml:1:3: mapping keys must be strings or integers"
    )


def test_scalars_follow_yaml_1_2_core() -> None:
    data, _ = parse_yaml(
        "a: 0x1F\nb: 0o17\nc: -.inf\nd: ~\ne: yes\nf: true\ng: 2024-01-01\nh: 1_000\n",
        "f.yaml",
    )
    assert data == {
        "a": 31,
        "b": 15,
        "c": float("-inf"),
        "d": None,
        "e": "yes",
        "f": True,
        "g": "2024-01-01",
        "h": 1000,
    }


def test_quoted_tagged_and_empty_scalars_and_integer_keys() -> None:
    data, positions = parse_yaml(
        'a: "12"\nb: !!str 12\nc: !!int "7"\nd:\ne: \'\'\n3: three\n'
        "f: !!float 2\ng: !!bool true\nh: !!null ''\n!!str 4: four\n",
        "f.yaml",
    )
    assert data == {
        "a": "12",
        "b": "12",
        "c": 7,
        "d": None,
        "e": "",
        3: "three",
        "f": 2.0,
        "g": True,
        "h": None,
        "4": "four",
    }
    assert positions.values[("b",)] == (2, 4)
    assert positions.keys[(3,)] == (6, 1)


def test_a_string_deeper_than_the_bound_is_refused_too() -> None:
    assert "nesting is deeper than 100 levels" in only("[" * 101 + "a" + "]" * 101)


def test_undecodable_bytes_are_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(BlueprintError) as caught:
        read_yaml(path)
    assert str(caught.value) == (
        f"{path}:2:7: file is not valid UTF-8: byte 0xe9 cannot be read; "
        "save the file as UTF-8"
    )


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(BlueprintError) as caught:
        read_yaml(path)
    assert str(caught.value) == f"{path}:1:1: file is larger than 2 MiB"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path)[0] == {"a": 1}
