"""Source text laid out as ruff format lays it out (line length 88).

Generated code is formatted as it is written, so that the generated module
needs no formatter: a bracketed list that does not fit on its line is split
one item per line with a trailing comma, which ruff keeps as it is.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LINE_LENGTH", "Bracketed", "bracketed", "docstring", "string"]

LINE_LENGTH = 88


@dataclass(frozen=True)
class Bracketed:
    """``open item, item close``: a call's arguments, a tuple, a list."""

    open: str
    items: Sequence[str | Bracketed]
    close: str
    is_tuple: bool = False
    """A tuple of one item keeps its comma: ``("a",)``."""

    def flat(self) -> str:
        inner = ", ".join(_flat(item) for item in self.items)
        comma = "," if self.is_tuple and len(self.items) == 1 else ""
        return f"{self.open}{inner}{comma}{self.close}"


def _flat(item: str | Bracketed) -> str:
    return item if isinstance(item, str) else item.flat()


def bracketed(
    item: str | Bracketed, indent: int, head: str = "", tail: str = ""
) -> str:
    """``head item tail`` in a statement indented by ``indent``.

    On one line if it fits, else split one item per line (recursively) with
    a trailing comma. Returns the text after the first line's indentation.
    """
    flat = head + _flat(item) + tail
    if isinstance(item, str) or indent + len(flat) <= LINE_LENGTH:
        return flat
    if len(item.items) < 2 and item.is_tuple:
        return flat  # a one-item tuple's comma is not a magic trailing comma
    pad = " " * (indent + 4)
    lines = [head + item.open]
    lines += [f"{pad}{bracketed(sub, indent + 4, tail=',')}" for sub in item.items]
    lines.append(" " * indent + item.close + tail)
    return "\n".join(lines)


def string(text: str) -> str:
    """A double-quoted string literal, as ruff prefers."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def docstring(text: str, indent: int) -> str:
    """A docstring at column ``indent``, paragraphs filled to the line length.

    Returns the text after the first line's indentation.
    """
    pad = " " * indent
    width = LINE_LENGTH - indent - 3
    paragraphs = [p for p in textwrap.dedent(text).strip().split("\n\n") if p.strip()]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            break_long_words=False,
            break_on_hyphens=False,
        )
    body = [line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') for line in lines]
    if body and body[-1].endswith('"'):
        body[-1] += " "
    if len(body) == 1 and indent + len(body[0]) + 6 <= LINE_LENGTH:
        return f'"""{body[0]}"""'
    joined = "\n".join(f"{pad}{line}" if line else "" for line in body[1:])
    tail = f"\n{joined}" if joined else ""
    return f'"""{body[0]}{tail}\n{pad}"""'
