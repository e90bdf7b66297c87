"""Logic classes by name, from the entry-point group ``ophyd_blueprint.logic``.

Only registered names can be used, so loading a YAML file never imports a
module that its author did not register; and a registered class is imported
only when a blueprint names it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import entry_points

from ophyd_blueprint.roles import LogicRoles, RoleSpec

from .base import Logic

__all__ = [
    "ENTRY_POINT_GROUP",
    "UnknownLogicError",
    "get_logic",
    "logic_names",
    "logic_roles",
]

ENTRY_POINT_GROUP = "ophyd_blueprint.logic"

_loaded: dict[str, type[Logic]] = {}


class UnknownLogicError(LookupError):
    """A logic name that no installed package registers."""


def logic_names() -> list[str]:
    """Every registered logic name, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def get_logic(name: str) -> type[Logic]:
    """The logic class registered as `name`, imported on first use."""
    if name in _loaded:
        return _loaded[name]
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        raise UnknownLogicError(
            f"no logic class is registered as {name!r}; registered: "
            f"{', '.join(logic_names()) or 'none'}"
        )
    loaded = next(iter(found)).load()
    if not (isinstance(loaded, type) and issubclass(loaded, Logic)):
        raise TypeError(f"entry point {name!r} gives {loaded!r}, not a Logic class")
    _loaded[name] = loaded
    return loaded


def logic_roles() -> LogicRoles:
    """Roles of every registered logic class, for validation before connecting.

    A class is imported when its roles are first looked up, not before.
    """
    return _RegisteredRoles(logic_names())


class _RegisteredRoles(Mapping[str, Sequence[RoleSpec]]):
    """Logic name -> roles, for the names registered when it was made."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = names

    def __getitem__(self, name: str) -> Sequence[RoleSpec]:
        if name not in self._names:
            raise KeyError(name)
        return get_logic(name).roles

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def params_of(self, name: str) -> Mapping[str, type]:
        return get_logic(name).params

    def doc_of(self, name: str) -> str:
        doc = inspect.getdoc(get_logic(name)) or ""
        return " ".join(doc.split("\n\n", 1)[0].split())
