"""Errors of the core, gathered into one tree when many things fail at once."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["NoAnswerError", "NotConnectedError"]

MAX_LINES = 25
"""`str()` of a tree shows at most this many lines below the summary; the rest
are counted (``... and 975 more``) and all are in `NotConnectedError.leaves`."""


class NotConnectedError(Exception):
    """One or more signals did not connect.

    Holds either a message or a tree: ``{child_name: NotConnectedError |
    Exception}``. `str()` prints the summary line, then the tree, indented,
    one failed source a line, folded after `MAX_LINES` lines so that a dead
    IOC behind 5000 PVs is one screen, not 5000 lines; `leaves()` has them all.
    """

    def __init__(
        self, errors: str | Mapping[str, Exception], summary: str = ""
    ) -> None:
        self.errors: str | dict[str, Exception] = (
            errors if isinstance(errors, str) else dict(errors)
        )
        self.summary = summary
        """One line that rolls the tree up, e.g. ``12 of 12 signals ...``."""
        text = self._folded()
        super().__init__(f"{summary}{text}" if summary else text)

    def leaves(self) -> dict[str, Exception]:
        """Flattened ``dotted.path -> error`` of every failure in the tree."""
        if isinstance(self.errors, str):
            return {"": self}
        out: dict[str, Exception] = {}
        for name, err in self.errors.items():
            if isinstance(err, NotConnectedError) and not isinstance(err.errors, str):
                for sub, leaf in err.leaves().items():
                    out[f"{name}.{sub}" if sub else name] = leaf
            else:
                out[name] = err
        return out

    def silent(self) -> int:
        """How many of the failures are sources that did not answer."""
        return sum(isinstance(leaf, NoAnswerError) for leaf in self.leaves().values())

    def _folded(self) -> str:
        if isinstance(self.errors, str):
            return self.errors
        lines: list[tuple[str, bool]] = []
        self._lines(0, lines)
        shown = lines[:MAX_LINES]
        hidden = sum(is_leaf for _, is_leaf in lines[MAX_LINES:])
        text = "".join(f"\n{line}" for line, _ in shown)
        if hidden:
            text += f"\n... and {hidden} more (all of them: .leaves())"
        return text

    def _lines(self, indent: int, out: list[tuple[str, bool]]) -> None:
        """``(line, is_a_failed_source)`` for every line of the tree."""
        assert not isinstance(self.errors, str)
        pad = "  " * indent
        for name, err in self.errors.items():
            if isinstance(err, NotConnectedError) and not isinstance(err.errors, str):
                out.append((f"{pad}{name}:", False))
                err._lines(indent + 1, out)
            else:
                out.append((f"{pad}{name}: {_one_line(err)}", True))


class NoAnswerError(NotConnectedError):
    """The source did not answer within the timeout: server down, or no such PV.

    Transports raise it for silence (as opposed to a wrong type or a refusal),
    so reports can roll failures up as "12 of 12 PVs did not answer".
    """


def _one_line(err: Exception) -> str:
    text = str(err) or type(err).__name__
    if not isinstance(err, NotConnectedError):
        text = f"{type(err).__name__}: {text}"
    return text
