"""The comparison of a file with the devices, on mock devices."""

from __future__ import annotations

from pathlib import Path

from ophyd_blueprint import load_beamline
from ophyd_blueprint.blueprint.settings_file import parse_settings
from ophyd_blueprint.core import set_mock_value
from ophyd_blueprint.plans.settings import check_settings

from .conftest import beamline_file

FILE = """\
settings: lab
saved_at: '2025-06-01T10:00:00+00:00'
devices:
  x: {velocity: 5, acceleration: 0.5, high_limit: 10.0, low_limit: -10.0,
      mode: Fine}
"""


async def test_changed_and_unsaved_settings_are_listed_with_both_values(
    tmp_path: Path,
):
    beamline = load_beamline(
        beamline_file(tmp_path, 'x: {blueprint: StageAxis, with: {prefix: "X:"}}'),
        mock=True,
    )
    await beamline.connect()
    x = beamline.devices["x"]
    for name, value in [
        ("velocity", 5.0),  # saved as the int 5: the same
        ("acceleration", 0.5),
        ("high_limit", 12.0),
        ("low_limit", -10.0),
    ]:
        set_mock_value(getattr(x, name), value)
    checked = await check_settings(parse_settings(FILE, "s.yaml"), beamline.devices)
    diff = checked.diff()
    assert not diff.same
    assert diff.lines() == [
        "signal        saved              now",
        "x.high_limit  10.0               12.0",
        'x.mode        "Fine"             "Coarse"',
        "x.profile     (not in the file)  []",
        "s.yaml: 3 of 6 settings differ",
    ]
    assert diff.as_dict()["differences"][2] == {
        "device": "x",
        "signal": "profile",
        "saved": None,
        "now": [],
        "in_file": False,
    }
