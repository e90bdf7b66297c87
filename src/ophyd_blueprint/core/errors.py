"""Errors of the core, gathered into one tree when many things fail at once."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["NoAnswerError", "NotConnectedError"]


class NotConnectedError(Exception):
    """One or more signals did not connect.

    Holds either a message or a tree: ``{child_name: NotConnectedError |
    Exception}``. `str()` prints the tree, indented, one failed source a line,
    so a user sees every failure of a device at once.
    """

    def __init__(
        self, errors: str | Mapping[str, Exception], summary: str = ""
    ) -> None:
        self.errors: str | dict[str, Exception] = (
            errors if isinstance(errors, str) else dict(errors)
        )
        self.summary = summary
        """One line that rolls the tree up, e.g. ``12 of 12 signals ...``."""
        text = self._format(0)
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

    def _format(self, indent: int) -> str:
        if isinstance(self.errors, str):
            return self.errors
        pad = "  " * indent
        lines: list[str] = []
        for name, err in self.errors.items():
            if isinstance(err, NotConnectedError) and not isinstance(err.errors, str):
                lines.append(f"{pad}{name}:")
                lines.append(err._format(indent + 1))
            else:
                lines.append(f"{pad}{name}: {_one_line(err)}")
        return "\n" + "\n".join(lines) if indent == 0 else "\n".join(lines)


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
