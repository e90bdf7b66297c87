"""Tango resource locators: ``tango://[host:port/]domain/family/member/name[#opts]``.

The fragment holds Tango's own ``dbase=no`` and this transport's options,
joined by ``&``: ``#dbase=no&poll=0.5`` polls every 0.5 s when the server
sends no change events.
"""

from __future__ import annotations

from dataclasses import dataclass

from ophyd_blueprint.core.transport import split_uri

__all__ = ["TangoTrl", "parse_trl"]

_FORM = (
    "tango://host:port/domain/family/member/name#dbase=no or "
    "tango://domain/family/member/name (found through TANGO_HOST)"
)


@dataclass(frozen=True, slots=True)
class TangoTrl:
    """One attribute or command of one device."""

    uri: str
    """The URI as the user wrote it."""
    device: str
    """What `tango.DeviceProxy` takes: ``tango://h:p/a/b/c#dbase=no`` or ``a/b/c``."""
    member: str
    """The attribute or command name."""
    poll_period: float | None
    """The ``poll=`` option in seconds, if given."""


def parse_trl(uri: str) -> TangoTrl:
    """Split a ``tango://`` URI; `ValueError` says which form is expected."""
    try:
        _, rest = split_uri(uri, "tango")
    except ValueError as e:
        raise ValueError(f"{e}; expected {_FORM}") from None
    body, _, fragment = rest.partition("#")
    parts = body.split("/")
    host = parts.pop(0) if parts and ":" in parts[0] else ""
    if len(parts) != 4 or not all(parts):
        raise ValueError(f"{uri!r} does not name a device member; expected {_FORM}")
    tango_options: list[str] = []
    poll_period: float | None = None
    for option in filter(None, fragment.split("&")):
        key, _, value = option.partition("=")
        if key == "poll":
            try:
                poll_period = float(value.removesuffix("s"))
            except ValueError:
                raise ValueError(
                    f"{uri!r}: poll= takes a period in seconds, got {value!r}"
                ) from None
        else:
            tango_options.append(option)
    device = "/".join(parts[:3])
    if host:
        device = f"tango://{host}/{device}"
    if tango_options:
        device += "#" + "&".join(tango_options)
    return TangoTrl(uri, device, parts[3], poll_period)
