"""The blueprints, beamlines and schemas that ship inside the package.

They are package data under ``ophyd_blueprint/shipped/``, so an installed
wheel has them; in a checkout those entries link to the top-level
``devices/``, ``beamlines/`` and ``schemas/``, which stay the files to edit.
Paths are resolved, so in a checkout problems name the top-level files.

A name is looked up in a beamline's own ``blueprints`` folders (or the folders
given to a command) first, then in the shipped blueprints: a file of one's own
with a shipped blueprint's name takes its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .library import BlueprintLibrary
from .problems import did_you_mean

__all__ = [
    "SHIPPED_BEAMLINES",
    "SHIPPED_BLUEPRINTS",
    "SHIPPED_SCHEMAS",
    "named_file",
    "suggest_name",
    "with_shipped",
]

_NAME = re.compile(r"[A-Za-z_][\w.-]*")
_SHIPPED = Path(__file__).parents[1] / "shipped"
SHIPPED_BLUEPRINTS = (_SHIPPED / "devices").resolve()
"""The folder of the shipped blueprints (``SimMotor``, ``SimDetector``, ...)."""
SHIPPED_BEAMLINES = (_SHIPPED / "beamlines").resolve()
"""The folder of the shipped beamlines (``demo``), one ``NAME.yaml`` each."""
SHIPPED_SCHEMAS = (_SHIPPED / "schemas").resolve()
"""The folder of the JSON schemas of blueprint, beamline and settings files."""


def with_shipped(search_paths: Iterable[str | Path]) -> BlueprintLibrary:
    """The blueprints of `search_paths`, then the shipped ones they do not name."""
    return BlueprintLibrary(search_paths, fallback=[SHIPPED_BLUEPRINTS])


def named_file(name: str, search_paths: Iterable[str | Path] = ()) -> Path | None:
    """The file of blueprint `name` (in `search_paths`, then shipped), else of
    the shipped beamline `name`; None if neither exists.
    """
    library = with_shipped(search_paths)
    if name in library:
        return library.path_of(name)
    beamline = SHIPPED_BEAMLINES / f"{name}.yaml"
    if _NAME.fullmatch(name) and beamline.is_file():
        return beamline.resolve()
    return None


def suggest_name(name: str, search_paths: Iterable[str | Path] = ()) -> str | None:
    """``did you mean 'X'?`` over the blueprint and shipped beamline names."""
    beamlines = [path.stem for path in SHIPPED_BEAMLINES.glob("*.yaml")]
    return did_you_mean(name, [*with_shipped(search_paths), *beamlines])
