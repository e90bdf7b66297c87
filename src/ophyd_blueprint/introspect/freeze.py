"""Freeze introspected blueprints to YAML files that validate and build.

The root goes to the file asked for (``<Name>.yaml`` in it, for a folder);
each other blueprint (sub-devices) to ``<Name>.yaml`` beside it, where the
library finds it. Every file starts with the editor's schema line (when the
repository's ``schemas/blueprint.schema.json`` is found above the output or
the package) and a comment saying where and when it was introspected. A
file that lacks that comment was written by someone else: it is not
overwritten unless asked (nothing is written then).
"""

from __future__ import annotations

import io
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from ophyd_blueprint.blueprint import Blueprint

from .blueprints import Introspected

__all__ = ["FreezeError", "FrozenFiles", "find_schema", "freeze", "to_yaml"]

_SCHEMA = Path("schemas") / "blueprint.schema.json"
_STAMP = "# Introspected from "


class FreezeError(Exception):
    """Blueprints that cannot be written where asked; nothing was written."""

    def __init__(self, message: str, files: list[Path]) -> None:
        super().__init__(message)
        self.files = files
        """The files in the way (empty when the path itself is wrong)."""


class FrozenFiles(list[Path]):
    """The files written, root first; `notes` says what could not be done."""

    notes: list[str]

    def __init__(self, files: list[Path], notes: list[str]) -> None:
        super().__init__(files)
        self.notes = notes


def find_schema(start: Path) -> Path | None:
    """``schemas/blueprint.schema.json`` in `start` or a directory above it,
    else in the checkout this package runs from."""
    package_root = Path(__file__).resolve().parents[3]
    for directory in (*start.resolve().parents, package_root):
        candidate = directory / _SCHEMA
        if candidate.is_file():
            return candidate
    return None


_PLAIN = re.compile(r"^[A-Za-z_][\w./-]*$")
_WORDS = {"true", "false", "null", "~", "yes", "no", "on", "off"}


def _quoted(value: Any) -> Any:
    """Strings quoted unless plainly safe: flow mappings are picky about ``:``."""
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _WORDS:
            return value
        return SingleQuotedScalarString(value)
    if isinstance(value, dict):
        items = cast(dict[Any, Any], value)
        return {k: _quoted(v) for k, v in items.items()}
    if isinstance(value, list):
        return [_quoted(v) for v in cast(list[Any], value)]
    return value


def _flow(data: dict[str, Any]) -> CommentedMap:
    """Signals, params and children one flow mapping a line, as people write them."""
    out = CommentedMap()
    for key, value in data.items():
        if key in ("signals", "children", "params"):
            entries = cast(dict[str, dict[str, Any]], value)
            block = CommentedMap()
            for name, entry in entries.items():
                flow: Any = CommentedMap(_quoted(entry))
                flow.fa.set_flow_style()
                block[name] = flow
            out[key] = block
        else:
            out[key] = value
    return out


def to_yaml(blueprint: Blueprint, header: list[str]) -> str:
    """The YAML text of `blueprint` after `header` comment lines."""
    data = blueprint.model_dump(by_alias=True, exclude_defaults=True)
    yaml: Any = YAML()  # ruamel's dump is untyped
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(_flow(data), stream)
    return "".join(f"# {line}\n" for line in header) + stream.getvalue()


def _introspected(path: Path) -> bool:
    """Whether `path` is a file this module wrote (its stamp in the header)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as text:
            return any(text.readline().startswith(_STAMP) for _ in range(2))
    except OSError:
        return False


def _targets(introspected: Introspected, path: Path, force: bool) -> list[Path]:
    """Where each blueprint goes, root first; FreezeError if that cannot be."""
    target = path / f"{introspected.root.name}.yaml" if path.is_dir() else path
    if target.suffix != ".yaml":
        raise FreezeError(
            f"{path}: expected a .yaml file for the blueprint (the library reads "
            f"*.yaml) or an existing folder to write {introspected.root.name}.yaml "
            "in",
            [],
        )
    targets = [target] + [
        target.parent / f"{name}.yaml"
        for name in introspected.blueprints
        if name != introspected.root.name
    ]
    taken = [t for t in targets if t.exists() and (t.is_dir() or not _introspected(t))]
    if taken and not force:
        names = ", ".join(str(t) for t in taken)
        raise FreezeError(
            f"nothing written: would replace {names}, not written by introspect "
            f"(no '{_STAMP.strip()}' line at the top); move "
            f"{'it' if len(taken) == 1 else 'them'}, choose another output, or "
            "force it",
            taken,
        )
    return targets


def freeze(
    introspected: Introspected,
    path: str | Path,
    *,
    when: datetime | None = None,
    force: bool = False,
) -> FrozenFiles:
    """Write the root to `path` (a ``.yaml`` file, or a folder to write
    ``<Name>.yaml`` in) and the other blueprints beside it.

    FreezeError, before anything is written, if `path` is neither, or if a
    file would be replaced that introspect did not write (unless `force`).
    """
    targets = _targets(introspected, Path(path), force)
    target = targets[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    schema = find_schema(target.parent)
    moment = (when or datetime.now().astimezone()).isoformat(timespec="seconds")
    header = [f"Introspected from {introspected.source} on {moment}."]
    notes = list(introspected.notes)
    if schema is None:
        notes.append(
            f"no {_SCHEMA} found above {target.parent}: the files have no "
            "yaml-language-server schema line"
        )
    else:
        relative = os.path.relpath(schema, target.parent.resolve())
        header.insert(0, f"yaml-language-server: $schema={Path(relative).as_posix()}")
    target.write_text(to_yaml(introspected.root, header))
    root = introspected.root.name
    siblings = [b for n, b in introspected.blueprints.items() if n != root]
    for sibling, blueprint in zip(targets[1:], siblings, strict=True):
        sibling.write_text(to_yaml(blueprint, header))
    return FrozenFiles(targets, notes)
