"""The lint and format gate covers every source file: no package is left out."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _listed_by_ruff(*folders: str) -> set[Path]:
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--show-files", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {Path(line) for line in out.stdout.splitlines() if line.endswith(".py")}


def test_ruff_checks_every_python_file_of_src_and_tests():
    listed = _listed_by_ruff("src", "tests")
    on_disk = {
        path
        for folder in ("src", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk - listed == set()
    assert any(p.parent.name == "builder" for p in listed)


def test_a_folder_named_build_inside_a_package_is_still_checked(tmp_path: Path):
    """Only the top-level output folders are excluded, not any folder named so."""
    project = tmp_path / "project"
    (project / "src" / "pkg" / "build").mkdir(parents=True)
    (project / "build").mkdir()
    (project / "src" / "pkg" / "build" / "inner.py").write_text("x = 1\n")
    (project / "build" / "output.py").write_text("x = 1\n")
    (project / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text().split("[tool.ruff.lint]")[0]
    )
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--show-files", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    names = {Path(line).name for line in out.stdout.splitlines()}
    assert "inner.py" in names
    assert "output.py" not in names
