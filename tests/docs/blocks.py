"""The code blocks of a Markdown page, and what the docs harness does with each.

Pure functions on text (no servers, no processes), so the rules are tested on
their own; `page_runner` applies them. The rules are written out for writers
in ``test_docs_examples.py`` and ``docs/contributing.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "OUTPUT_ONLY",
    "RUN",
    "WRITTEN_OR_PARSED",
    "Block",
    "blocks_of",
    "file_target",
]

RUN = frozenset({"python", "sh"})
"""Languages whose blocks are executed."""
WRITTEN_OR_PARSED = frozenset({"yaml", "json", "ini", "toml"})
"""Languages whose blocks are written to a file (``# file: NAME``) or parsed."""
OUTPUT_ONLY = frozenset({"text"})
"""Languages whose blocks show output to the reader: nothing runs."""

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^\n`]*)$")
_FILE = re.compile(r"^# file: (?P<name>\S+)\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, attributes, text and first line number."""

    language: str
    attributes: tuple[str, ...]
    text: str
    line: int
    """Line of the opening fence, 1-based, for messages."""

    def attribute(self, name: str) -> str | None:
        """``exit=1`` -> ``attribute("exit") == "1"``; a bare ``pyright`` -> ``""``."""
        for attribute in self.attributes:
            key, _, value = attribute.partition("=")
            if key == name:
                return value
        return None

    @property
    def expected_exit(self) -> int:
        value = self.attribute("exit")
        return int(value) if value else 0


def blocks_of(markdown: str) -> list[Block]:
    """Every fenced block of `markdown`, in order (nested fences are text)."""
    found: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        words = opening["info"].split()
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            body.append(lines[end][indent:])
            end += 1
        language = words[0] if words else ""
        text = "\n".join(body) + "\n"
        found.append(Block(language, tuple(words[1:]), text, index + 1))
        index = end + 1
    return found


def file_target(block: Block) -> Path | None:
    """The relative path a block's ``# file: NAME`` first line names, if any."""
    first = block.text.split("\n", 1)[0]
    match = _FILE.match(first)
    if match is None:
        return None
    path = Path(match["name"])
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"line {block.line}: # file: {path} is not inside the page")
    return path
