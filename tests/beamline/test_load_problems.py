"""load_beamline raises every problem of a broken file at once."""

from pathlib import Path

import pytest

from ophyd_blueprint import BlueprintError, load_beamline

DEVICES = Path(__file__).parents[2] / "devices"


def test_a_shape_problem_comes_with_the_files_other_problems(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        "beamline: broken\n"
        f"blueprints: [{DEVICES}]\n"
        "devices:\n"
        "  x: {blueprint: SimMotor, with: {prefix: A}, mock: maybe}\n"
        "  y: {blueprint: SimMotr, with: {prefix: B}}\n"
    )
    with pytest.raises(BlueprintError) as caught:
        load_beamline(path, mock=True)
    wheres = [problem.where for problem in caught.value.problems]
    assert wheres == ["devices.x.mock", "devices.y.blueprint"]
    assert "did you mean 'SimMotor'?" in str(caught.value)
