"""Write saved settings back, stage by stage, and say exactly what happened.

Devices are restored in parallel; within one, each stage's writes go in
parallel and wait for completion before the next stage starts. A failed write
stops that device: the rest of its settings are not written. Every written
setting is then read back, so nothing is reported as restored that does not
read back as saved (a server may clip a value instead of refusing it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ophyd_blueprint.core import DEFAULT_TIMEOUT, SignalRW

from .settings_select import DeviceSettings
from .settings_values import plain, same

__all__ = [
    "Outcome",
    "RestoreReport",
    "SettingResult",
    "SettingsNotRestoredError",
    "restore_device",
    "shown",
]

REREAD = 0.05
"""Seconds between two reads of a setting that does not yet read back as saved."""

Outcome = Literal["restored", "differs", "failed", "not written"]
"""``restored``: written and reads back as saved; ``differs``: written, but
reads back otherwise; ``failed``: the write failed; ``not written``: not tried,
because a write before it failed."""


@dataclass(frozen=True)
class SettingResult:
    """What happened to one saved setting."""

    device: str
    path: str
    saved: Any
    outcome: Outcome
    detail: str = ""
    """Why it failed, what it reads back, or why it was not written."""

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.device}.{self.path} {self.outcome}{detail}"


@dataclass(frozen=True)
class RestoreReport:
    """The outcome of every setting of a file, and the devices left alone."""

    file: str
    results: tuple[SettingResult, ...]
    skipped: Mapping[str, str] = field(default_factory=dict[str, str])
    """Devices not restored at all -> why (they could not be reached)."""

    @property
    def ok(self) -> bool:
        """Whether every setting of the file was restored."""
        return not self.skipped and all(r.outcome == "restored" for r in self.results)

    @property
    def restored(self) -> list[SettingResult]:
        return [r for r in self.results if r.outcome == "restored"]

    @property
    def not_restored(self) -> list[SettingResult]:
        return [r for r in self.results if r.outcome != "restored"]

    def lines(self) -> list[str]:
        """The report as text: what failed, what was not written, a summary."""
        devices = {r.device for r in self.results}
        lines = [str(r) for r in self.not_restored]
        lines += [f"{name} not restored: {why}" for name, why in self.skipped.items()]
        lines.append(
            f"restored {len(self.restored)} of {len(self.results)} settings of "
            f"{len(devices)} device{'' if len(devices) == 1 else 's'} from {self.file}"
        )
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "file": self.file,
            "ok": self.ok,
            "results": [
                {
                    "device": r.device,
                    "signal": r.path,
                    "saved": r.saved,
                    "outcome": r.outcome,
                    "detail": r.detail,
                }
                for r in self.results
            ],
            "skipped": dict(self.skipped),
        }


class SettingsNotRestoredError(Exception):
    """A restore that did not restore everything; `report` says what it did."""

    def __init__(self, report: RestoreReport) -> None:
        self.report = report
        super().__init__(str(report))


def shown(value: Any, width: int = 40) -> str:
    """A plain value in one short line, as JSON writes it."""
    text = json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


async def restore_device(
    found: DeviceSettings,
    values: Mapping[str, Any],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    verify_timeout: float = 2.0,
) -> list[SettingResult]:
    """Write `values` (path -> value in the signal's datatype) in `found`'s
    stages; each result in stage order."""
    results: dict[str, SettingResult] = {}
    written: list[str] = []
    failed: list[str] = []
    for stage in found.stages:
        paths = [path for path in stage if path in values]
        if failed:
            why = f"the restore of {found.name} stopped when {failed[0]} failed"
            for path in paths:
                results[path] = _result(found, path, values, "not written", why)
            continue
        errors = await asyncio.gather(
            *(_write(found.settings[p], values[p], timeout) for p in paths)
        )
        for path, error in zip(paths, errors, strict=True):
            if error is None:
                written.append(path)
            else:
                failed.append(path)
                results[path] = _result(found, path, values, "failed", error)
    readbacks = await asyncio.gather(
        *(
            _reads_back(found.settings[p], plain(values[p]), verify_timeout)
            for p in written
        )
    )
    for path, wrong in zip(written, readbacks, strict=True):
        outcome: Outcome = "restored" if wrong is None else "differs"
        results[path] = _result(found, path, values, outcome, wrong or "")
    return [results[p] for stage in found.stages for p in stage if p in results]


def _result(
    found: DeviceSettings,
    path: str,
    values: Mapping[str, Any],
    outcome: Outcome,
    detail: str,
) -> SettingResult:
    return SettingResult(found.name, path, plain(values[path]), outcome, detail)


async def _write(signal: SignalRW[Any], value: Any, timeout: float) -> str | None:
    """None once written; else why not."""
    try:
        await signal.set(value, wait=True, timeout=timeout)
    except Exception as error:
        return str(error) or type(error).__name__
    return None


async def _reads_back(
    signal: SignalRW[Any], expected: Any, timeout: float
) -> str | None:
    """None once `signal` reads `expected`; else what it reads back. A value
    that does not match at once, or a read that fails, is read again, from
    the server, every `REREAD` s for `timeout`: a readback may follow its
    setpoint a little later, a server may change a value without telling its
    monitors (pandablocks-ioc's records of fields changed on the PandA, as
    when a field's new units changed its value), and a table read while its
    server updates it may come with columns of different lengths."""
    last: str | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                try:
                    value = plain(await signal.get_value(cached=False))
                except Exception as error:
                    last = f"written, but reading it back failed: {error}"
                else:
                    if same(value, expected):
                        return None
                    last = f"written, but it reads back {shown(value)}"
                await asyncio.sleep(REREAD)
    except TimeoutError:
        return last or f"written, but it gave no value within {timeout} s"
