"""`load_beamline(params=...)`: the same file, pointed at other servers."""

from pathlib import Path

import pytest

from ophyd_blueprint import BlueprintError, load_beamline

DEMO = Path(__file__).parents[2] / "beamlines" / "demo.yaml"


def test_params_replace_those_of_the_file_for_the_named_device():
    bl = load_beamline(DEMO, mock=True, params={"x": {"prefix": "OTHER:X"}})
    assert bl.x.readback.source == "mock+ca://OTHER:X:RBV"
    assert bl.slits.readback.source == "mock+ca://DEMO:SLITS:RBV"


def test_params_are_checked_like_the_files_own():
    with pytest.raises(BlueprintError, match="unknown param 'prefx'"):
        load_beamline(DEMO, mock=True, params={"x": {"prefx": "OTHER:X"}})


def test_params_for_a_device_the_file_lacks_name_its_devices():
    with pytest.raises(KeyError, match="has no device 'y'; its devices: x, det"):
        load_beamline(DEMO, mock=True, params={"y": {"prefix": "Y"}})
