"""Errors of the core, gathered into one tree when many things fail at once.

A failure carries its facts as attributes (the source, the kind of failure,
the types involved, where the signal was declared); its message is rendered
from them. Reports and the command line read the attributes, never the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

__all__ = [
    "DatatypeMismatchError",
    "FailureKind",
    "LogicNotBoundError",
    "NoAnswerError",
    "NotConnectedError",
]

FailureKind = Literal["no answer", "wrong type", "error"]
"""What kind of failure one source had: silence, a type that does not fit the
declared one, or anything else (refused, bad name, server error)."""

MAX_LINES = 25
"""`str()` of a tree shows at most this many lines below the summary; the rest
are counted (``... and 975 more``) and all are in `NotConnectedError.leaves`."""


class NotConnectedError(Exception):
    """One or more signals did not connect.

    Holds either one failure (a leaf: `reason` text, with the `source` it is
    about) or a tree: ``{child_name: NotConnectedError | Exception}``. `str()`
    of a tree prints the summary line, then the tree, indented, one failed
    source a line, folded after `MAX_LINES` lines so that a dead IOC behind
    5000 PVs is one screen, not 5000 lines; `leaves()` has them all.

    A leaf's facts: `source` (the URI), `kind`, `reason` (the text without the
    source) and `origin` (``file:line:col`` of the signal's declaration, set by
    whoever built the signal from a file; empty otherwise).
    """

    kind: FailureKind = "error"

    def __init__(
        self,
        errors: str | Mapping[str, Exception],
        summary: str = "",
        *,
        source: str = "",
    ) -> None:
        self.errors: str | dict[str, Exception] = (
            errors if isinstance(errors, str) else dict(errors)
        )
        self.summary = summary
        """One line that rolls the tree up, e.g. ``12 of 12 signals ...``."""
        self.source = source
        """The URI that failed (a leaf); empty for a tree."""
        self.origin = ""
        """``file:line:col`` where the failed signal was declared, when known."""
        super().__init__(errors if isinstance(errors, str) else summary)

    @property
    def reason(self) -> str:
        """A leaf's text without its source and origin; a tree's summary."""
        return self.errors if isinstance(self.errors, str) else self.summary

    @property
    def message(self) -> str:
        """The text without the origin: ``ca://X: no answer within 5.0 s``."""
        if not isinstance(self.errors, str):
            text = self._folded()
            return f"{self.summary}{text}" if self.summary else text
        return f"{self.source}: {self.reason}" if self.source else self.reason

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}" if self.origin else self.message

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

    kind: FailureKind = "no answer"

    def __init__(
        self, source: str, timeout: float | None, reason: str | None = None
    ) -> None:
        self.timeout = timeout
        """Seconds waited (None: unbounded, e.g. a server that went away)."""
        if reason is None:
            reason = f"no answer within {timeout} s"
        super().__init__(reason, source=source)


class LogicNotBoundError(NotConnectedError):
    """A logic entry of a device whose structure is found at connect (PVI)
    names a path that structure does not have: the signals answered, the
    device's behaviour could not be attached."""


class DatatypeMismatchError(NotConnectedError, TypeError):
    """The source's native type does not fit the declared datatype.

    ``ca://BL01:X.RBV is a int32 PV, the blueprint says float``: `actual`
    says what the server has (``int32 PV``, ``DevLong attribute``),
    `expected` the declared datatype's name, `detail` anything more (the
    enum labels that differ, a shape).
    """

    kind: FailureKind = "wrong type"

    def __init__(
        self, source: str, expected: str, actual: str, detail: str = ""
    ) -> None:
        self.expected = expected
        self.actual = actual
        self.detail = detail
        super().__init__("", source=source)

    @property
    def reason(self) -> str:
        declared = "the blueprint says" if self.origin else "the signal asked for"
        text = f"is a {self.actual}, {declared} {self.expected}"
        return f"{text}: {self.detail}" if self.detail else text

    @property
    def message(self) -> str:
        return f"{self.source} {self.reason}"


def _one_line(err: Exception) -> str:
    text = str(err) or type(err).__name__
    if not isinstance(err, NotConnectedError):
        text = f"{type(err).__name__}: {text}"
    return text
