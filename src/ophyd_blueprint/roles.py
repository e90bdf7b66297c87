"""What a logic class expects of the signals bound to its roles.

Logic classes (a runtime layer) declare their roles with `RoleSpec`; the
blueprint language (pure data) checks a blueprint's bindings against them
before anything is built. Both import this module, which imports nothing of
ours: it is the bottom layer, so neither side imports across the layering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["LogicInfo", "LogicRoles", "RoleSpec"]


@dataclass(frozen=True)
class RoleSpec:
    """One role of a logic class, e.g. ``readback`` of ``motion.Motor``."""

    name: str
    access: frozenset[str]
    """Accesses a bound signal may have, e.g. ``frozenset({"r", "rw"})``."""
    dtypes: frozenset[str] | None = None
    """Dtypes a bound signal may have; None accepts any."""
    required: bool = True
    doc: str = ""


LogicRoles = Mapping[str, Sequence[RoleSpec]]
"""Logic name (``motion.Motor``) -> its roles."""


@runtime_checkable
class LogicInfo(Protocol):
    """A `LogicRoles` that also knows each class's ``with:`` parameters and
    what it does.

    The registry's mapping is one: checks given it also check the keys and
    types of every logic entry's ``with``, and schemas made with it describe
    each class's roles and parameters for editors.
    """

    def params_of(self, name: str) -> Mapping[str, type]:
        """Logic `name`'s parameters: name -> ``str``, ``int``, ``float``,
        ``bool`` or ``pathlib.Path`` (a file, written as a string)."""
        ...

    def doc_of(self, name: str) -> str:
        """What logic `name` does: the first paragraph of its class's doc."""
        ...
