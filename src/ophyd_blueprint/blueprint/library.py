"""Blueprints found under search paths, indexed by name and loaded on demand."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Set
from pathlib import Path

from .loader import load_blueprint
from .models import Blueprint, Scalar
from .problems import BlueprintError, Problem, did_you_mean
from .yaml_reader import read_bounded

__all__ = [
    "PVI_SUFFIX",
    "BlueprintLibrary",
    "RenderKey",
    "referenced_names",
    "yaml_files",
]

_NAME_LINE = re.compile(
    r"""^blueprint:[ \t]*(["']?)([A-Za-z_][\w.-]*)\1[ \t]*(?:\#.*)?$""", re.MULTILINE
)

RenderKey = tuple[str, str, tuple[tuple[str, Scalar], ...]]
"""A blueprint's name, the protocol, and the param values it was rendered with."""


class BlueprintLibrary(Mapping[str, Blueprint]):
    """A read-only mapping of blueprint name -> `Blueprint`.

    Each search path is a directory (searched recursively for ``*.yaml``) or a
    file. A file is indexed by its top-level ``blueprint: Name`` line, so
    indexing reads no YAML; files load on use through the loader's cache, so
    each is parsed once while its bytes are unchanged. Two files defining one
    name are ``problems``. Loading a broken file raises `BlueprintError`.

    ``fallback`` paths (the shipped blueprints) are searched after
    ``search_paths``, for the names these do not define: a file of one's own
    takes the place of a fallback file of the same name.

    ``renders`` keeps what `render_blueprint` made from this library's
    blueprints, so that a tree checked and then built is rendered once.
    """

    def __init__(
        self,
        search_paths: Iterable[str | Path],
        *,
        fallback: Iterable[str | Path] = (),
    ) -> None:
        self._files: dict[str, tuple[Path, int, int]] = {}
        self._twice: dict[str, list[Problem]] = {}
        self.renders: dict[RenderKey, Blueprint] = {}
        self._loaded: dict[str, tuple[tuple[int, int, int, int], Blueprint]] = {}
        first = yaml_files(search_paths)
        for path in first:
            if path.is_file():
                self._index(path)
        own = set(self._files)
        seen = {path.resolve() for path in first}
        for path in yaml_files(fallback):
            if path.is_file() and path.resolve() not in seen:
                self._index(path, shadowed_by=own)

    @property
    def problems(self) -> list[Problem]:
        """Every name defined twice, at both places."""
        return [problem for found in self._twice.values() for problem in found]

    def problems_of(self, names: Iterable[str]) -> list[Problem]:
        """The problems of these names only (not of unrelated files beside them)."""
        return [problem for name in names for problem in self._twice.get(name, ())]

    def used_by(
        self, names: Iterable[str], problems: list[Problem]
    ) -> dict[str, Blueprint | None]:
        """`names` and every blueprint they use (extend, or have as children),
        and those these use in turn, loaded, by name.

        None for a name not in the library or whose file does not load (its
        problems are added to `problems`).
        """
        found: dict[str, Blueprint | None] = {}
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found[name] = None
            if name not in self._files:
                continue
            try:
                blueprint = found[name] = self[name]
            except BlueprintError as error:
                problems += error.problems
                continue
            todo += referenced_names(blueprint)
        return found

    def _index(self, path: Path, shadowed_by: Set[str] = frozenset()) -> None:
        text = read_bounded(path).decode("utf-8", errors="replace")
        match = _NAME_LINE.search(text)
        if match is None or match[2] in shadowed_by:
            return
        name = match[2]
        line = text.count("\n", 0, match.start()) + 1
        col = match.start(2) - match.start() + 1
        if name not in self._files:
            self._files[name] = (path, line, col)
            return
        first, first_line, first_col = self._files[name]
        message = f"blueprint {name!r} is defined twice"
        self._twice.setdefault(name, []).extend(
            [
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
        )

    def __getitem__(self, name: str) -> Blueprint:
        # a tree asks for a name per device: the loader's cache would read and
        # hash the file each time, so a file whose stat is unchanged (ctime
        # too, which no one can set back) is not read again
        path = self._files[name][0]
        try:
            info = path.stat()
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        except OSError:
            return load_blueprint(path)  # says what is wrong with the file
        found = self._loaded.get(name)
        if found is None or found[0] != stamp:
            found = self._loaded[name] = (stamp, load_blueprint(path))
        return found[1]

    def __contains__(self, name: object) -> bool:
        """Whether a file defines ``name``; loads nothing, so it cannot fail."""
        return name in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def defines(self, blueprint: Blueprint) -> bool:
        """Whether ``blueprint`` comes from this library's file for its name."""
        entry = self._files.get(blueprint.name)
        return entry is not None and str(entry[0]) == blueprint.origin.file

    def path_of(self, name: str) -> Path:
        """The file that defines ``name``."""
        return self._files[name][0]

    def suggest(self, name: str) -> str | None:
        """``did you mean 'X'?`` over all names in the library."""
        return did_you_mean(name, self._files)


def referenced_names(blueprint: Blueprint) -> list[str]:
    """The blueprints `blueprint` names: the one it extends, and its children's."""
    names = [] if blueprint.extends is None else [blueprint.extends]
    names += [c.blueprint for c in blueprint.children.values() if c.blueprint]
    return names


PVI_SUFFIX = ".pvi.device.yaml"
"""Files in PVI's own format, read by the introspection layer, not as blueprints."""


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """``paths`` with each directory replaced by the ``*.yaml`` files under it.

    Directories are searched recursively, in sorted order, skipping hidden
    directories (``.venv``, ``.git``) and PVI's ``*.pvi.device.yaml`` files.
    Files given by name are kept whatever their name; each file comes once.
    """
    seen: set[Path] = set()
    found: list[Path] = []
    for path in map(Path, paths):
        candidates = _under(path) if path.is_dir() else [path]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(candidate)
    return found


def _under(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*.yaml")
        if not path.name.endswith(PVI_SUFFIX)
        and not any(
            part.startswith(".") for part in path.relative_to(directory).parts[:-1]
        )
        and path.is_file()
    )
