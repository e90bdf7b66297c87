"""Generated enum and table classes are named by one set of rules."""

from __future__ import annotations

import pytest

from ophyd_blueprint.blueprint import Signal
from ophyd_blueprint.blueprint.naming import datatype_class_name, enum_members
from ophyd_blueprint.builder import enum_class

LABELS = ["Open", "closed now", "1st", "a-b", "A B", "", "  ", "x!", "X"]


@pytest.mark.parametrize(
    ("signal", "enum_name", "expected"),
    [
        ("image_mode", None, "DetImageMode"),
        ("mode__2", None, "DetMode2"),
        ("x", "Custom", "Custom"),
        ("_a_b_", None, "DetAB"),
    ],
)
def test_class_names_come_from_enum_name_or_blueprint_and_signal(
    signal: str, enum_name: str | None, expected: str
) -> None:
    declared = Signal(source="s", dtype="enum", choices=["A"], enum_name=enum_name)
    assert datatype_class_name("Det", signal, declared) == expected


def test_members_and_labels_are_the_builders() -> None:
    built = enum_class("Labels", tuple(LABELS), True)
    assert enum_members(LABELS) == [(m.name, m.value) for m in built]
