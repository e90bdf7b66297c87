"""Installed distributions made on the fly, to test entry-point discovery."""

import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def installed(
    where: Path, name: str, module: str, source: str, entry_points: str
) -> Iterator[None]:
    """A module and its dist-info on sys.path, as pip leaves a package."""
    (where / f"{module}.py").write_text(textwrap.dedent(source))
    info = where / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    sys.path.insert(0, str(where))
    try:
        yield
    finally:
        sys.path.remove(str(where))
        sys.modules.pop(module, None)
