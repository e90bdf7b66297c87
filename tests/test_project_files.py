"""What a fresh clone offers before any code runs: licence, install, bench."""

import os
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_licence_is_an_spdx_string_with_its_file():
    # a TOML table makes setuptools warn twice per install that it is deprecated
    project = PYPROJECT["project"]
    assert project["license"] == "BSD-3-Clause"
    (licence,) = project["license-files"]
    assert "BSD 3-Clause License" in (ROOT / licence).read_text()


def test_the_first_install_says_what_it_does_and_shows_progress():
    dry_run = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    (install,) = [line for line in dry_run.splitlines() if "-e '.[all,dev]'" in line]
    assert "--quiet" not in install
    assert "Installing ophyd-blueprint" in dry_run


def test_make_bench_without_the_shared_harness_says_so_and_goes_on(tmp_path: Path):
    result = subprocess.run(
        ["make", "-s", "bench-harness", f"BENCH_DIR={tmp_path / 'missing'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "no shared benchmark harness at" in result.stdout
    assert "No such file" not in result.stderr


def test_no_tracked_file_is_ignored_by_git():
    # .gitignore once listed docs/epics.md, a tracked page
    ignored = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert ignored == ""
