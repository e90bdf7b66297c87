"""The two files the RE Manager reads at start: which plans and devices exist
(``existing_plans_and_devices.yaml``) and which users may use
(``user_group_permissions.yaml``), written from a served beamline's namespace.

The worker rewrites the first each time its environment opens (then with the
devices connected); the one written here lets clients queue plans before that.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = [
    "EXISTING_FILE",
    "PERMISSIONS_FILE",
    "WORKER_FUNCTIONS",
    "user_group_permissions",
    "write_existing_plans_and_devices",
    "write_user_group_permissions",
]

EXISTING_FILE = "existing_plans_and_devices.yaml"
PERMISSIONS_FILE = "user_group_permissions.yaml"
WORKER_FUNCTIONS = ("connection_report",)
"""Functions of the worker's namespace that clients may run (function_execute)."""

_PRIVATE = ":^_"


def user_group_permissions(
    devices: Iterable[str], plans: Iterable[str]
) -> dict[str, Any]:
    """Group ``primary`` (the API's default) may use exactly these plans, these
    devices with their children, and `WORKER_FUNCTIONS`; ``root`` (which the
    queueserver requires) filters out private names."""
    return {
        "user_groups": {
            "root": {
                "allowed_plans": [None],
                "forbidden_plans": [_PRIVATE],
                "allowed_devices": [None],
                "forbidden_devices": [f"{_PRIVATE}:?.*"],
                "allowed_functions": [None],
                "forbidden_functions": [_PRIVATE],
            },
            "primary": {
                "allowed_plans": sorted(plans),
                "forbidden_plans": [None],
                "allowed_devices": [f":^{name}$:?.*" for name in sorted(devices)],
                "forbidden_devices": [None],
                "allowed_functions": list(WORKER_FUNCTIONS),
                "forbidden_functions": [None],
            },
        }
    }


def write_user_group_permissions(
    directory: Path, devices: Iterable[str], plans: Iterable[str]
) -> Path:
    """Write `user_group_permissions` as YAML into `directory`; its path."""
    path = directory / PERMISSIONS_FILE
    yaml: Any = YAML(typ="safe", pure=True)  # ruamel's dump is untyped
    yaml.default_flow_style = False
    text = io.StringIO()
    yaml.dump(user_group_permissions(devices, plans), text)
    path.write_text(
        "# Written by `blueprint serve`: the served beamline's devices and plans.\n"
        + text.getvalue()
    )
    return path


def write_existing_plans_and_devices(
    directory: Path, namespace: Mapping[str, object]
) -> Path:
    """Describe the plans and devices of `namespace` as the queueserver does
    (parameters; readable, movable, flyable; children) into `directory`."""
    # the queueserver ships no type information
    profile_ops: Any = importlib.import_module(
        "bluesky_queueserver.manager.profile_ops"
    )
    existing_plans, existing_devices, _, _ = (
        profile_ops.existing_plans_and_devices_from_nspace(nspace=dict(namespace))
    )
    profile_ops.save_existing_plans_and_devices(
        existing_plans=existing_plans,
        existing_devices=existing_devices,
        file_dir=str(directory),
        file_name=EXISTING_FILE,
        overwrite=True,
    )
    return directory / EXISTING_FILE
