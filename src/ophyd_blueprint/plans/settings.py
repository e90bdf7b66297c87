"""Save, compare and restore device settings.

Coroutines for the command line (`snapshot`, `check_settings`, then
`CheckedSettings.diff` or `.restore`) and the plans that run them in a
RunEngine (`save_settings`, `apply_settings`). Everything the file says is
checked before anything is written.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import socket
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bluesky.utils import Msg

from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.blueprint import BlueprintError, Problem
from ophyd_blueprint.blueprint.problems import did_you_mean
from ophyd_blueprint.blueprint.settings_file import (
    SETTINGS_SCHEMA,
    SettingsFile,
    dump_settings,
    load_settings,
)
from ophyd_blueprint.core import DEFAULT_TIMEOUT, Device

from .settings_diff import SettingsDiff, compare_settings
from .settings_read import SettingsReadError, read_settings
from .settings_restore import RestoreReport, SettingsNotRestoredError, restore_device
from .settings_select import DeviceSettings, device_settings
from .settings_values import checked_values

__all__ = [
    "CheckedSettings",
    "Devices",
    "apply_settings",
    "check_settings",
    "find_settings",
    "save_settings",
    "snapshot",
    "write_settings_file",
]

T = TypeVar("T")

Devices = LoadedBeamline | Iterable[Device]
"""A whole beamline, or some devices (each known by its name)."""


async def find_settings(
    devices: Mapping[str, Device], timeout: float = DEFAULT_TIMEOUT
) -> dict[str, DeviceSettings]:
    """The settings of each device, and the order to write them in."""
    found = await asyncio.gather(
        *(device_settings(device, timeout) for device in devices.values())
    )
    return dict(zip(devices, found, strict=True))


async def snapshot(
    devices: Mapping[str, Device],
    *,
    beamline: str,
    beamline_file: str | None = None,
    partial: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[SettingsFile, dict[str, str]]:
    """The settings of `devices` now, and the devices left out -> why.

    A device whose settings cannot be read raises SettingsReadError (all of
    them named) unless `partial`, which leaves it out of the file.
    """
    found = await find_settings(devices, timeout)
    now, failed = await read_settings(found)
    if failed and not partial:
        raise SettingsReadError(failed)
    settings = SettingsFile(
        settings=beamline,
        saved_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        host=socket.gethostname(),
        user=_user(),
        beamline_file=beamline_file,
        devices={name: now[name] for name in devices if name in now},
    )
    return settings, failed


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return None


def write_settings_file(settings: SettingsFile, path: str | Path) -> Path:
    """Write `settings` to `path`, with the editor's ``$schema`` line when the
    repository's ``schemas/`` is found above `path` or this package."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    schema = _find_schema(target.parent)
    relative = (
        None
        if schema is None
        else Path(os.path.relpath(schema, target.parent.resolve())).as_posix()
    )
    target.write_text(dump_settings(settings, relative), encoding="utf-8")
    return target


def _find_schema(start: Path) -> Path | None:
    package_root = Path(__file__).resolve().parents[3]
    for directory in (start.resolve(), *start.resolve().parents, package_root):
        candidate = directory / "schemas" / SETTINGS_SCHEMA
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class CheckedSettings:
    """A settings file checked against devices: nothing in it is refused."""

    file: str
    found: Mapping[str, DeviceSettings]
    """Device -> its settings and their order, for each device restored."""
    saved: Mapping[str, Mapping[str, Any]]
    """Device -> path -> saved value, in the signal's datatype."""
    now: Mapping[str, Mapping[str, Any]]
    """Device -> path -> plain value before anything was written."""
    skipped: Mapping[str, str]
    """Devices of the file that could not be reached -> why."""

    def diff(self) -> SettingsDiff:
        """What differs between the file and the devices."""
        return compare_settings(
            self.file, self.found, self.saved, self.now, self.skipped
        )

    async def restore(
        self, timeout: float = DEFAULT_TIMEOUT, verify_timeout: float = 2.0
    ) -> RestoreReport:
        """Write every saved setting, in order, and read each back."""
        names = [name for name in self.saved if name in self.now]
        results = await asyncio.gather(
            *(
                restore_device(
                    self.found[n],
                    self.saved[n],
                    timeout=timeout,
                    verify_timeout=verify_timeout,
                )
                for n in names
            )
        )
        flat = tuple(result for device in results for result in device)
        return RestoreReport(self.file, flat, dict(self.skipped))


async def check_settings(
    settings: SettingsFile,
    devices: Mapping[str, Device],
    *,
    whole: bool = True,
    unreachable: Mapping[str, str] | None = None,
    partial: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> CheckedSettings:
    """Check `settings` against `devices` and read what they are set to now.

    `whole`: `devices` are a whole beamline, so a device of the file that is
    not among them is refused; otherwise they are a choice, and each must be
    in the file. BlueprintError (every problem, with the file's line) for
    that, a signal that is not a setting, or a value that does not fit.
    Devices in `unreachable` (-> why), or whose settings cannot be read, raise
    SettingsReadError unless `partial`, which leaves them out.
    """
    origin = settings.origin
    problems: list[Problem] = []
    if whole:
        for name in settings.devices:
            if name not in devices:
                hint = did_you_mean(name, devices)
                message = f"there is no device {name!r} to restore"
                problems.append(
                    origin.problem(message, "devices", name, suggestion=hint, key=True)
                )
    else:
        for name in devices:
            if name not in settings.devices:
                problems.append(origin.problem(f"no settings are saved for {name!r}"))
    away = dict(unreachable or {})
    names = [n for n in settings.devices if n in devices and n not in away]
    found = await find_settings({n: devices[n] for n in names}, timeout)
    try:
        saved = checked_values(settings, found)
    except BlueprintError as error:
        raise BlueprintError([*problems, *error.problems]) from None
    if problems:
        raise BlueprintError(problems)
    now, failed = await read_settings(found)
    failures = {**away, **failed}
    skipped = {n: failures[n] for n in settings.devices if n in failures}
    if skipped and not partial:
        raise SettingsReadError(skipped)
    return CheckedSettings(origin.file, found, saved, now, skipped)


def _named(devices: Devices) -> tuple[dict[str, Device], bool]:
    """Devices by name, and whether they are a whole beamline."""
    if isinstance(devices, LoadedBeamline):
        return dict(devices.devices), True
    named: dict[str, Device] = {}
    for device in devices:
        if not device.name:
            raise ValueError(f"{device!r} has no name: settings are saved by name")
        if device.name in named:
            raise ValueError(f"two devices are called {device.name!r}")
        named[device.name] = device
    return named, False


def _awaited(factory: Callable[[], Awaitable[T]]) -> Generator[Msg, Any, T]:
    """Run `factory()` in the RunEngine's loop and return (or raise) its outcome."""
    outcome: list[T] = []
    errors: list[Exception] = []

    async def run() -> None:
        try:
            outcome.append(await factory())
        except Exception as error:
            errors.append(error)

    yield Msg("wait_for", None, [run])
    if errors:
        raise errors[0]
    return outcome[0]


def save_settings(
    devices: Devices, path: str | Path, *, timeout: float = DEFAULT_TIMEOUT
) -> Generator[Msg, Any, SettingsFile]:
    """Save the settings of connected `devices` (a beamline, or some of its
    devices: the file then names no beamline) to the YAML file `path`;
    returns what was saved.

    Raises SettingsReadError, naming each device that could not be read,
    and writes nothing then.
    """
    named, _ = _named(devices)
    beamline = devices.name if isinstance(devices, LoadedBeamline) else ""
    origin = devices.model.written_at if isinstance(devices, LoadedBeamline) else None
    beamline_file = None if origin is None else str(Path(origin.file).resolve())
    settings, _ = yield from _awaited(
        lambda: snapshot(
            named, beamline=beamline, beamline_file=beamline_file, timeout=timeout
        )
    )
    write_settings_file(settings, path)
    return settings


def apply_settings(
    path: str | Path,
    devices: Devices,
    *,
    partial: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    verify_timeout: float = 2.0,
) -> Generator[Msg, Any, RestoreReport]:
    """Restore the settings saved in `path` to connected `devices` (a whole
    beamline, or the devices to restore, each of which the file must hold).

    Refuses before writing anything (BlueprintError with the file's lines) a
    file naming a device or signal that is not there, or a value of the wrong
    type; SettingsReadError names devices that cannot be read (with
    `partial`, the others are restored and the report lists them). Raises
    SettingsNotRestoredError, with the report, when a write failed or a
    setting does not read back as saved; returns the report.
    """
    settings = load_settings(path)
    named, whole = _named(devices)
    checked = yield from _awaited(
        lambda: check_settings(
            settings, named, whole=whole, partial=partial, timeout=timeout
        )
    )
    report = yield from _awaited(lambda: checked.restore(timeout, verify_timeout))
    if report.not_restored:
        raise SettingsNotRestoredError(report)
    return report
