"""What a beamline connect found: per device, rolled up by server."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ophyd_blueprint.core import NotConnectedError

__all__ = ["ConnectionReport", "DeviceConnection"]

_TANGO_HOST = re.compile(r"tango://([^/]+)/")
_TIMED_OUT = "did not connect within"


@dataclass(frozen=True)
class DeviceConnection:
    """One device's outcome: connected, or the error tree saying why not."""

    name: str
    signals: int
    error: Exception | None = None
    mock: bool = False

    @property
    def connected(self) -> bool:
        return self.error is None

    def failures(self) -> dict[str, Exception]:
        """``signal.path -> error`` of each signal that failed."""
        if self.error is None:
            return {}
        if isinstance(self.error, NotConnectedError):
            return self.error.leaves()
        return {"": self.error}

    def summary(self) -> str:
        if self.error is None:
            mode = ", mock" if self.mock else ""
            return f"{self.name}: connected ({self.signals} signals{mode})"
        failed = self.failures()
        silent = sum(_TIMED_OUT in str(e) for e in failed.values())
        text = f"{self.name}: {len(failed)} of {self.signals} signals failed"
        if silent == len(failed) == self.signals:
            text = (
                f"{self.name}: {silent} of {self.signals} PVs did not answer "
                "(IOC down?)"
            )
        elif silent:
            text += f", {silent} did not answer"
        return text


@dataclass(frozen=True)
class ConnectionReport:
    """Every device of a beamline, connected or not, and why."""

    devices: Mapping[str, DeviceConnection] = field(
        default_factory=dict[str, DeviceConnection]
    )

    @property
    def ok(self) -> bool:
        return all(d.connected for d in self.devices.values())

    @property
    def connected(self) -> list[str]:
        return [n for n, d in self.devices.items() if d.connected]

    @property
    def failed(self) -> list[str]:
        return [n for n, d in self.devices.items() if not d.connected]

    def by_server(self) -> dict[str, list[str]]:
        """Failed devices grouped by Tango host (``host:port``) or ``EPICS``."""
        groups: dict[str, list[str]] = {}
        for name, device in self.devices.items():
            for error in device.failures().values():
                match = _TANGO_HOST.search(str(error))
                server = f"tango {match[1]}" if match else "EPICS"
                if name not in groups.setdefault(server, []):
                    groups[server].append(name)
        return groups

    def __str__(self) -> str:
        lines = [d.summary() for d in self.devices.values()]
        for server, names in self.by_server().items():
            lines.append(f"{server}: {len(names)} device(s) failed: {', '.join(names)}")
        for device in self.devices.values():
            for path, error in device.failures().items():
                lines.append(
                    f"    {device.name}.{path}: {error}"
                    if path
                    else f"    {device.name}: {error}"
                )
        return "\n".join(lines)
