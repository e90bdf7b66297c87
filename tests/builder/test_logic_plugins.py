"""A third-party logic class, registered through an entry point, is found."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ophyd_blueprint.logic import get_logic, logic_names, logic_roles
from ophyd_blueprint.logic.registry import UnknownLogicError

from ..distributions import installed


@pytest.fixture
def plugin_on_path(tmp_path: Path) -> Iterator[None]:
    source = """\
        from ophyd_blueprint.logic import Logic
        from ophyd_blueprint.logic.base import READABLE, role

        class Shutter(Logic):
            roles = (role("state", READABLE, frozenset({"enum"})),)
            exposes = ("is_open",)

            async def is_open(self) -> bool:
                return (await self.bound["state"].get_value()) == "Open"
        """
    entry_points = """\
        [ophyd_blueprint.logic]
        example.Shutter = example_logic:Shutter
        """
    with installed(tmp_path, "example-logic", "example_logic", source, entry_points):
        yield


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
