"""A PVI device file (``*.pvi.device.yaml``, PVI's own format) -> a `FoundDevice`.

``label`` and ``children`` are read; components become signals:
``SignalR`` (``read_pv``), ``SignalW`` (``write_pv``), ``SignalRW``
(``write_pv``, and ``read_pv`` when it differs), ``SignalX`` (``write_pv``,
``value`` put on trigger); the older ``pv`` key is read as well. ``Group``
components (any layout, sub-screens included) are screen layout, not devices:
their children are flattened into the device, which PVI keeps unique by
name. A ``DeviceRef`` becomes a child discovered live from its PVI PV;
``SignalRef`` (a second place for a signal already listed) is skipped.
PascalCase names become snake_case. Macros ``$(P)`` become params ``{{P}}``
unless `macros` gives their values.

A file says nothing of types, so each signal's dtype is a guess from its
widget (``LED``/``CheckBox`` bool, ``ArrayTrace`` float64[], ``ImageRead``
ndarray, ``TextRead`` with ``format: string`` str, else float) until
`type_live` replaces the guesses with the PVs' real types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ophyd_blueprint.blueprint import BlueprintError, Origin
from ophyd_blueprint.blueprint.vocabulary import Access, Dtype
from ophyd_blueprint.blueprint.yaml_reader import read_yaml

from .errors import IntrospectionError
from .tree import FoundDevice, FoundSignal, snake_case

__all__ = ["PVI_FILE_SUFFIX", "read_pvi_file"]

PVI_FILE_SUFFIX = ".pvi.device.yaml"
_MACRO = re.compile(r"\$[({](\w+)[)}]")
_SIGNALS: dict[str, Access] = {
    "SignalR": "r",
    "SignalW": "w",
    "SignalRW": "rw",
    "SignalX": "x",
}
_SKIPPED = {"SignalRef", "IgnoredComponent"}
_KNOWN = (*_SIGNALS, "Group", "DeviceRef", *sorted(_SKIPPED))
_WIDGET_DTYPES: dict[str, Dtype] = {
    "LED": "bool",
    "CheckBox": "bool",
    "ToggleButton": "bool",
    "ArrayTrace": "float64[]",
    "ImageRead": "ndarray",
    "ComboBox": "str",
    "BitField": "int",
    "ButtonPanel": "int",
}


@dataclass
class _Reader:
    origin: Origin
    macros: Mapping[str, str]
    signals: dict[str, FoundSignal] = field(default_factory=dict[str, FoundSignal])
    linked: dict[str, str] = field(default_factory=dict[str, str])
    params: dict[str, None] = field(default_factory=dict[str, None])
    notes: list[str] = field(default_factory=list[str])

    def fail(self, message: str, *at: str | int) -> IntrospectionError:
        return IntrospectionError(str(self.origin.problem(message, *at)))

    def text(self, value: Any, *at: str | int) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail("expected a non-empty string", *at)
        return _MACRO.sub(self._macro, value)

    def _macro(self, match: re.Match[str]) -> str:
        name = match[1]
        if name in self.macros:
            return self.macros[name]
        self.params[name] = None
        return "{{" + name + "}}"

    def components(self, items: Any, *at: str | int) -> None:
        if not isinstance(items, list):
            raise self.fail("expected a list of components", *at)
        for index, item in enumerate(cast(list[Any], items)):
            self.component(item, *at, index)

    def component(self, item: Any, *at: str | int) -> None:
        if not isinstance(item, Mapping):
            raise self.fail("expected a component mapping with 'type' and 'name'", *at)
        data = cast(Mapping[str, Any], item)
        kind = data.get("type")
        if kind == "Group":
            self.components(data.get("children"), *at, "children")
        elif kind in _SIGNALS:
            self.signal(_SIGNALS[str(kind)], data, *at)
        elif kind == "DeviceRef":
            name = snake_case(self.text(data.get("name"), *at, "name"))
            pv = self.text(data.get("pv"), *at, "pv")
            self.linked[name] = pv if "://" in pv else f"pva://{pv}"
        elif kind not in _SKIPPED:
            raise self.fail(
                f"unknown component type {kind!r}; expected one of {', '.join(_KNOWN)}",
                *at,
                "type",
            )

    def signal(self, access: Access, data: Mapping[str, Any], *at: str | int) -> None:
        name = snake_case(self.text(data.get("name"), *at, "name"))
        write_key = "write_pv" if "write_pv" in data else "pv"
        read_key = "read_pv" if "read_pv" in data else "pv"
        if access == "r":
            source = self.text(data.get(read_key), *at, read_key)
            read = None
        else:
            source = self.text(data.get(write_key), *at, write_key)
            read = (
                self.text(data["read_pv"], *at, "read_pv")
                if (access == "rw" and "read_pv" in data)
                else None
            )
        value = data.get("value")
        self.signals[name] = FoundSignal(
            access,
            source,
            read_source=None if read == source else read,
            dtype=None if access == "x" else _guess(data),
            trigger_value=value if isinstance(value, str | int | float) else None,
            doc=str(data["description"]) if data.get("description") else None,
        )


def _guess(data: Mapping[str, Any]) -> Dtype:
    for key in ("read_widget", "write_widget", "widget"):
        widget = data.get(key)
        if isinstance(widget, Mapping):
            spec = cast(Mapping[str, Any], widget)
            kind = str(spec.get("type"))
            if kind in _WIDGET_DTYPES:
                return _WIDGET_DTYPES[kind]
            if spec.get("format") == "string":
                return "str"
    return "float"


def read_pvi_file(
    path: str | Path, macros: Mapping[str, str] | None = None
) -> FoundDevice:
    """The device a PVI device file describes; IntrospectionError names the line."""
    try:
        data, positions = read_yaml(Path(path))
    except BlueprintError as error:
        raise IntrospectionError(str(error)) from None
    except OSError as error:
        raise IntrospectionError(f"{path}: cannot be read: {error}") from None
    reader = _Reader(Origin(str(path), positions), dict(macros or {}))
    if not isinstance(data, dict) or "children" not in data:
        raise reader.fail(
            "not a PVI device file: expected a mapping with 'label' and "
            "'children' (a list of components)"
        )
    reader.components(data["children"], "children")
    label = data.get("label")
    return FoundDevice(
        where=str(path),
        signals=reader.signals,
        linked=reader.linked,
        params=tuple(reader.params),
        doc=str(label) if label else None,
    )
