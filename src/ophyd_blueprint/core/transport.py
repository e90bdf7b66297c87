"""URI schemes -> transports, and the signal factories that use them.

A transport is registered under its scheme through the entry-point group
``ophyd_blueprint.transports`` (or `register_transport` at runtime), and
imported the first time a URI with that scheme is used. The core never
imports a transport by name.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, TypeVar, cast, overload

from .backend import SignalBackend
from .device import DEFAULT_TIMEOUT
from .live_type import LIVE
from .signal import SignalR, SignalRW, SignalW, SignalX
from .soft import SoftSignalBackend

__all__ = [
    "Transport",
    "TransportNotAvailableError",
    "get_transport",
    "known_schemes",
    "make_backend",
    "register_transport",
    "registered_schemes",
    "signal_r",
    "signal_rw",
    "signal_w",
    "signal_x",
    "soft_signal_r_and_setter",
    "soft_signal_rw",
    "split_uri",
]

T = TypeVar("T")
ENTRY_POINT_GROUP = "ophyd_blueprint.transports"
"""Where transports register their scheme (the blueprint layer reads the same
group's names to check sources without importing the runtime)."""


class Transport(Protocol):
    """Makes backends for the URIs of one scheme."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        """A backend reading `read_uri` and writing `write_uri` (same scheme)."""
        ...


class TransportNotAvailableError(ImportError):
    """A URI scheme whose transport (or its library) is not installed."""


_transports: dict[str, Transport] = {}


def register_transport(scheme: str, transport: Transport) -> None:
    """Use `transport` for ``scheme://`` URIs from now on."""
    _transports[scheme] = transport


def split_uri(uri: str, scheme: str | None = None) -> tuple[str, str]:
    """``"ca://BL:X"`` -> ``("ca", "BL:X")``: the one URI splitter of every transport.

    `ValueError` without a scheme, or when `scheme` is given and `uri` has
    another one (a transport checking the URIs it is handed).
    """
    found, sep, rest = uri.partition("://")
    if not sep or not found:
        raise ValueError(
            f"{uri!r} has no scheme; write it as a URI such as ca://{uri} or "
            f"pva://{uri} (known schemes: {', '.join(known_schemes())})"
        )
    if scheme is not None and found != scheme:
        raise ValueError(f"{uri!r} is not a {scheme}:// URI")
    return found, rest


def registered_schemes() -> list[str]:
    """Schemes with a transport in this process: registered at run time, or
    imported from an entry point already. Reads no metadata."""
    return sorted(_transports)


def known_schemes() -> list[str]:
    """Every scheme a URI may use: `registered_schemes` and the schemes of
    the installed transports (read from their entry points now)."""
    names = set(_transports) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names)


def get_transport(scheme: str) -> Transport:
    """The transport for `scheme`, importing it on first use."""
    try:
        return _transports[scheme]
    except KeyError:
        pass
    found = entry_points(group=ENTRY_POINT_GROUP, name=scheme)
    if not found:
        raise TransportNotAvailableError(
            f"no transport for {scheme}:// URIs; known schemes: "
            f"{', '.join(known_schemes())}"
        )
    transport = _load(next(iter(found)), scheme)
    _transports[scheme] = transport
    return transport


def _load(entry: EntryPoint, scheme: str) -> Transport:
    try:
        factory = cast(Callable[[], Transport], entry.load())
    except ModuleNotFoundError as e:
        if e.name and entry.module.startswith(e.name):
            raise  # the transport itself is broken, not a missing extra
        dist = entry.dist.name if entry.dist is not None else "ophyd-blueprint"
        raise TransportNotAvailableError(
            f"{scheme}:// needs the Python module {e.name!r}, which is not "
            f"installed; install it with: pip install '{dist}[{scheme}]'"
        ) from e
    return factory()


def make_backend(
    datatype: type[T] | None, read_uri: str, write_uri: str | None = None
) -> SignalBackend[T]:
    """A backend for the URI(s), from the transport of their scheme."""
    write_uri = write_uri or read_uri
    scheme, _ = split_uri(read_uri)
    write_scheme, _ = split_uri(write_uri)
    if write_scheme != scheme:
        raise ValueError(
            f"read source {read_uri!r} and write source {write_uri!r} "
            "must use the same scheme"
        )
    return get_transport(scheme).make_backend(datatype, read_uri, write_uri)


@overload
def signal_r(
    datatype: type[T], read_uri: str, *, name: str = "", timeout: float = ...
) -> SignalR[T]: ...
@overload
def signal_r(
    datatype: None, read_uri: str, *, name: str = "", timeout: float = ...
) -> SignalR[Any]: ...
def signal_r(
    datatype: type[Any] | None,
    read_uri: str,
    *,
    name: str = "",
    timeout: float = DEFAULT_TIMEOUT,
) -> SignalR[Any]:
    """A read-only signal: ``signal_r(float, "ca://BL01:TEMP")``.

    Datatype None: the signal takes its server's type when it connects.
    """
    return SignalR(make_backend(_declared(datatype), read_uri), timeout, name)


@overload
def signal_rw(
    datatype: type[T],
    uri: str,
    read_source: str | None = None,
    *,
    name: str = "",
    timeout: float = ...,
) -> SignalRW[T]: ...
@overload
def signal_rw(
    datatype: None,
    uri: str,
    read_source: str | None = None,
    *,
    name: str = "",
    timeout: float = ...,
) -> SignalRW[Any]: ...
def signal_rw(
    datatype: type[Any] | None,
    uri: str,
    read_source: str | None = None,
    *,
    name: str = "",
    timeout: float = DEFAULT_TIMEOUT,
) -> SignalRW[Any]:
    """A read-write signal writing `uri` and reading `read_source` (default `uri`).

    Datatype None: the signal takes its server's type (the read end's) when
    it connects.
    """
    backend = make_backend(_declared(datatype), read_source or uri, uri)
    return SignalRW(backend, timeout, name)


@overload
def signal_w(
    datatype: type[T], uri: str, *, name: str = "", timeout: float = ...
) -> SignalW[T]: ...
@overload
def signal_w(
    datatype: None, uri: str, *, name: str = "", timeout: float = ...
) -> SignalW[Any]: ...
def signal_w(
    datatype: type[Any] | None,
    uri: str,
    *,
    name: str = "",
    timeout: float = DEFAULT_TIMEOUT,
) -> SignalW[Any]:
    """A write-only signal (datatype None: its server's, at connect)."""
    return SignalW(make_backend(_declared(datatype), uri), timeout, name)


def _declared(datatype: type[Any] | None) -> type[Any]:
    """The backend's datatype: None (not given) is `LIVE`, the server's."""
    return LIVE if datatype is None else datatype


def signal_x(uri: str, *, name: str = "", timeout: float = DEFAULT_TIMEOUT) -> SignalX:
    """A trigger: writing it makes the source process."""
    return SignalX(make_backend(None, uri), timeout, name)


@overload
def soft_signal_rw(
    datatype: type[T],
    initial_value: T | None = None,
    name: str = "",
    units: str | None = None,
    precision: int | None = None,
) -> SignalRW[T]: ...
@overload
def soft_signal_rw(
    datatype: None = None,
    initial_value: float | None = None,
    name: str = "",
    units: str | None = None,
    precision: int | None = None,
) -> SignalRW[float]: ...
def soft_signal_rw(
    datatype: type[Any] | None = None,
    initial_value: Any = None,
    name: str = "",
    units: str | None = None,
    precision: int | None = None,
) -> SignalRW[Any]:
    """An in-process read-write signal (float when no datatype is given)."""
    backend = SoftSignalBackend(
        datatype or float, initial_value, units=units, precision=precision
    )
    return SignalRW(backend, None, name)


def soft_signal_r_and_setter(
    datatype: type[T],
    initial_value: T | None = None,
    name: str = "",
    units: str | None = None,
    precision: int | None = None,
) -> tuple[SignalR[T], Callable[[T], None]]:
    """An in-process read-only signal and the function that sets it."""
    backend = SoftSignalBackend(
        datatype, initial_value, units=units, precision=precision
    )
    spec = backend.spec
    assert spec is not None

    def setter(value: T) -> None:
        backend.set_value(spec.coerce(value))

    return SignalR(backend, None, name), setter
