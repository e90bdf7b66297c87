"""One load of a beamline makes one library and renders each tree once.

The counts come from wrappers around the real functions, which still run.
"""

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint import DeviceVector, load_beamline
from ophyd_blueprint.blueprint import BlueprintLibrary, rendering

FILES = {
    "axis.yaml": """
blueprint: Axis
params:
  prefix: {type: str}
  egu: {type: str, default: mm}
signals:
  pos: {source: "soft://{{prefix}}POS", dtype: float, access: rw, units: "{{egu}}"}
""",
    "fancy_axis.yaml": """
blueprint: FancyAxis
extends: Axis
signals:
  velo: {source: "soft://{{prefix}}VELO", dtype: float, access: rw}
""",
    "stage.yaml": """
blueprint: Stage
params:
  prefix: {type: str}
children:
  x: {blueprint: FancyAxis, with: {prefix: "{{prefix}}X:"}}
  jacks:
    blueprint: Axis
    vector: {start: 1, stop: 3}
    with: {prefix: "{{prefix}}J{{i}}:"}
""",
    "beamline.yaml": """
beamline: counted
blueprints: ["."]
devices:
  s1: {blueprint: Stage, with: {prefix: "A:"}}
  s2: {blueprint: Stage, with: {prefix: "B:"}}
  y: {blueprint: FancyAxis, with: {prefix: "Y:", egu: deg}}
""",
}


def _counting(calls: list[Any], function: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return function(*args, **kwargs)

    return counted


@pytest.fixture
def beamline(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path / "beamline.yaml"


def test_a_load_builds_one_library_and_renders_each_tree_once(
    beamline: Path, monkeypatch: pytest.MonkeyPatch
):
    renders: list[Any] = []
    libraries: list[Any] = []
    monkeypatch.setattr(rendering, "_render", _counting(renders, rendering._render))
    monkeypatch.setattr(
        BlueprintLibrary,
        "__init__",
        _counting(libraries, BlueprintLibrary.__init__),
    )

    bl = load_beamline(beamline)

    assert len(libraries) == 1
    # per stage: itself, x, and two jacks; and y on its own
    assert Counter(blueprint.name for blueprint in renders) == {
        "Stage": 2,
        "FancyAxis": 3,
        "Axis": 4,
    }
    jacks = bl.s2.jacks
    assert isinstance(jacks, DeviceVector)
    assert jacks[2].pos.source == "soft://B:J2:POS"
    assert bl.s1.x.velo.source == "soft://A:X:VELO"


def test_a_second_load_renders_again(beamline: Path, monkeypatch: pytest.MonkeyPatch):
    """Renders are kept by the load's library, not for the session: an edited
    blueprint is seen by the next load."""
    load_beamline(beamline)
    axis = beamline.parent / "axis.yaml"
    axis.write_text(FILES["axis.yaml"].replace("POS", "RBV"))
    renders: list[Any] = []
    monkeypatch.setattr(rendering, "_render", _counting(renders, rendering._render))

    bl = load_beamline(beamline)

    assert len(renders) == 9
    assert bl.y.pos.source == "soft://Y:RBV"
