"""What differs between saved settings and what the devices are set to now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .settings_restore import shown
from .settings_select import DeviceSettings
from .settings_values import plain, same

__all__ = ["SettingDifference", "SettingsDiff", "compare_settings"]


@dataclass(frozen=True)
class SettingDifference:
    """One setting whose saved value is not its value now."""

    device: str
    path: str
    saved: Any
    now: Any
    in_file: bool = True
    """False for a setting the device has that the file does not hold."""


@dataclass(frozen=True)
class SettingsDiff:
    """The settings of a file compared with the devices."""

    file: str
    compared: int
    differences: tuple[SettingDifference, ...]
    skipped: Mapping[str, str] = field(default_factory=dict[str, str])
    """Devices not compared -> why (they could not be reached)."""

    @property
    def same(self) -> bool:
        return not self.differences and not self.skipped

    def lines(self) -> list[str]:
        """A table of signal / saved / now, then what was not compared."""
        lines: list[str] = []
        if self.differences:
            rows = [("signal", "saved", "now")] + [
                (
                    f"{d.device}.{d.path}",
                    shown(d.saved) if d.in_file else "(not in the file)",
                    shown(d.now),
                )
                for d in self.differences
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(2)]
            lines += [
                f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows
            ]
        lines += [f"{name} not compared: {why}" for name, why in self.skipped.items()]
        differ = len(self.differences)
        lines.append(
            f"{self.file}: {differ} of {self.compared} settings differ"
            if differ
            else f"{self.file}: {self.compared} settings as saved"
        )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data."""
        return {
            "file": self.file,
            "same": self.same,
            "compared": self.compared,
            "differences": [
                {
                    "device": d.device,
                    "signal": d.path,
                    "saved": d.saved if d.in_file else None,
                    "now": d.now,
                    "in_file": d.in_file,
                }
                for d in self.differences
            ],
            "skipped": dict(self.skipped),
        }


def compare_settings(
    file: str,
    found: Mapping[str, DeviceSettings],
    saved: Mapping[str, Mapping[str, Any]],
    now: Mapping[str, Mapping[str, Any]],
    skipped: Mapping[str, str],
) -> SettingsDiff:
    """Compare `saved` (device -> path -> value in the signal's datatype) with
    `now` (plain values) for every device of `saved` that was read."""
    differences: list[SettingDifference] = []
    compared = 0
    for name, values in saved.items():
        if name not in now:
            continue
        current = now[name]
        for path in found[name].settings:
            compared += 1
            if path not in values:
                differences.append(
                    SettingDifference(name, path, None, current[path], in_file=False)
                )
            elif not same(value := plain(values[path]), current[path]):
                differences.append(SettingDifference(name, path, value, current[path]))
    return SettingsDiff(file, compared, tuple(differences), dict(skipped))
