"""After shape errors, a partial document, so meaning is checked too.

`blueprint validate` reports every mistake in one run. pydantic rejects a
whole file for one bad field, which would hide the file's other mistakes
(an unknown logic, a template name) until the first are fixed. So, like a
compiler recovering from a syntax error, the file is validated again without
what was wrong: an unknown key is dropped; any other bad field drops the
entry it belongs to (``signals.x``, ``logic.0``, ``devices.m``). The
semantic checks then run on what is left, and their problems that only
follow from a drop (those under the entry, or naming it) are left out. A
wrong top-level section (``signls:``) stops there: too much would follow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from .problems import Problem

__all__ = ["Partial", "recover", "without_follow_ons"]

_ENTRIES = frozenset({"signals", "params", "children", "logic", "devices"})
"""Top-level keys whose values are collections of named (or listed) entries."""

_ROUNDS = 4
"""Validation passes at most; each drops what the previous one rejected."""


@dataclass(frozen=True)
class Partial:
    """The data that validated once the rejected parts were dropped."""

    model: BaseModel
    dropped: frozenset[tuple[str | int, ...]]
    """Document paths of the entries dropped, or left without a key."""
    logic_index: tuple[int, ...]
    """For each `logic` entry kept, its index in the file."""

    def follows_from_a_drop(self, problem: Problem) -> bool:
        """Whether `problem` is under, or names, a dropped entry."""
        for path in self.dropped:
            dotted = ".".join(str(part) for part in path)
            if problem.where == dotted or problem.where.startswith(dotted + "."):
                return True
            named = len(path) == 2 and isinstance(path[1], str)
            if named and f"'{path[1]}'" in problem.message:
                return True
        return False


def recover(data: Any, model: type[BaseModel]) -> Partial | None:
    """`model` validated from `data` minus its rejected parts; None if hopeless."""
    if not isinstance(data, dict):
        return None
    original = cast(dict[str, Any], data)
    pruned = copy.deepcopy(original)
    logic: Any = pruned.get("logic")
    index = list(range(len(cast(list[Any], logic)))) if isinstance(logic, list) else []
    dropped: set[tuple[str | int, ...]] = set()
    for _ in range(_ROUNDS):
        try:
            model_ = model.model_validate(pruned)
        except ValidationError as error:
            losses = [
                _drop(pruned, index, tuple(detail["loc"]), detail["type"])
                for detail in error.errors()
            ]
            if any(path is None for path in losses):
                return None
            dropped.update(path for path in losses if path is not None)
            if isinstance(pruned.get("logic"), list):
                kept = [i for i, e in enumerate(pruned["logic"]) if e is not None]
                pruned["logic"] = [pruned["logic"][i] for i in kept]
                index = [index[i] for i in kept]
            continue
        return Partial(model_, frozenset(dropped), tuple(index))
    return None


def _drop(
    data: dict[str, Any],
    logic_index: list[int],
    loc: tuple[str | int, ...],
    kind: str,
) -> tuple[str | int, ...] | None:
    """Remove what `loc` rejects from `data`; the path removed (as in the
    file), None if nothing can be. Rejected `logic` entries become None, for
    the caller to take out once every error of the pass is handled."""
    if len(loc) == 0:
        return None
    in_file: tuple[str | int, ...] = loc
    if loc[0] == "logic" and len(loc) >= 2 and isinstance(loc[1], int):
        if not 0 <= loc[1] < len(logic_index):
            return None
        in_file = ("logic", logic_index[loc[1]], *loc[2:])
    if len(loc) == 1:
        return None  # a whole section is wrong: what follows would mislead
    if kind == "extra_forbidden":
        parent = _walk(data, loc[:-1])
        if isinstance(parent, dict):
            cast(dict[str | int, Any], parent).pop(loc[-1], None)
        # the entry stays, but what the unknown key meant to say is missing
        return in_file[:-1]
    top = loc[0]
    if top in _ENTRIES:
        container: Any = data.get(str(top))
        if isinstance(container, list) and isinstance(loc[1], int):
            cast(list[Any], container)[loc[1]] = None
            return in_file[:2]
        if isinstance(container, dict):
            cast(dict[str | int, Any], container).pop(loc[1], None)
            return in_file[:2]
        return None
    return None


def _walk(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path` in nested dicts and lists, or None."""
    node: Any = data
    for part in path:
        if isinstance(node, dict):
            mapping = cast(dict[str | int, Any], node)
            node = mapping.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            items = cast(list[Any], node)
            node = items[part] if 0 <= part < len(items) else None
        else:
            return None
    return node


def without_follow_ons(problems: list[Problem], partial: Partial) -> list[Problem]:
    """`problems` minus those that only follow from what `partial` dropped."""
    return [p for p in problems if not partial.follows_from_a_drop(p)]
