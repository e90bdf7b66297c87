"""What a beamline connect found: per device, rolled up by server, then why.

Each failed signal is sorted into a kind (no answer, wrong type, other) and a
server (the Tango host of its source, or the EPICS protocol and the record
prefix of its PVs), so that one dead IOC reads as one line, not twelve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ophyd_blueprint.core import NoAnswerError, NotConnectedError

__all__ = ["ConnectionReport", "DeviceConnection", "SignalFailure"]

FailureKind = Literal["no answer", "wrong type", "error"]

_SOURCE = re.compile(r"[a-z][a-z0-9+]*://\S+?(?=:\s|\s|$)")
_TANGO_HOST = re.compile(r"tango://(?P<host>[^/\s]+)/")
_SILENT = (
    "did not connect within",
    "no answer within",
    "not found within",
    "Failed to connect to device",
    "timed out",
)


@dataclass(frozen=True)
class SignalFailure:
    """One signal that did not connect: where it points, what kind, the error."""

    path: str
    error: Exception
    kind: FailureKind
    source: str
    server: str

    @property
    def reason(self) -> str:
        """The error's text without the source it names (that is in `source`)."""
        if isinstance(self.error, NotConnectedError) and self.error.source:
            return self.error.reason
        text = str(self.error) or type(self.error).__name__
        if self.source and text.startswith(self.source + ":"):
            text = text[len(self.source) :].lstrip(": ")
        if self.kind == "wrong type" or not isinstance(self.error, NotConnectedError):
            text = f"{type(self.error).__name__}: {text}"
        return text


def _kind(error: Exception) -> FailureKind:
    if isinstance(error, TypeError):
        return "wrong type"
    text = str(error)
    if isinstance(error, NoAnswerError | TimeoutError) or any(
        s in text for s in _SILENT
    ):
        return "no answer"
    return "error"


def _server(source: str) -> str:
    """``tango 127.0.0.1:10000``, or ``ca DEMO:X.VAL`` (protocol and PV)."""
    tango = _TANGO_HOST.match(source)
    if tango:
        return f"tango {tango['host']}"
    scheme, _, pv = source.partition("://")
    return f"{scheme} {pv}" if scheme else "unknown"


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


def _failure(path: str, error: Exception) -> SignalFailure:
    if isinstance(error, NotConnectedError) and error.source:
        return SignalFailure(
            path, error, error.kind, error.source, _server(error.source)
        )
    match = _SOURCE.search(str(error))
    source = match[0] if match else ""
    return SignalFailure(path, error, _kind(error), source, _server(source))


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
        return [_failure(path, error) for path, error in self.failures().items()]

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
    """``dead.{setpoint, readback}: no answer within 2.0 s`` and the like."""
    by_reason: dict[str, list[SignalFailure]] = {}
    for failure in device.signal_failures():
        by_reason.setdefault(failure.reason, []).append(failure)
    lines: list[str] = []
    for reason, failures in by_reason.items():
        paths = [f.path for f in failures if f.path]
        if not paths:
            lines.append(f"{device.name}: {reason}")
            continue
        if len(failures) == 1:
            source = f" ({failures[0].source})" if failures[0].source else ""
            lines.append(f"{device.name}.{paths[0]}{source}: {reason}")
        else:
            lines.append(f"{device.name}.{{{', '.join(paths)}}}: {reason}")
    return lines
