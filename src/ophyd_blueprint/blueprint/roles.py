"""What a logic class expects of the signals bound to its roles.

The logic registry (a runtime layer) declares its roles with :class:`RoleSpec`;
validation takes them as input, so this layer imports no runtime code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["LogicRoles", "RoleSpec"]


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
