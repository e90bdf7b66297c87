"""What the queueserver worker's namespace holds: the beamline's devices, by
their names, and the plans of `bluesky.plans` and `ophyd_blueprint.plans`."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from ophyd_blueprint.beamline import LoadedBeamline

__all__ = ["PLAN_MODULES", "NameClashError", "beamline_namespace", "plans"]

PLAN_MODULES = ("bluesky.plans", "ophyd_blueprint.plans")
"""Where the plans a served beamline offers come from."""


class NameClashError(ValueError):
    """A device of the beamline has the name of a plan, so one would hide the other."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"device name(s) {', '.join(names)} are also plan names in "
            f"{' or '.join(PLAN_MODULES)}: rename the device(s) in the beamline file"
        )
        self.names = names


def plans() -> dict[str, object]:
    """Every public plan of `PLAN_MODULES`, by name."""
    bluesky_utils: Any = importlib.import_module("bluesky.utils")  # is_plan: untyped
    found: dict[str, object] = {}
    for module_name in PLAN_MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if not name.startswith("_") and bluesky_utils.is_plan(value):
                found[name] = value
    return found


def beamline_namespace(beamline: LoadedBeamline) -> dict[str, object]:
    """The devices of `beamline` and the `plans`, by name (names must not clash)."""
    offered = plans()
    devices: Mapping[str, object] = beamline.devices
    clashes = sorted(set(devices) & set(offered))
    if clashes:
        raise NameClashError(clashes)
    return {**offered, **devices}
