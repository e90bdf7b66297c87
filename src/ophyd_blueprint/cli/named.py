"""Command-line paths that may instead name a blueprint or a shipped beamline.

``blueprint validate SimDetector`` or ``blueprint stubs demo -o demo.py``: an
argument that is no existing path but the name of a blueprint (in the folders
given with ``-b``, then the shipped ones) or of a shipped beamline stands for
its file. An existing path always wins over a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["NotFoundError", "files_of"]


class NotFoundError(Exception):
    """An argument that is neither an existing path nor a known name.

    One that could be a name (no folder, no ``.yaml``) gets the closest name.
    """

    def __init__(self, argument: Path, suggestion: str | None) -> None:
        self.argument = argument
        self.suggestion = suggestion
        if _could_be_a_name(argument):
            text = f"no such file or directory, nor blueprint or beamline: {argument}"
            super().__init__(text + (f"; {suggestion}" if suggestion else ""))
        else:
            super().__init__(f"no such file or directory: {argument}")


def _could_be_a_name(argument: Path) -> bool:
    return len(argument.parts) == 1 and argument.suffix not in (".yaml", ".yml")


def files_of(
    arguments: Sequence[Path], search_paths: Iterable[Path] = ()
) -> list[Path]:
    """`arguments`, each name replaced by its file; NotFoundError on the first
    that is neither a path nor a name."""
    from ophyd_blueprint.blueprint.shipped import named_file, suggest_name

    folders = list(search_paths)
    found: list[Path] = []
    for argument in arguments:
        if argument.exists():
            found.append(argument)
            continue
        path = named_file(str(argument), folders)
        if path is None:
            raise NotFoundError(argument, suggest_name(str(argument), folders))
        found.append(path)
    return found
