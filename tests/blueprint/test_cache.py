from __future__ import annotations

import os
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import BlueprintError, load_blueprint

INT = "blueprint: Motor\nsignals:\n  x: {source: X, dtype: int}\n"
STR = INT.replace("dtype: int", "dtype: str")


def test_a_file_loaded_twice_is_parsed_once(tmp_path: Path) -> None:
    path = tmp_path / "motor.yaml"
    path.write_text(INT)
    assert load_blueprint(path) is load_blueprint(path)


def test_touching_a_file_without_changing_its_bytes_does_not_parse_it_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "motor.yaml"
    path.write_text(INT)
    first = load_blueprint(path)
    path.write_text(INT)
    os.utime(path, ns=(10**18, 10**18))
    assert load_blueprint(path) is first


def test_new_bytes_are_parsed_even_with_the_same_size_and_modification_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "motor.yaml"
    path.write_text(INT)
    os.utime(path, ns=(1, 1))
    assert load_blueprint(path).signals["x"].dtype == "int"
    path.write_text(STR)
    os.utime(path, ns=(1, 1))
    assert load_blueprint(path).signals["x"].dtype == "str"


def test_equal_files_at_two_paths_keep_their_own_origin(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(INT)
    (tmp_path / "b.yaml").write_text(INT)
    a, b = load_blueprint(tmp_path / "a.yaml"), load_blueprint(tmp_path / "b.yaml")
    assert (a.origin.file, b.origin.file) == (
        str(tmp_path / "a.yaml"),
        str(tmp_path / "b.yaml"),
    )


def test_a_broken_file_raises_the_same_problems_every_time(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(INT.replace("dtype: int", "dtype: intt"))
    messages: list[str] = []
    for _ in range(2):
        with pytest.raises(BlueprintError) as caught:
            load_blueprint(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{path}:3:25: signals.x.dtype: unknown dtype")
