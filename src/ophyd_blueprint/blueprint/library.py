"""Blueprints found under search paths, indexed by name and loaded on demand."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .loader import load_blueprint
from .models import Blueprint
from .problems import Problem, did_you_mean

__all__ = ["BlueprintLibrary"]

_NAME_LINE = re.compile(
    r"""^blueprint:[ \t]*(["']?)([A-Za-z_][\w.-]*)\1[ \t]*(?:\#.*)?$""", re.MULTILINE
)


class BlueprintLibrary(Mapping[str, Blueprint]):
    """A read-only mapping of blueprint name -> :class:`Blueprint`.

    Each search path is a directory (searched recursively for ``*.yaml``) or a
    file. A file is indexed by its top-level ``blueprint: Name`` line, so
    indexing reads no YAML; files load on first use and are cached until their
    modification time changes. Two files defining one name are ``problems``.
    Loading a broken file raises :class:`BlueprintError`.
    """

    def __init__(self, search_paths: Iterable[str | Path]) -> None:
        self._files: dict[str, tuple[Path, int, int]] = {}
        self._cache: dict[Path, tuple[int, Blueprint]] = {}
        self.problems: list[Problem] = []
        for path in _yaml_files(Path(p) for p in search_paths):
            self._index(path)

    def _index(self, path: Path) -> None:
        text = path.read_bytes().decode("utf-8", errors="replace")
        match = _NAME_LINE.search(text)
        if match is None:
            return
        name = match[2]
        line = text.count("\n", 0, match.start()) + 1
        col = match.start(2) - match.start() + 1
        if name not in self._files:
            self._files[name] = (path, line, col)
            return
        first, first_line, first_col = self._files[name]
        message = f"blueprint {name!r} is defined twice"
        self.problems += [
            Problem(
                str(first),
                first_line,
                first_col,
                "blueprint",
                message,
                f"the other one is at {path}:{line}:{col}",
            ),
            Problem(
                str(path),
                line,
                col,
                "blueprint",
                message,
                f"the other one is at {first}:{first_line}:{first_col}",
            ),
        ]

    def __getitem__(self, name: str) -> Blueprint:
        path = self._files[name][0]
        mtime = path.stat().st_mtime_ns
        cached = self._cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        blueprint = load_blueprint(path)
        self._cache[path] = (mtime, blueprint)
        return blueprint

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def path_of(self, name: str) -> Path:
        """The file that defines ``name``."""
        return self._files[name][0]

    def suggest(self, name: str) -> str | None:
        """``did you mean 'X'?`` over all names in the library."""
        return did_you_mean(name, self._files)


def _yaml_files(search_paths: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for search_path in search_paths:
        if search_path.is_dir():
            candidates = sorted(search_path.rglob("*.yaml"))
        else:
            candidates = [search_path] if search_path.is_file() else []
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield candidate
