"""What a beamline connect found: per device, rolled up by server, then why.

Each failed signal is sorted into a kind (no answer, wrong type, other) and a
server (the Tango host of its source, or the EPICS protocol and the record
prefix of its PVs), so that one dead IOC reads as one line, not twelve. Every
fact comes from the error's attributes (`NotConnectedError.source`, `.kind`,
`.origin`); no message is parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ophyd_blueprint.core import (
    FailureKind,
    LogicNotBoundError,
    NotConnectedError,
    split_uri,
)

__all__ = ["ConnectionReport", "DeviceConnection", "SignalFailure"]


@dataclass(frozen=True)
class SignalFailure:
    """One signal that did not connect: where it points, what kind, the error."""

    path: str
    error: Exception

    @property
    def kind(self) -> FailureKind:
        error = self.error
        if isinstance(error, NotConnectedError):
            return error.kind
        return "no answer" if isinstance(error, TimeoutError) else "error"

    @property
    def source(self) -> str:
        """The URI that failed, when the error says."""
        return self.error.source if isinstance(self.error, NotConnectedError) else ""

    @property
    def origin(self) -> str:
        """``file:line:col`` where the signal was declared, when known."""
        return self.error.origin if isinstance(self.error, NotConnectedError) else ""

    @property
    def server(self) -> str:
        """``tango 127.0.0.1:10000``, or ``ca DEMO:X.VAL`` (protocol and PV)."""
        if not self.source:
            return "unknown"
        try:
            scheme, rest = split_uri(self.source)
        except ValueError:  # a node without a URI, named instead
            return "unknown"
        if scheme == "tango":
            return f"tango {rest.partition('/')[0]}"
        return f"{scheme} {rest}"

    @property
    def reason(self) -> str:
        """The error's text without its source and origin."""
        if isinstance(self.error, NotConnectedError):
            return self.error.reason
        return _foreign(self.error)

    @property
    def message(self) -> str:
        """The error's text with its source, without its origin."""
        if isinstance(self.error, NotConnectedError):
            return self.error.message
        return _foreign(self.error)


def _foreign(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _roll_up(servers: Iterable[str]) -> str:
    """The servers of one device's failures as one name: a Tango host, or the
    protocol and the PV prefix they share (``ca NOBODY:M`` for its 10 PVs)."""
    names = sorted(set(servers))
    if len(names) <= 1:
        return names[0] if names else "unknown"
    schemes = {n.split(" ", 1)[0] for n in names}
    if len(schemes) > 1 or "tango" in schemes:
        return ", ".join(names)
    first, last = names[0], names[-1]  # sorted: their shared start is everyone's
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    shared = first[:size].rstrip(".:-_")
    return shared if " " in shared and not shared.endswith(" ") else ", ".join(names)


_KIND_WORDS: dict[FailureKind, str] = {
    "no answer": "did not answer",
    "wrong type": "have the wrong type",
    "error": "other errors",
}


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

    def signal_failures(self) -> list[SignalFailure]:
        """Each failed signal with its kind and server."""
        return [SignalFailure(path, error) for path, error in self.failures().items()]

    @property
    def server(self) -> str:
        """Where the failed signals point (one IOC prefix or Tango host)."""
        return _roll_up(f.server for f in self.signal_failures())

    def summary(self) -> str:
        """One line: connected, or how many failed and of what kind."""
        if self.error is None:
            mode = ", mock" if self.mock else ""
            return f"{self.name}: connected ({self.signals} signals{mode})"
        failed = self.signal_failures()
        unbound = sum(isinstance(f.error, LogicNotBoundError) for f in failed)
        if failed and unbound == len(failed):  # signals answered, logic did not fit
            entries = "entry" if unbound == 1 else "entries"
            return (
                f"{self.name}: {unbound} logic {entries} could not be bound to "
                f"what it has ({self.signals} signals)"
            )
        kinds: dict[FailureKind, int] = {
            k: sum(f.kind == k for f in failed) for k in _KIND_WORDS
        }
        total = max(self.signals, len(failed))
        if kinds["no answer"] == len(failed) == total:
            tango = self.server.startswith("tango ")
            what, where = ("signals", "Tango server") if tango else ("PVs", "IOC")
            return (
                f"{self.name}: {len(failed)} of {total} {what} did not answer "
                f"({where} down?)"
            )
        if kinds["error"] == len(failed):  # one kind, said under "why:"
            return f"{self.name}: {len(failed)} of {total} signals failed"
        parts = [f"{n} {_KIND_WORDS[k]}" for k, n in kinds.items() if n]
        return f"{self.name}: {len(failed)} of {total} signals failed: " + ", ".join(
            parts
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: name, connected, signals, mock, summary, failures."""
        return {
            "name": self.name,
            "connected": self.connected,
            "mock": self.mock,
            "signals": self.signals,
            "summary": self.summary(),
            "failures": [
                {
                    "signal": f.path,
                    "kind": f.kind,
                    "source": f.source,
                    "server": f.server,
                    "origin": f.origin,
                    "error": f.reason,
                }
                for f in self.signal_failures()
            ],
        }


@dataclass(frozen=True)
class ConnectionReport:
    """Every device of a beamline, connected or not, and why.

    ``str(report)`` reads top-down: one line per device, then the failures
    rolled up by server (IOC record prefix or Tango host), then the reasons,
    with signals that failed for the same reason folded onto one line.
    """

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
        """Failed devices grouped by where they point: ``tango host:port``, or
        ``ca``/``pva`` and the record prefix of their PVs."""
        groups: dict[str, list[str]] = {}
        for name, device in self.devices.items():
            if not device.connected:
                groups.setdefault(device.server, []).append(name)
        return groups

    def headline(self) -> str:
        total = len(self.devices)
        text = f"{len(self.connected)} of {total} devices connected"
        return text if self.ok else f"{text}; failed: {', '.join(self.failed)}"

    def __str__(self) -> str:
        lines = [self.headline()]
        lines += [f"  {d.summary()}" for d in self.devices.values()]
        servers = self.by_server()
        if servers:
            lines.append("by server:")
        for server, names in servers.items():
            summaries = [self.devices[n].summary() for n in names]
            lines.append(f"  {server}: " + "; ".join(summaries))
        if not self.ok:
            lines.append("why:")
        for device in self.devices.values():
            lines += [f"    {line}" for line in _folded(device)]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ok, connected, failed, by_server, devices."""
        return {
            "ok": self.ok,
            "connected": self.connected,
            "failed": self.failed,
            "by_server": self.by_server(),
            "devices": {n: d.as_dict() for n, d in self.devices.items()},
        }


def _folded(device: DeviceConnection) -> list[str]:
    """One line per failure, ``file:line:col: dev.signal: source reason`` when
    the signal's declaration is known; failures with the same reason (a dead
    IOC's ten PVs) fold onto one: ``dead.{setpoint, readback}: no answer ...``.
    Type mismatches never fold: each names its own declaration to fix."""
    groups: dict[object, list[SignalFailure]] = {}
    for failure in device.signal_failures():
        key = failure if failure.kind == "wrong type" else failure.reason
        groups.setdefault(key, []).append(failure)
    lines: list[str] = []
    for failures in groups.values():
        if len(failures) == 1:
            lines.append(_line(device.name, failures[0]))
        else:
            paths = ", ".join(f.path for f in failures)
            lines.append(f"{device.name}.{{{paths}}}: {failures[0].reason}")
    return lines


def _line(device: str, failure: SignalFailure) -> str:
    where = f"{device}.{failure.path}" if failure.path else device
    text = f"{where}: {failure.message}"
    return f"{failure.origin}: {text}" if failure.origin else text
