"""Runs as the tests make them: documents checked against event-model's schemas
as they come, kept by name and in order; a user who pauses from another thread."""

from __future__ import annotations

import threading
import time
from typing import Any, Literal

import event_model
import pytest
from bluesky.run_engine import RunEngine
from bluesky.utils import RunEngineInterrupted
from event_model import DocumentNames


class Docs(dict[str, list[dict[str, Any]]]):
    """Documents by name (a name not seen gives ``[]``) and `order`, every
    ``(name, document)`` as emitted. Give it (or `add`) to the RunEngine as a
    callback: a document that breaks its schema fails the run there."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, dict[str, Any]]] = []

    def __missing__(self, name: str) -> list[dict[str, Any]]:
        return []

    def add(self, name: str, doc: dict[str, Any]) -> None:
        event_model.schema_validators[DocumentNames(name)].validate(doc)
        self.setdefault(name, []).append(doc)
        self.order.append((name, doc))

    __call__ = add
    # a recorder, not a value: the RunEngine keeps its callbacks by hash
    __hash__ = object.__hash__
    __eq__ = object.__eq__


def run(RE: RunEngine, plan: Any) -> Docs:
    """Run `plan` and return its documents, every one checked."""
    docs = Docs()
    RE(plan, docs.add)
    return docs


class Pauser:
    """Asks the RunEngine to pause (from another thread, as a user would) once
    the run has each of `after` frames (StreamDatum ``indices``) or, `by`
    events, each of `after` events (``seq_nums``: a PandA's indices count the
    rows of its current file); at the next checkpoint if `defer`, as a single
    Ctrl-C does. `requested` is when it last asked."""

    def __init__(
        self,
        RE: RunEngine,
        *after: int,
        by: Literal["frames", "events"] = "frames",
        defer: bool = False,
    ) -> None:
        self.RE = RE
        self.after = list(after)
        self.by = by
        self.defer = defer
        self.requested: float | None = None

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        if name != "stream_datum" or not self.after:
            return
        if self.by == "frames":
            reached = doc["indices"]["stop"]
        else:
            reached = doc["seq_nums"]["stop"] - 1
        if reached >= self.after[0]:
            self.after.pop(0)
            threading.Thread(target=self._pause, daemon=True).start()

    def _pause(self) -> None:
        self.requested = time.monotonic()
        self.RE.request_pause(defer=self.defer)


def paused_run(RE: RunEngine, plan: Any, docs: Docs, pauser: Pauser) -> float:
    """Run `plan` until `pauser` pauses it; seconds from the request to paused."""
    with pytest.raises(RunEngineInterrupted):
        RE(plan, [docs, pauser])
    paused = time.monotonic()
    assert RE.state == "paused"
    assert pauser.requested is not None
    return paused - pauser.requested
