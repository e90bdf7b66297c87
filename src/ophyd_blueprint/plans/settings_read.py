"""Read what the settings of devices are now, all at once, as plain values."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from .settings_select import DeviceSettings
from .settings_values import plain

__all__ = ["SettingsReadError", "read_settings"]


class SettingsReadError(Exception):
    """Settings of some devices could not be read (the devices are named)."""

    def __init__(self, failures: Mapping[str, str]) -> None:
        self.failures = dict(failures)
        """Device name -> why its settings could not be read."""
        lines = [f"{name}: {why}" for name, why in self.failures.items()]
        super().__init__("\n".join(lines))


async def read_settings(
    devices: Mapping[str, DeviceSettings],
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every setting's value now, by device and path, and the devices that
    could not be read (-> why: the first failure, and how many failed)."""
    names = list(devices)
    results = await asyncio.gather(*(_read(devices[n]) for n in names))
    values: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, str):
            failed[name] = result
        else:
            values[name] = result
    return values, failed


async def _read(found: DeviceSettings) -> dict[str, Any] | str:
    paths = list(found.settings)
    results = await asyncio.gather(
        *(found.settings[p].get_value() for p in paths), return_exceptions=True
    )
    values: dict[str, Any] = {}
    errors: dict[str, BaseException] = {}
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            errors[path] = result
        else:
            values[path] = plain(result)
    if not errors:
        return values
    path, error = next(iter(errors.items()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path} could not be read: {error}{more}"
