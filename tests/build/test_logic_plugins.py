"""A third-party logic class, registered through an entry point, is found."""

import sys
import textwrap
from pathlib import Path

import pytest

from ophyd_blueprint.logic import get_logic, logic_names, logic_roles
from ophyd_blueprint.logic.registry import UnknownLogicError


@pytest.fixture
def plugin_on_path(tmp_path: Path):
    """An installed distribution as pip leaves it: a module and its dist-info."""
    (tmp_path / "example_logic.py").write_text(
        textwrap.dedent(
            """\
            from ophyd_blueprint.logic import Logic
            from ophyd_blueprint.logic.base import READABLE, role

            class Shutter(Logic):
                roles = (role("state", READABLE, frozenset({"enum"})),)
                exposes = ("is_open",)

                async def is_open(self) -> bool:
                    return (await self.bound["state"].get_value()) == "Open"
            """
        )
    )
    info = tmp_path / "example_logic-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: example-logic\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[ophyd_blueprint.logic]\nexample.Shutter = example_logic:Shutter\n"
    )
    sys.path.insert(0, str(tmp_path))
    yield
    sys.path.remove(str(tmp_path))
    sys.modules.pop("example_logic", None)


def test_registered_third_party_logic_is_found_with_its_roles(plugin_on_path: None):
    assert "example.Shutter" in logic_names()
    cls = get_logic("example.Shutter")
    assert cls.exposes == ("is_open",)
    assert [r.name for r in logic_roles()["example.Shutter"]] == ["state"]


def test_builtin_logic_is_registered():
    assert {"motion.Motor", "detector.Triggered"} <= set(logic_names())


def test_unregistered_logic_is_refused_without_importing_anything():
    modules_before = set(sys.modules)
    with pytest.raises(
        UnknownLogicError, match="no logic class is registered as 'os.system'"
    ):
        get_logic("os.system")
    assert set(sys.modules) == modules_before
