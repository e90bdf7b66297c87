"""Problems found in blueprint and beamline files, and how they are reported."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass

__all__ = ["BlueprintError", "Problem", "did_you_mean", "format_problems"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file, at a 1-based line and column.

    ``where`` is the dotted document path (``signals.readback.dtype``), empty for
    the whole document. ``suggestion`` completes the message, e.g.
    ``did you mean 'float'?``. Problems sort by file, then position.
    """

    path: str
    line: int
    col: int
    where: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        hint = f"; {self.suggestion}" if self.suggestion else ""
        return f"{self.path}:{self.line}:{self.col}:{where} {self.message}{hint}"

    def as_dict(self) -> dict[str, str | int | None]:
        """The problem as a JSON-ready mapping (``--format json``)."""
        return asdict(self)


class BlueprintError(Exception):
    """Raised with every problem found, sorted and without duplicates."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__(format_problems(self.problems))


def format_problems(problems: Iterable[Problem]) -> str:
    """One problem per line, as compilers print them."""
    return "\n".join(str(problem) for problem in problems)


def did_you_mean(
    word: str, candidates: Iterable[str], synonyms: dict[str, str] | None = None
) -> str | None:
    """``did you mean 'x'?`` for the closest candidate, or None if none is close."""
    if synonyms and word in synonyms:
        return f"did you mean {synonyms[word]!r}?"
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else None
