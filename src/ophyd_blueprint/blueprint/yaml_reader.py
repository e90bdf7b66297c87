"""Safe YAML reading: plain data plus the position of every node.

Safe by construction: the C composer builds nodes and this module turns them
into plain Python data itself, so no tag can construct an object. Only the
YAML core tags are accepted, duplicate keys are errors, alias expansion and
nesting are bounded, and the file size is bounded.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, TypeAlias, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from .positions import DocPath, Positions
from .problems import BlueprintError, Problem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Data",
    "parse_yaml",
    "parse_yaml_bytes",
    "read_bounded",
    "read_yaml",
]

Data: TypeAlias = "str | int | float | bool | list[Data] | dict[str | int, Data] | None"

MAX_BYTES = 2 * 1024 * 1024
"""Files larger than this are refused before parsing."""
MAX_NODES = 1_000_000
"""Bound on nodes after alias expansion; a plain 2 MiB file cannot reach it."""
MAX_DEPTH = 100
"""Bound on nesting of mappings and sequences."""

_CORE = "tag:yaml.org,2002:"
_TABS = "tabs are not allowed for indentation in YAML"


def read_yaml(path: Path) -> tuple[Data, Positions]:
    """Read one YAML document from ``path``; OSError if it cannot be read."""
    return parse_yaml_bytes(read_bounded(path), str(path))


def read_bounded(path: Path) -> bytes:
    """The bytes of ``path``, but no more than one byte over :data:`MAX_BYTES`."""
    with path.open("rb") as stream:
        return stream.read(MAX_BYTES + 1)


def parse_yaml_bytes(raw: bytes, file: str) -> tuple[Data, Positions]:
    """Parse UTF-8 ``raw`` (named ``file`` in problems) into data and positions."""
    if len(raw) > MAX_BYTES:
        message = f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB"
        raise BlueprintError([Problem(file, 1, 1, "", message)])
    return parse_yaml(_decode(raw, file), file)


def parse_yaml(text: str, file: str) -> tuple[Data, Positions]:
    """Parse ``text`` (named ``file`` in problems) into data and positions."""
    try:
        root = _compose(text)
    except MarkedYAMLError as error:
        raise BlueprintError([_syntax_problem(error, text, file)]) from None
    except ReaderError as error:
        raise BlueprintError([_reader_problem(error, text, file)]) from None
    except YAMLError as error:
        raise BlueprintError(
            [Problem(file, 1, 1, "", f"invalid YAML: {error}")]
        ) from None
    except RecursionError:
        message = f"nesting is deeper than {MAX_DEPTH} levels"
        raise BlueprintError([Problem(file, 1, 1, "", message)]) from None
    if root is None:
        raise BlueprintError([Problem(file, 1, 1, "", "file is empty")])
    builder = _Builder(file)
    # Aliases are written with '*': without one, nodes are not shared and the
    # document is no larger than the file, so expansion need not be measured.
    size = builder.size(root, 0, set()) if "*" in text else 0
    if size > MAX_NODES and not builder.problems:
        message = f"document expands to more than {MAX_NODES} nodes (alias bomb?)"
        builder.problems.append(Problem(file, 1, 1, "", message))
    if builder.problems:
        raise BlueprintError(builder.problems)
    data = builder.build(root, ())
    if builder.problems:
        raise BlueprintError(builder.problems)
    return data, builder.positions


_KINDS = ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map")
_TAGS = {_CORE + kind: Tag(suffix=_CORE + kind) for kind in _KINDS}
"""One tag object per core tag, shared by every node the resolver tags."""
_STR = _TAGS[_CORE + "str"]
"""The tag of every string the resolver tags: a node that has it is a string
(a scalar: collections are tagged by the composer), told apart without a call."""
_KIND_OF = {id(tag): name.removeprefix(_CORE) for name, tag in _TAGS.items()}
"""The id of a shared tag -> its kind: found without hashing the tag (a
Python method) or making its string (a node's ``tag`` property does)."""
_PLAIN: dict[str, list[tuple[str, Any]]] = {}
"""YAML 1.2's patterns for plain scalars by first character, once read."""


class _Yaml12Resolver(VersionedResolver):
    """YAML 1.2 core schema; fixing the version halves the time to compose.

    A plain scalar's tag is found with one lookup by its first character and
    given as a shared object: ruamel's `resolve` builds the list of candidate
    patterns and a new tag for every scalar, a third of the time to compose a
    file of thousands of signals.
    """

    @property
    def processing_version(self) -> tuple[int, int]:
        return (1, 2)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        this: Any = self  # ruamel's resolver is untyped
        if kind is not ScalarNode or this.yaml_path_resolvers:
            return cast(Any, super()).resolve(kind, value, implicit)
        if implicit[0]:
            if not _PLAIN:
                _PLAIN.update(this.versioned_resolver)
            for tag, pattern in _PLAIN.get(value[:1], ()):
                if pattern.match(value):
                    return _TAGS.get(tag) or Tag(suffix=tag)
        return _STR


def _compose(text: str) -> Any:
    """The node tree (ruamel's nodes are untyped, hence Any), or None if empty."""
    yaml: Any = YAML(typ="safe", pure=False)
    yaml.Resolver = _Yaml12Resolver
    return yaml.compose(text)


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        last_line = before[before.rfind(b"\n") + 1 :]
        col = len(last_line.decode("utf-8", errors="replace")) + 1
        message = (
            f"file is not valid UTF-8: byte 0x{raw[error.start]:02x} cannot be read"
        )
        raise BlueprintError(
            [Problem(file, line, col, "", message, "save the file as UTF-8")]
        ) from None


def _syntax_problem(marked: MarkedYAMLError, text: str, file: str) -> Problem:
    error: Any = marked
    mark: Any = error.problem_mark or error.context_mark
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.splitlines()
    if line < len(lines) and lines[line][col : col + 1] == "\t":
        return Problem(file, line + 1, col + 1, "", _TABS, "use spaces")
    if error.context == "expected a single document in the stream":
        message = "a file holds one YAML document; found a second one"
        return Problem(file, line + 1, col + 1, "", message)
    context = f" ({error.context})" if error.context else ""
    start: Any = error.context_mark
    if context and start is not None and (start.line, start.column) != (line, col):
        # e.g. an unclosed '{': the problem shows at the end, the cause here
        context = (
            f" ({error.context} that starts at {start.line + 1}:{start.column + 1})"
        )
    return Problem(
        file,
        line + 1,
        col + 1,
        "",
        f"invalid YAML: {error.problem}{context}",
        _indentation_hint(error, line + 1),
    )


def _indentation_hint(error: Any, line: int) -> str | None:
    """What to look at when the parser's words are about blocks, not the cause.

    A key indented one space too few or too many ends its mapping early or
    makes a value of it; the parser names neither the key nor indentation.
    """
    if error.context and "block" in str(error.context):
        return (
            f"check the indentation of line {line}: the keys of one mapping "
            "start in the same column"
        )
    if str(error.problem).startswith("mapping values are not allowed"):
        return f"check the indentation of line {line}, or quote a value that holds ': '"
    return None


def _reader_problem(reader_error: ReaderError, text: str, file: str) -> Problem:
    error: Any = reader_error
    position: int = error.position
    before = text[:position]
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    character: int = error.character
    message = f"character U+{character:04X} is not allowed in YAML"
    return Problem(file, line, col, "", message)


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def _kind(node: Any) -> str:
    """``str``, ``map``, ...: a core tag without its prefix; any other as written."""
    kind = _KIND_OF.get(id(node.ctag))
    return kind if kind is not None else str(node.tag).removeprefix(_CORE)


def _start(node: Any) -> tuple[int, int]:
    mark: Any = node.start_mark
    return mark.line + 1, mark.column + 1


class _Builder:
    """Turns composed nodes into plain data, recording positions and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions = Positions()
        self.problems: list[Problem] = []
        self._sizes: dict[int, int] = {}

    def _problem(self, node: Any, message: str) -> None:
        line, col = _start(node)
        self.problems.append(Problem(self.file, line, col, "", message))

    def size(self, node: Any, depth: int, open_nodes: set[int]) -> int:
        """Nodes under ``node`` with aliases expanded; cheap, as aliases share nodes."""
        key = id(node)
        if key in self._sizes:
            return self._sizes[key]
        if key in open_nodes:
            self._problem(node, "an alias refers to the node that contains it")
            return 0
        if depth > MAX_DEPTH:
            self._problem(node, f"nesting is deeper than {MAX_DEPTH} levels")
            return 0
        open_nodes.add(key)
        children: list[Any] = []
        if node.id == "sequence":
            children = list(node.value)
        elif node.id == "mapping":
            children = [child for pair in node.value for child in pair]
        total = 1 + sum(self.size(child, depth + 1, open_nodes) for child in children)
        open_nodes.discard(key)
        self._sizes[key] = total
        return total

    def build(self, node: Any, path: DocPath) -> Data:
        mark: Any = node.start_mark
        self.positions.values[path] = (mark.line + 1, mark.column + 1)
        if len(path) > MAX_DEPTH:
            self._problem(node, f"nesting is deeper than {MAX_DEPTH} levels")
            return None
        if node.ctag is _STR:  # most values of a file: settled here (see _STR)
            return cast(str, node.value)
        if node.id == "mapping":
            if _kind(node) != "map":
                self._problem(node, f"tag {_tag(node.tag)!r} is not allowed")
                return None
            return self._mapping(node, path)
        if node.id == "sequence":
            if _kind(node) != "seq":
                self._problem(node, f"tag {_tag(node.tag)!r} is not allowed")
                return None
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: Any, path: DocPath) -> dict[str | int, Data]:
        result: dict[str | int, Data] = {}
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.ctag is _STR:  # most keys: settled here (see _STR)
                key: str | int | None = cast(str, key_node.value)
            elif _kind(key_node) == "merge":
                merged.extend(self._merge_sources(value_node))
                continue
            else:
                key = self._key(key_node)
            if key is None:
                continue
            if key in result:
                line, col = self.positions.keys[(*path, key)]
                self._problem(
                    key_node, f"duplicate key {key!r} (first defined at {line}:{col})"
                )
                continue
            self.positions.keys[(*path, key)] = _start(key_node)
            result[key] = self.build(value_node, (*path, key))
        for source in merged:
            for key_node, value_node in source.value:
                key = self._key(key_node)
                if key is not None and key not in result:
                    self.positions.keys[(*path, key)] = _start(key_node)
                    result[key] = self.build(value_node, (*path, key))
        return result

    def _merge_sources(self, node: Any) -> list[Any]:
        if node.id == "mapping":
            return [node]
        if node.id == "sequence" and all(item.id == "mapping" for item in node.value):
            return list(node.value)
        self._problem(node, "a merge key '<<' needs a mapping or a list of mappings")
        return []

    def _key(self, node: Any) -> str | int | None:
        value = self._scalar(node) if node.id == "scalar" else None
        if isinstance(value, str | int) and not isinstance(value, bool):
            return value
        self._problem(node, "mapping keys must be strings or integers")
        return None

    def _scalar(self, node: Any) -> Data:
        text: str = node.value
        kind = _kind(node)
        if kind in ("str", "timestamp"):
            return text
        if kind == "null":
            return None
        if kind == "bool":
            return text.lower() == "true"
        try:
            if kind == "int":
                return _int(text)
            if kind == "float":
                return _float(text)
        except ValueError:
            self._problem(node, f"{text!r} is not a valid {kind}")
            return None
        self._problem(node, f"tag {_tag(node.tag)!r} is not allowed")
        return None


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-").lower()
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    if digits.endswith(".inf"):
        return -math.inf if digits.startswith("-") else math.inf
    if digits == ".nan":
        return math.nan
    return float(digits)
