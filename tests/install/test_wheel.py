"""The built wheel works anywhere: a fresh virtualenv, an empty directory.

Slow on purpose (build, install, demo: a few minutes), so it is one test: the
wheel is built from a copy of the sources, installed with its ``[demo]`` extra
into a new virtualenv, and ``blueprint demo`` runs from an empty directory
with nothing of the checkout in reach.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SKIPPED = {"tests", "bench", "docs", "build", "dist", "site", "__pycache__"}


def _sources(tmp: Path) -> Path:
    """What the wheel is built from: the checkout without tests, caches, venvs."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {
            name
            for name in names
            if name.startswith(".")
            or name.endswith(".egg-info")
            or name == "__pycache__"
            or (top and name in SKIPPED)
        }

    return Path(shutil.copytree(ROOT, tmp / "sources", symlinks=True, ignore=ignore))


def _run(command: list[str | Path], cwd: Path, timeout: float) -> str:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("EPICS_", "TANGO", "PYTHON", "VIRTUAL_ENV"))
    }
    env["MPLBACKEND"] = "Agg"  # no display: the demo only saves its plot
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}"
    return done.stdout


@pytest.mark.timeout(1500)
def test_the_wheel_with_its_demo_extra_runs_the_demo_in_a_fresh_virtualenv(
    tmp_path: Path,
) -> None:
    dist = tmp_path / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist]
    _run([*pip_wheel, _sources(tmp_path)], tmp_path, timeout=600)
    (wheel,) = dist.glob("ophyd_blueprint-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, timeout=120)
    pip_install = [venv / "bin/python", "-m", "pip", "install", "-q"]
    _run([*pip_install, f"{wheel}[demo]"], tmp_path, timeout=900)
    empty = tmp_path / "empty"
    empty.mkdir()

    said = _run(
        [venv / "bin/blueprint", "demo", "--points", "3", "--plot", "scans.png"],
        empty,
        timeout=300,
    )

    shipped = next(venv.glob("lib/python*/site-packages/ophyd_blueprint/shipped"))
    assert f"loading {shipped}/beamlines/demo.yaml" in said  # the wheel's copy
    assert "scan 4: the camera takes a frame" in said
    assert "camera frames written to" in said
    # no pandablocks-ioc in reach (it lives in a virtualenv of its own)
    assert "the fly scan needs the real pandablocks-ioc" in said
    assert "the demo skips its fly scan" in said
    assert said.rstrip().endswith("done: servers stopped")
    assert (empty / "scans.png").read_bytes().startswith(PNG_SIGNATURE)
    validated = _run([venv / "bin/blueprint", "validate", "SimDetector"], empty, 60)
    assert validated == "1 file(s) OK\n"
    assert sorted(p.name for p in empty.iterdir()) == ["scans.png"]
