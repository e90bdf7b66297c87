"""What a blueprint says of a signal reaches the built device, or is refused."""

from pathlib import Path

import pytest

from ophyd_blueprint import BlueprintError, load_blueprint
from ophyd_blueprint.blueprint import BlueprintLibrary
from ophyd_blueprint.builder import BuildError, build_device

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


def axis(tmp_path: Path, params: str, with_: str) -> Path:
    """A blueprint of soft signals moved by ``motion.Motor``, its logic
    given `with_` and the blueprint `params` (YAML lines)."""
    path = tmp_path / "axis.yaml"
    path.write_text(
        f"blueprint: Axis\nparams:\n{params}"
        "signals:\n"
        "  setpoint: {source: 'soft://sp', dtype: float, access: rw}\n"
        "  readback: {source: 'soft://rbv', dtype: float}\n"
        "logic:\n"
        "  - use: motion.Motor\n"
        "    bind: {setpoint: setpoint, readback: readback}\n"
        f"    with: {with_}\n"
    )
    return path


def test_a_templated_logic_parameter_of_the_wrong_type_is_refused_at_build(
    tmp_path: Path,
):
    path = axis(
        tmp_path,
        "  margin: {type: float, default: 5.0}\n"
        "  tolerance: {type: str, default: small}\n",
        "{timeout_margin: '{{margin}}', tolerance: '{{tolerance}}'}",
    )
    blueprint = load_blueprint(path)  # templates pass validation: unrendered

    with pytest.raises(
        BuildError,
        match=rf"{path}:11:\d+: motion.Motor's 'tolerance' is a number; got 'small'",
    ):
        build_device(blueprint, {}, library={}, mock=True)


def test_a_templated_logic_parameter_of_its_type_is_built(tmp_path: Path):
    path = axis(
        tmp_path,
        "  margin: {type: float, default: 5.0}\n",
        "{timeout_margin: '{{margin}}'}",
    )
    device = build_device(load_blueprint(path), {"margin": 2}, library={}, mock=True)

    assert device.logic[0].config["timeout_margin"] == 2


def test_a_logic_parameter_templated_as_one_expression_keeps_its_type(
    tmp_path: Path,
):
    """The form a text template is refused for (tests/data/bad/
    logic_param_template_text.yaml) builds, typed, from either branch."""
    path = axis(
        tmp_path,
        "  fast: {type: bool, default: false}\n",
        "{timeout_margin: '{{ 0.5 if fast else 2 }}'}",
    )
    blueprint = load_blueprint(path)
    fast = build_device(blueprint, {"fast": True}, library={}, mock=True)
    slow = build_device(blueprint, {}, library={}, mock=True)
    assert fast.logic[0].config["timeout_margin"] == 0.5
    assert slow.logic[0].config["timeout_margin"] == 2
