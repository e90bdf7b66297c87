"""Load blueprint and beamline files into models that remember their positions.

Loaded files are cached by path and a hash of their bytes: a file loaded twice
is parsed once, and a file whose bytes change is parsed again, whatever its
modification time says. Files that fail to load are cached with their problems.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .models import Beamline, Blueprint
from .positions import Origin
from .problems import BlueprintError, Problem
from .recovery import Partial, recover
from .shape_errors import shape_problems
from .yaml_reader import Data, parse_yaml, parse_yaml_bytes, read_bounded

__all__ = [
    "CACHE_SIZE",
    "Document",
    "clear_cache",
    "load_beamline_model",
    "load_blueprint",
    "load_document",
    "load_for_checks",
    "parse_document",
    "parse_for_checks",
]

Document = Blueprint | Beamline

CACHE_SIZE = 512
"""Files kept in the cache; the least recently loaded are dropped first."""

_cache: OrderedDict[tuple[str, bytes], Document | tuple[Problem, ...]] = OrderedDict()


def load_blueprint(path: str | Path) -> Blueprint:
    """Load one blueprint file; BlueprintError lists every shape problem."""
    document = load_document(path)
    if not isinstance(document, Blueprint):
        raise BlueprintError([document.origin.problem("expected a blueprint file")])
    return document


def load_beamline_model(path: str | Path) -> Beamline:
    """Load one beamline file as data (building devices is the beamline layer's)."""
    document = load_document(path)
    if not isinstance(document, Beamline):
        raise BlueprintError([document.origin.problem("expected a beamline file")])
    return document


def load_document(path: str | Path) -> Document:
    """Load a blueprint or a beamline, told apart by the top key.

    The same object comes back while the file's bytes are unchanged (models
    are frozen, so sharing them is safe). OSError if the file cannot be read.
    """
    raw = read_bounded(Path(path))
    key = (str(path), hashlib.blake2b(raw, digest_size=16).digest())
    cached = _cache.get(key)
    if cached is None:
        try:
            cached = parse_document(raw, str(path))
        except BlueprintError as error:
            cached = tuple(error.problems)
        _cache[key] = cached
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    if isinstance(cached, tuple):
        raise BlueprintError(cached)
    return cached


def load_for_checks(
    path: str | Path,
) -> tuple[Document | None, Partial | None, list[Problem]]:
    """The document, or what of it validates, and the problems found loading.

    For reporting every problem at once: when the file has shape problems, the
    document comes back without the rejected parts (`Partial` says which), so
    its meaning can be checked as well. None when not even that is possible
    (a syntax error, a missing required key). OSError if unreadable.
    """
    try:
        return load_document(path), None, []
    except BlueprintError as error:
        return _recovered(read_bounded(Path(path)), str(path), list(error.problems))


def parse_for_checks(
    raw: bytes, file: str = "<string>"
) -> tuple[Document | None, Partial | None, list[Problem]]:
    """Like `load_for_checks`, from bytes, without the cache."""
    try:
        return parse_document(raw, file), None, []
    except BlueprintError as error:
        return _recovered(raw, file, list(error.problems))


def _recovered(
    raw: bytes, file: str, problems: list[Problem]
) -> tuple[Document | None, Partial | None, list[Problem]]:
    try:
        data, positions = parse_yaml_bytes(raw, file)
    except BlueprintError:
        return None, None, problems
    model = _model_of(data)
    if model is None:
        return None, None, problems
    partial = recover(data, model)
    if partial is None:
        return None, None, problems
    document = partial.model
    assert isinstance(document, Blueprint | Beamline)
    _attach_origins(document, Origin(file, positions), partial.logic_index)
    return document, partial, problems


def clear_cache() -> None:
    """Forget every loaded file (for measuring cold loads)."""
    _cache.clear()


def parse_document(text: str | bytes, file: str = "<string>") -> Document:
    """Like `load_document`, from text or UTF-8 bytes, without the cache."""
    if isinstance(text, bytes):
        data, positions = parse_yaml_bytes(text, file)
    else:
        data, positions = parse_yaml(text, file)
    return _validate(data, Origin(file, positions))


def _model_of(data: Data) -> type[Blueprint] | type[Beamline] | None:
    """Which model a file's top keys ask for; None if neither."""
    if not isinstance(data, dict) or not ({"blueprint", "beamline"} & data.keys()):
        return None
    return Blueprint if "blueprint" in data else Beamline


def _validate(data: Data, origin: Origin) -> Document:
    model = _model_of(data)
    if model is None:
        message = "expected a mapping with a 'blueprint:' or a 'beamline:' key"
        raise BlueprintError([origin.problem(message)])
    try:
        document = model.model_validate(data)
    except ValidationError as error:
        raise BlueprintError(shape_problems(error, model, origin)) from None
    _attach_origins(document, origin)
    return document


def _attach_origins(
    document: Document, origin: Origin, logic_index: Sequence[int] | None = None
) -> None:
    document.set_origin(origin)
    if isinstance(document, Beamline):
        for name, device in document.devices.items():
            device.set_origin(origin.child("devices", name))
            for index, entry in enumerate(device.logic):
                entry.set_origin(origin.child("devices", name, "logic", index))
        return
    for name, param in document.params.items():
        param.set_origin(origin.child("params", name))
    for name, signal in document.signals.items():
        signal.set_origin(origin.child("signals", name))
    for name, child in document.children.items():
        child.set_origin(origin.child("children", name))
    for index, entry in enumerate(document.logic):
        in_file = index if logic_index is None else logic_index[index]
        entry.set_origin(origin.child("logic", in_file))
