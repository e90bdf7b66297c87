"""The scanspec names the trajectory planner uses, typed.

scanspec annotates its code but ships no ``py.typed`` marker, so pyright
reads its source yet reports the import; this is the one place that says so.
"""

from scanspec import core, specs  # pyright: ignore[reportMissingTypeStubs]: no py.typed

__all__ = ["Dimension", "Path", "SnakedDimension", "Spec"]

Dimension = core.Dimension
Path = core.Path
SnakedDimension = core.SnakedDimension
Spec = specs.Spec
