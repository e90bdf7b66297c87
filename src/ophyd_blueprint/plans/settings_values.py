"""Values as a settings file holds them, and the file checked against devices.

A device's value becomes plain data (an enum its label, an array a list, a
table column -> list) to be saved and compared; a saved value becomes the
signal's datatype again through the same check a put makes, so a value that
does not fit is refused, with its line, before anything is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum
from typing import Any, cast

import numpy as np
from pydantic import BaseModel

from ophyd_blueprint.blueprint import BlueprintError, Problem
from ophyd_blueprint.blueprint.problems import did_you_mean
from ophyd_blueprint.blueprint.settings_file import SettingsFile
from ophyd_blueprint.core import SignalRW

from .settings_select import DeviceSettings

__all__ = ["checked_values", "coerce", "plain", "same"]


def plain(value: Any) -> Any:
    """`value` as YAML and JSON can hold it."""
    if isinstance(value, np.generic):
        value = cast(Any, value.item())
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, np.ndarray):
        return [plain(item) for item in cast(list[Any], value.tolist())]
    if isinstance(value, list | tuple):
        return [plain(item) for item in cast(list[Any], value)]
    if isinstance(value, BaseModel):  # a Table: column -> list
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    return value


def same(a: Any, b: Any) -> bool:
    """Whether two plain values are equal (NaN equals NaN; 1 equals 1.0)."""
    if isinstance(a, list) and isinstance(b, list):
        left, right = cast(list[Any], a), cast(list[Any], b)
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(a, dict) and isinstance(b, dict):
        left_map, right_map = cast(dict[str, Any], a), cast(dict[str, Any], b)
        return left_map.keys() == right_map.keys() and all(
            same(v, right_map[k]) for k, v in left_map.items()
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if _number(a) and _number(b):
        return _equal(a, b)
    return _same_type(a, b) and _equal(a, b)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _equal(a: Any, b: Any) -> bool:
    return bool(a == b)


def _same_type(a: Any, b: Any) -> bool:
    return type(a) is type(b)


def coerce(signal: SignalRW[Any], value: Any) -> Any:
    """`value` in `signal`'s datatype; TypeError or ValueError (saying why) if
    it does not fit."""
    spec = signal.backend.spec
    assert spec is not None, "a setting has a datatype"
    if spec.datatype is np.ndarray and isinstance(value, list):
        value = np.asarray(cast(list[Any], value))
    return spec.coerce(value)


def checked_values(
    settings: SettingsFile, devices: Mapping[str, DeviceSettings]
) -> dict[str, dict[str, Any]]:
    """The file's values for each of `devices` it names, in their signals'
    datatypes. BlueprintError (every problem, at its line) if the file names a
    signal that is not a setting of its device or a value that does not fit."""
    origin = settings.origin
    problems: list[Problem] = []
    values: dict[str, dict[str, Any]] = {}
    for name, saved in settings.devices.items():
        found = devices.get(name)
        if found is None:
            continue
        values[name] = {}
        for path, value in saved.items():
            at = ("devices", name, path)
            signal = found.settings.get(path)
            if signal is None:
                why = found.others.get(path)
                message = (
                    f"{name}.{path} is not a setting: {why}"
                    if why is not None
                    else f"{name} has no setting {path!r}"
                )
                hint = None if why else did_you_mean(path, found.settings)
                problems.append(origin.problem(message, *at, suggestion=hint, key=True))
                continue
            try:
                values[name][path] = coerce(signal, value)
            except (TypeError, ValueError) as error:  # numpy's casts raise ValueError
                problems.append(origin.problem(f"{name}.{path}: {error}", *at))
    if problems:
        raise BlueprintError(problems)
    return values
