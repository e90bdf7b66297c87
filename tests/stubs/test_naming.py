"""The stubs name enums, tables and members exactly as the builder does."""

from __future__ import annotations

import pytest

from ophyd_blueprint.blueprint import Signal
from ophyd_blueprint.build import enum_class, enum_class_name
from ophyd_blueprint.stubs.naming import datatype_class_name, enum_members

LABELS = ["Open", "closed now", "1st", "a-b", "A B", "", "  ", "x!", "X"]


@pytest.mark.parametrize(
    ("signal", "enum_name"),
    [("image_mode", None), ("mode__2", None), ("x", "Custom"), ("_a_b_", None)],
)
def test_class_names_are_the_builders(signal: str, enum_name: str | None) -> None:
    declared = Signal(source="s", dtype="enum", choices=["A"], enum_name=enum_name)
    assert datatype_class_name("Det", signal, declared) == enum_class_name(
        "Det", signal, declared
    )


def test_members_and_labels_are_the_builders() -> None:
    built = enum_class("Labels", tuple(LABELS), True)
    assert enum_members(LABELS) == [(m.name, m.value) for m in built]
