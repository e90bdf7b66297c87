"""Where each node of a YAML document sits, so problems can name a line."""

from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem

__all__ = ["DocPath", "Origin", "Positions", "dotted"]

DocPath = tuple[str | int, ...]
"""A path into a document: mapping keys and sequence indices."""


def dotted(path: DocPath) -> str:
    """``("signals", "x", "dtype")`` -> ``signals.x.dtype``."""
    return ".".join(str(part) for part in path)


@dataclass
class Positions:
    """1-based (line, col) of every value, and of every mapping key, by path."""

    values: dict[DocPath, tuple[int, int]] = field(
        default_factory=dict[DocPath, tuple[int, int]]
    )
    keys: dict[DocPath, tuple[int, int]] = field(
        default_factory=dict[DocPath, tuple[int, int]]
    )

    def of(self, path: DocPath, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path`` (its key if asked), else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass(frozen=True)
class Origin:
    """A file, its positions, and the document path of one object inside it."""

    file: str
    positions: Positions
    path: DocPath = ()

    def child(self, *parts: str | int) -> Origin:
        """The origin of a sub-object."""
        return Origin(self.file, self.positions, self.path + parts)

    def at(self, *at: str | int, key: bool = False) -> str:
        """``file:line:col`` of ``at`` below this origin (of its key if ``key``)."""
        line, col = self.positions.of(self.path + at, key=key)
        return f"{self.file}:{line}:{col}"

    def problem(
        self,
        message: str,
        *at: str | int,
        suggestion: str | None = None,
        key: bool = False,
    ) -> Problem:
        """A problem at ``at`` below this origin (at its key if ``key``)."""
        path = self.path + at
        line, col = self.positions.of(path, key=key)
        return Problem(self.file, line, col, dotted(path), message, suggestion)
