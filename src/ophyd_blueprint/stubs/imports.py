"""The imports a generated module needs, gathered while it is described.

Imports are written so that they sort the same way whether ``ophyd_blueprint``
is first- or third-party to the project linting them: the standard library
and ``ophyd_blueprint`` at the top (imported at run time), other packages
(numpy, bluesky) alone under ``if TYPE_CHECKING:`` (used by annotations only).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ImportSection", "Imports", "Section"]

PACKAGE = "ophyd_blueprint"
_ALIASES = {"numpy": "np"}
"""Modules imported whole, under their conventional alias."""

Section = Literal["future", "stdlib", "package", "other"]


@dataclass(frozen=True)
class ImportSection:
    """The sorted ``import m as a`` and ``from m import names`` of one section."""

    modules: list[tuple[str, str]]
    """``(module, alias)`` pairs."""
    names: list[tuple[str, list[str]]]
    """``(module, names)`` pairs."""


@dataclass
class Imports:
    """Names used by a generated module, by the module they come from."""

    names: dict[str, set[str]] = field(default_factory=dict[str, set[str]])
    modules: set[str] = field(default_factory=set[str])

    def name(self, module: str, name: str) -> str:
        """Import ``name`` from ``module``; returns how code refers to it."""
        if module != "builtins":
            self.names.setdefault(module, set()).add(name)
        return name

    def module(self, module: str) -> str:
        """Import ``module`` whole; returns its alias (``np`` for numpy)."""
        self.modules.add(module)
        return _ALIASES.get(module, module)

    def bound(self) -> set[str]:
        """Every name the imports bind in the generated module."""
        aliases = {_ALIASES.get(m, m.partition(".")[0]) for m in self.modules}
        return aliases.union(*self.names.values())

    def section(self, section: Section) -> ImportSection:
        """The imports of one section, sorted as ruff's isort sorts them."""
        return ImportSection(
            modules=[
                (m, _ALIASES.get(m, m))
                for m in sorted(self.modules)
                if _section_of(m) == section
            ],
            names=[
                (m, sorted(self.names[m], key=_name_order))
                for m in sorted(self.names)
                if _section_of(m) == section
            ],
        )


def _section_of(module: str) -> Section:
    top = module.partition(".")[0]
    if top == PACKAGE:
        return "package"
    if top == "__future__":
        return "future"
    if top in sys.stdlib_module_names:
        return "stdlib"
    return "other"


def _name_order(name: str) -> tuple[int, str, str]:
    """CONSTANTS, then Classes, then functions, as ruff orders them."""
    constant = name.isupper() and len(name) > 1
    kind = 0 if constant else 1 if name[:1].isupper() else 2
    return (kind, name.lower(), name)
