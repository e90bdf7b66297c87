"""`make docs` builds the documentation site, strictly: a warning fails it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.timeout(600)
def test_the_site_builds_without_a_warning_with_its_generated_pages(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)]
    done = subprocess.run(
        mkdocs,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert warnings == []
    blueprint = (site / "reference/yaml/blueprint/index.html").read_text()
    assert "trigger_value" in blueprint  # a key of the schema, in its table
    cli = (site / "reference/cli/index.html").read_text()
    assert "blueprint validate" in cli
    api = (site / "reference/api/beamline/index.html").read_text()
    assert "load_beamline" in api
    changelog = (site / "changelog/index.html").read_text()
    assert "Installable anywhere" in changelog
