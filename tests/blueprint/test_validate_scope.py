"""What ``blueprint validate FILE`` reports: FILE's problems and those of the
blueprints it uses, never those of unrelated files beside it; and a blueprint's
name, which becomes a class name, must be a Python identifier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ophyd_blueprint.blueprint import validate_files
from ophyd_blueprint.cli.main import main
from ophyd_blueprint.stubs.sources import read_sources

Write = Callable[[str, str], Path]

BASE = "blueprint: Base\nsignals:\n  x: {source: X, dtype: floatt}\n"
USER = "blueprint: User\nextends: Base\nchildren:\n  part: {blueprint: Part}\n"
PART = "blueprint: Part\nsignals:\n  y: {source: 'pav://Y', dtype: int}\n"
OTHER = "blueprint: Other\nsignals:\n  z: {source: Z, dtype: intt}\n"


def problems(path: Path) -> list[str]:
    root = str(path.parent) + "/"
    return [str(p).removeprefix(root) for p in validate_files([path])]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Held Motor", "; did you mean 'HeldMotor'?"),
        ("held-motor", "; did you mean 'HeldMotor'?"),
        ("class", "; did you mean 'Class'?"),
        ("2theta", ""),
    ],
)
def test_a_blueprint_name_must_be_an_identifier(
    write: Write, name: str, suggestion: str
) -> None:
    path = write("held.yaml", f"blueprint: '{name}'\nsignals: {{}}\n")
    assert problems(path) == [
        f"held.yaml:1:12: blueprint: {name!r} is not a valid blueprint name: it "
        "is a Python class name, so use letters, digits and '_', not a digit "
        f"first{suggestion}"
    ]


def test_validate_file_reports_what_it_uses_not_what_lies_beside_it(
    write: Write,
) -> None:
    user = write("user.yaml", USER)
    write("base.yaml", BASE)
    write("part.yaml", PART)
    write("other.yaml", OTHER)
    write("other_again.yaml", OTHER)  # 'Other' defined twice, used by nobody
    assert problems(user) == [
        "base.yaml:3:25: signals.x.dtype: unknown dtype 'floatt'; "
        "did you mean 'float'?",
        "part.yaml:3:15: signals.y.source: unknown URI scheme 'pav' "
        "(known: ca, mock, pva, soft, tango); did you mean 'pva'?",
    ]


def test_a_used_name_defined_twice_is_reported_at_both_places(write: Write) -> None:
    user = write("user.yaml", "blueprint: User\nextends: Part\n")
    write("part.yaml", PART.replace("pav", "pva"))
    write("part_copy.yaml", PART.replace("pav", "pva"))
    write("other.yaml", OTHER.replace("intt", "int"))
    write("other_again.yaml", OTHER.replace("intt", "int"))
    found = problems(user)
    assert [line.split(":")[0] for line in found] == ["part.yaml", "part_copy.yaml"]
    assert all("blueprint 'Part' is defined twice" in line for line in found)


def test_validate_a_folder_still_reports_every_name_defined_twice(
    tmp_path: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    write("other.yaml", OTHER.replace("intt", "int"))
    write("other_again.yaml", OTHER.replace("intt", "int"))
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert all("blueprint 'Other' is defined twice" in line for line in out)


def test_validate_cli_on_one_file_ignores_its_neighbours(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(
        "good.yaml", "blueprint: Good\nsignals:\n  x: {source: X, dtype: int}\n"
    )
    write("other.yaml", OTHER)
    write("other_again.yaml", OTHER)
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == "1 file(s) OK\n"


def test_stubs_of_one_file_ignore_its_neighbours(write: Write) -> None:
    good = write(
        "good.yaml", "blueprint: Good\nsignals:\n  x: {source: X, dtype: int}\n"
    )
    write("other.yaml", OTHER)
    write("other_again.yaml", OTHER)
    assert list(read_sources([good]).blueprints) == ["Good"]
