"""Load blueprint and beamline files into models that remember their positions."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .models import Beamline, Blueprint
from .positions import Origin
from .problems import BlueprintError
from .shape_errors import shape_problems
from .yaml_reader import Data, parse_yaml, read_yaml

__all__ = [
    "Document",
    "load_beamline_model",
    "load_blueprint",
    "load_document",
    "parse_document",
]

Document = Blueprint | Beamline


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
    """Load a blueprint or a beamline, told apart by the top key."""
    data, positions = read_yaml(Path(path))
    return _validate(data, Origin(str(path), positions))


def parse_document(text: str, file: str = "<string>") -> Document:
    """Like :func:`load_document`, from text."""
    data, positions = parse_yaml(text, file)
    return _validate(data, Origin(file, positions))


def _validate(data: Data, origin: Origin) -> Document:
    if not isinstance(data, dict) or not ({"blueprint", "beamline"} & data.keys()):
        message = "expected a mapping with a 'blueprint:' or a 'beamline:' key"
        raise BlueprintError([origin.problem(message)])
    model = Blueprint if "blueprint" in data else Beamline
    try:
        document = model.model_validate(data)
    except ValidationError as error:
        raise BlueprintError(shape_problems(error, model, origin)) from None
    _attach_origins(document, origin)
    return document


def _attach_origins(document: Document, origin: Origin) -> None:
    document.set_origin(origin)
    if isinstance(document, Beamline):
        for name, device in document.devices.items():
            device.set_origin(origin.child("devices", name))
        return
    for name, param in document.params.items():
        param.set_origin(origin.child("params", name))
    for name, signal in document.signals.items():
        signal.set_origin(origin.child("signals", name))
    for name, child in document.children.items():
        child.set_origin(origin.child("children", name))
    for index, entry in enumerate(document.logic):
        entry.set_origin(origin.child("logic", index))
