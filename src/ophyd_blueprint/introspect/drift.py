"""Drift: how a frozen blueprint differs from the device as it is now.

Both sides are flattened to signal paths (``seq.1.enable``: children and
vector items by name and index) with their access, dtype, enum choices and
units; signals only in the live device are added, only in the file removed.
A live-typed signal (no dtype: its server's type at connect) matches any
dtype, choices and units; `Drift.live_typed` lists the signals compared
without them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field

from ophyd_blueprint.blueprint import Blueprint, resolve_extends, vector_indices

__all__ = ["Drift", "SignalFacts", "drift", "signal_facts"]


@dataclass(frozen=True)
class SignalFacts:
    """What drift compares of one signal."""

    access: str
    dtype: str | None
    choices: tuple[str, ...] | None
    units: str | None = None

    @property
    def live_typed(self) -> bool:
        """No dtype though it has a value: it takes its server's at connect."""
        return self.dtype is None and self.access != "x"


@dataclass(frozen=True)
class Drift:
    """Added, removed and changed signals: frozen file -> live device."""

    added: dict[str, SignalFacts] = field(default_factory=dict[str, SignalFacts])
    removed: dict[str, SignalFacts] = field(default_factory=dict[str, SignalFacts])
    changed: dict[str, dict[str, tuple[object, object]]] = field(
        default_factory=dict[str, dict[str, tuple[object, object]]]
    )
    """Path -> field -> (frozen, live)."""
    live_typed: tuple[str, ...] = ()
    """Paths on both sides whose dtype and choices were not compared: one side
    is live-typed, which matches any type."""

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: ``{"same", "added", "removed", "changed", "live_typed"}``."""
        return {
            "same": self.same,
            "live_typed": list(self.live_typed),
            "added": {p: asdict(f) for p, f in self.added.items()},
            "removed": {p: asdict(f) for p, f in self.removed.items()},
            "changed": {
                p: {k: {"frozen": a, "live": b} for k, (a, b) in fields.items()}
                for p, fields in self.changed.items()
            },
        }

    def lines(self) -> Iterator[str]:
        """One line per difference, ``+`` added, ``-`` removed, ``~`` changed."""
        for path, facts in self.added.items():
            yield f"+ {path}: {_describe(facts)}"
        for path, facts in self.removed.items():
            yield f"- {path}: {_describe(facts)}"
        for path, fields in self.changed.items():
            what = "; ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in fields.items())
            yield f"~ {path}: {what}"

    def note(self) -> str | None:
        """What was not compared, in a sentence; None if everything was."""
        count = len(self.live_typed)
        if not count:
            return None
        return (
            f"{count} signal(s) live-typed (no dtype: typed by the server at "
            "connect) match any dtype and choices; --type-live types live PVI "
            "signals from their PVs to compare them"
        )


def _describe(facts: SignalFacts) -> str:
    kind = "live-typed" if facts.live_typed else facts.dtype or "trigger"
    text = f"{kind}, access {facts.access}"
    return text + (f", choices {list(facts.choices)}" if facts.choices else "")


def signal_facts(
    root: Blueprint, library: Mapping[str, Blueprint]
) -> dict[str, SignalFacts]:
    """Every signal below `root` by dotted path (children found in `library`)."""
    facts: dict[str, SignalFacts] = {}
    _collect(root, library, "", facts, (root.name,))
    return facts


def _collect(
    blueprint: Blueprint,
    library: Mapping[str, Blueprint],
    path: str,
    facts: dict[str, SignalFacts],
    seen: tuple[str, ...],
) -> None:
    merged = resolve_extends(blueprint, library)
    for name, signal in merged.signals.items():
        choices = tuple(signal.choices) if signal.choices is not None else None
        facts[path + name] = SignalFacts(
            signal.access, signal.dtype, choices, signal.units
        )
    for name, child in merged.children.items():
        if child.blueprint is None or child.blueprint in seen:
            continue
        sub = library[child.blueprint]
        indices = vector_indices(child)
        for prefix in [f"{path}{name}.{i}." for i in indices] or [f"{path}{name}."]:
            _collect(sub, library, prefix, facts, (*seen, child.blueprint))


def drift(frozen: Mapping[str, SignalFacts], live: Mapping[str, SignalFacts]) -> Drift:
    """How `live` differs from `frozen`."""
    changed: dict[str, dict[str, tuple[object, object]]] = {}
    live_typed: list[str] = []
    for path in frozen.keys() & live.keys():
        before, now = frozen[path], live[path]
        keys = ("access", "dtype", "choices", "units")
        if before.live_typed or now.live_typed:
            live_typed.append(path)
            keys = ("access",)
        fields = {
            key: (getattr(before, key), getattr(now, key))
            for key in keys
            if getattr(before, key) != getattr(now, key)
        }
        if fields:
            changed[path] = fields
    return Drift(
        added={p: live[p] for p in live if p not in frozen},
        removed={p: frozen[p] for p in frozen if p not in live},
        changed=dict(sorted(changed.items())),
        live_typed=tuple(sorted(live_typed)),
    )
