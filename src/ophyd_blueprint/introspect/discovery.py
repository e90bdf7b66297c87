"""`introspect(uri)`: live PVI, a Tango device or a PVI device file -> blueprints."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from ophyd_blueprint.core import DEFAULT_TIMEOUT

from .blueprints import Introspected, blueprint_name, to_blueprints
from .errors import IntrospectionError
from .pvi_file import PVI_FILE_SUFFIX, read_pvi_file
from .tree import FoundDevice

__all__ = ["default_name", "introspect"]

_FORMS = (
    "pva://PV (a PVI structure), tango://host:port/domain/family/member"
    "#dbase=no, or a *.pvi.device.yaml file"
)


def _kind(uri: str) -> str:
    scheme, sep, _ = uri.partition("://")
    if uri.endswith(PVI_FILE_SUFFIX) and not sep:
        return "file"
    if not sep or scheme == "pva":
        return "pvi"
    if scheme == "tango":
        return "tango"
    raise IntrospectionError(f"cannot introspect {uri!r}: expected {_FORMS}")


def default_name(uri: str, found: FoundDevice | None = None) -> str:
    """The root blueprint's name when none is given.

    ``pva://BL01:PANDA:PVI`` -> ``Panda``; ``tango://h:1/test/motor/1`` ->
    ``Motor1``; a PVI file -> its label (or file name).
    """
    kind = _kind(uri)
    if kind == "file":
        label = found.doc if found is not None and found.doc else None
        return blueprint_name(label or Path(uri).name.removesuffix(PVI_FILE_SUFFIX))
    body = uri.partition("://")[2] or uri
    if kind == "tango":
        parts = body.partition("#")[0].rstrip("/").split("/")
        return blueprint_name("_".join(parts[-2:]))
    parts = [p for p in body.split(":") if p and p.upper() != "PVI"]
    return blueprint_name(parts[-1].lower().capitalize() if parts else "Device")


async def introspect(
    uri: str,
    *,
    name: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    macros: Mapping[str, str] | None = None,
    type_live: bool = False,
    pva_conf: Mapping[str, str] | None = None,
) -> Introspected:
    """The blueprints of the device at `uri`, the root named `name`.

    `uri` is ``pva://PV`` (or a bare PV) of a PVI structure, ``tango://...``
    of a device, or a ``*.pvi.device.yaml`` path. For a file, `macros` give
    values to ``$(NAME)`` (others become params) and `type_live` types its
    signals from their PVs over PVA instead of guessing from widgets. Live
    PVI signals have no dtype (each takes its PV's type when it connects,
    so discovery fetches only the PVI structures) unless `type_live` fetches
    every signal's PV for it. Tango attributes are typed from the one
    config query discovery makes anyway.
    `pva_conf` picks the PVA server (default: the ``EPICS_PVA_*``
    environment). Every wait is bounded by `timeout`; IntrospectionError
    names the source and says what was expected.
    """
    notes: list[str] = []
    kind = _kind(uri)
    if kind == "tango":
        from .tango_device import read_tango

        found = await read_tango(uri, timeout, notes)
    elif kind == "file":
        found = read_pvi_file(uri, macros)
        if type_live:
            from ophyd_blueprint.transports.pva import pva_client

            from .pvi_live import type_signals

            signals = await type_signals(
                uri, found.signals, pva_client(pva_conf), timeout, notes
            )
            found = dataclasses.replace(found, signals=signals)
    else:
        from ophyd_blueprint.transports.pva import pva_client

        from .pvi_live import read_pvi

        found = await read_pvi(
            uri, pva_client(pva_conf), timeout, notes, typed=type_live
        )
    # live PVI links are PVA PVs: a frozen blueprint says so, as the device
    # discovered at connect uses them (a PandA's tables are PVA only)
    protocol = "pva" if kind == "pvi" else None
    return to_blueprints(
        found, name or default_name(uri, found), tuple(notes), protocol
    )
