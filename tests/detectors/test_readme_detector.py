"""The README's detector example runs as written, on the simulated areaDetector."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import h5py
import pytest

from ophyd_blueprint.testing.sim_detector import DATASET
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc

from .conftest import DEVICES

README = (Path(__file__).parents[2] / "README.md").read_text()


def _block(language: str, marker: str) -> str:
    (block,) = [
        b for b in re.findall(rf"```{language}\n(.*?)```", README, re.S) if marker in b
    ]
    return block


def test_readme_detector_example_counts_and_flies_into_two_files(
    sim_detector_ioc: SimDetectorIoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    beamline = _block("yaml", "beamline: bl01")
    data_dir = tmp_path / "data"
    beamline = (
        beamline.replace("[../devices]", f"[{DEVICES}]")
        .replace("/tmp/ophyd-blueprint-demo/bl01", str(data_dir))
        .replace("BL01:DET:", sim_detector_ioc.prefix)
    )
    (tmp_path / "beamlines").mkdir()
    (tmp_path / "beamlines" / "bl01.yaml").write_text(beamline)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}

    exec(compile(_block("python", "def fly(det"), "README.md", "exec"), namespace)

    sizes = []
    for path in data_dir.glob("*.h5"):
        with h5py.File(path, "r") as f:
            sizes.append(f[DATASET].shape[0])
    assert sorted(sizes) == [5, 20]
