"""A whole Tango device discovered live: `connect_tango_device`.

One ``attribute_list_query_ex`` call types every attribute; `read_all` reads
them all with one ``read_attributes``. This is the cheap path for tools that
want everything a device has (introspection, the benchmark, ``blueprint
connect``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ophyd_blueprint.core.datatypes import datatype_spec
from ophyd_blueprint.core.device import DEFAULT_TIMEOUT, Device
from ophyd_blueprint.core.live_type import UncarriedTypeError
from ophyd_blueprint.core.signal import SignalR, SignalRW

from .backend import Endpoint, TangoAttributeBackend
from .connection import DeviceConnection, connect_device
from .convert import attribute_codec, datatype_of_attribute
from .trl import TangoTrl, parse_trl

if TYPE_CHECKING:
    from bluesky.protocols import Reading

__all__ = ["TangoDevice", "connect_tango_device", "datatype_of_attribute"]


class TangoDevice(Device):
    """A live Tango device: one signal per attribute, named by the attribute.

    Writable attributes are `SignalRW`, the others `SignalR`; a name that
    clashes with a `Device` member gets a trailing ``_``.
    """

    def __init__(
        self,
        connection: DeviceConnection,
        signals: dict[str, SignalR[Any]],
        name: str = "",
    ) -> None:
        self._connection = connection
        self._signals = signals
        self._names = list(signals)
        for attribute, signal in signals.items():
            setattr(self, _child_name(attribute), signal)
        super().__init__(name)

    @property
    def signals(self) -> dict[str, SignalR[Any]]:
        """Attribute name -> its signal."""
        return dict(self._signals)

    async def read_all(self) -> dict[str, Reading[Any]]:
        """Attribute name -> reading of every attribute, with one call."""
        raws = await self._connection.proxy.read_attributes(self._names)
        out: dict[str, Reading[Any]] = {}
        for name, raw in zip(self._names, raws, strict=True):
            backend = self._signals[name].backend
            assert isinstance(backend, TangoAttributeBackend)
            out[name] = backend.reading(raw)
        return out


def _child_name(attribute: str) -> str:
    return f"{attribute}_" if hasattr(TangoDevice, attribute) else attribute


async def connect_tango_device(
    uri: str, timeout: float = DEFAULT_TIMEOUT, name: str = ""
) -> TangoDevice:
    """Connect ``tango://host:port/domain/family/member#dbase=no`` and type it live.

    Attributes of a type no signal carries (DevEncoded) are left out.
    """
    body, hash_sign, fragment = uri.partition("#")
    probe = parse_trl(f"{body}/State{hash_sign}{fragment}")
    connection = await connect_device(uri, probe.device, timeout)
    signals: dict[str, SignalR[Any]] = {}
    for info in await connection.all_attributes(uri, timeout):
        member = info.name
        trl = TangoTrl(
            f"{body}/{member}{hash_sign}{fragment}", probe.device, member, None
        )
        try:
            datatype = datatype_of_attribute(trl.uri, info)
        except UncarriedTypeError:
            continue
        codec = attribute_codec(trl.uri, datatype_spec(datatype), info)
        backend: TangoAttributeBackend[Any] = TangoAttributeBackend(datatype, trl, trl)
        backend.attach(Endpoint(trl, connection, codec))
        kind = SignalRW if codec.writable else SignalR
        signals[member] = kind(backend, timeout)
    return TangoDevice(connection, signals, name)
