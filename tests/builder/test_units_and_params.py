"""What a blueprint says of a signal reaches the built device, or is refused."""

from pathlib import Path

import pytest

from ophyd_blueprint import BlueprintError, load_blueprint
from ophyd_blueprint.blueprint import BlueprintLibrary
from ophyd_blueprint.builder import build_device

DEVICES = Path(__file__).parents[2] / "devices"


@pytest.fixture
def stage(tmp_path: Path) -> Path:
    path = tmp_path / "stage.yaml"
    path.write_text(
        "blueprint: Stage\nsignals:\n"
        "  position: {source: 'soft://pos', dtype: float, access: rw, units: mm}\n"
        "  speed: {source: 'mock://speed', dtype: float, access: rw, units: mm/s}\n"
        "  plain: {source: 'soft://plain', dtype: float, access: rw}\n"
    )
    return path


@pytest.mark.parametrize("mock", [False, True])
async def test_units_of_soft_and_mock_signals_are_described(stage: Path, mock: bool):
    blueprint = load_blueprint(stage)
    device = build_device(blueprint, {}, library={}, name="stage", mock=mock)
    await device.connect(mock=mock)
    assert (await device.position.describe())["stage-position"]["units"] == "mm"
    assert (await device.speed.describe())["stage-speed"]["units"] == "mm/s"
    assert "units" not in (await device.plain.describe())["stage-plain"]


def test_a_param_the_shipped_detector_does_not_use_is_refused():
    library = BlueprintLibrary([DEVICES])
    with pytest.raises(BlueprintError, match="unknown param 'channels'"):
        build_device(
            library["SimScalarDetector"],
            {"prefix": "D:", "channels": 8},
            library=library,
            mock=True,
        )
