"""The README's examples run as written (the beamline one in mock mode)."""

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_shows_the_two_commands_first():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block[1].splitlines()]
    assert commands == ["make demo", "make test"]


def test_readme_beamline_example_scans_the_mock_beamline(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.chdir(ROOT)
    (block,) = [b for b in python_blocks() if "mock=True" in b and "load_beamline" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    x = namespace["bl"].x
    assert x.readback.backend.cached_reading()["value"] == 1.0  # the scan's end


def test_readme_signal_example_makes_signals_of_each_transport():
    (block,) = [b for b in python_blocks() if "signal_rw(int" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["temperature"].source == "ca://BL01:TEMP"
    assert namespace["count"].datatype is int
    assert namespace["gain"].name == "gain"
