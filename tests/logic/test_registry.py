"""A registered logic class is imported when a blueprint names it, not before."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ophyd_blueprint import load_beamline
from ophyd_blueprint.logic import logic_roles

from ..distributions import installed

DEMO = Path(__file__).parents[2] / "beamlines" / "demo.yaml"


@pytest.fixture
def unused_plugin(tmp_path: Path) -> Iterator[str]:
    """A registered logic class that no shipped blueprint uses."""
    source = """\
        from ophyd_blueprint.logic import Logic

        class Unused(Logic):
            pass
        """
    entry_points = """\
        [ophyd_blueprint.logic]
        example.Unused = unused_logic:Unused
        """
    with installed(tmp_path, "unused-logic", "unused_logic", source, entry_points):
        yield "unused_logic"


def test_roles_are_listed_by_name_and_imported_on_lookup(unused_plugin: str):
    roles = logic_roles()
    assert "example.Unused" in roles
    assert "motion.Motor" in list(roles)
    assert unused_plugin not in sys.modules
    assert [role.name for role in roles["motion.Motor"]][:2] == ["setpoint", "readback"]
    assert unused_plugin not in sys.modules
    assert roles["example.Unused"] == ()
    assert unused_plugin in sys.modules
    with pytest.raises(KeyError):
        roles["example.Missing"]


def test_loading_a_beamline_imports_only_the_logic_it_names(unused_plugin: str):
    bl = load_beamline(DEMO, mock=True)
    assert bl.x.logic  # motion.Motor, named by SimMotor
    assert unused_plugin not in sys.modules
