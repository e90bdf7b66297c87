"""`TangoAttributeBackend`: a signal on a Tango attribute; `TangoTransport`.

Connecting resolves the device's shared connection and the attribute's
config (one call per device, whatever the number of signals) and builds the
codec once (a live-typed signal takes its datatype from the read attribute's
config first: `convert.datatype_of_attribute`); reads then cost one batched
``read_attribute`` and a tuple lookup.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar

from ophyd_blueprint.core.backend import (
    ReadingCallback,
    SignalBackend,
    disconnected_reading,
)
from ophyd_blueprint.core.datatypes import make_datakey
from ophyd_blueprint.core.errors import NotConnectedError
from ophyd_blueprint.core.signal import ReadOnlyError

from .client import AttributeInfoEx, DevFailed, TangoReading, describe_error
from .command import TangoCommandBackend
from .connection import NOT_YET, DeviceConnection, connect_device
from .convert import (
    SEVERITY_OF_QUALITY,
    VALID,
    AttributeCodec,
    attribute_codec,
    datakey_metadata,
    datatype_of_attribute,
)
from .monitor import Monitor
from .trl import TangoTrl, parse_trl

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "DEFAULT_POLL_PERIOD",
    "Endpoint",
    "TangoAttributeBackend",
    "TangoTransport",
]

T = TypeVar("T")

DEFAULT_POLL_PERIOD = 0.1
"""Seconds between client-side reads of an attribute with no change events."""


class Endpoint:
    """One connected attribute: its device connection, name and codec."""

    __slots__ = ("codec", "connection", "decode", "name", "trl")

    def __init__(
        self, trl: TangoTrl, connection: DeviceConnection, codec: AttributeCodec
    ) -> None:
        self.trl = trl
        self.connection = connection
        self.codec = codec
        self.name = trl.member
        self.decode = codec.decode


class TangoAttributeBackend(SignalBackend[T]):
    """Reads `read_uri`'s attribute and writes `write_uri`'s (often the same)."""

    __slots__ = (
        "_callback",
        "_connecting",
        "_last",
        "_monitor",
        "_read",
        "_read_trl",
        "_write",
        "_write_trl",
    )

    def __init__(
        self, datatype: type[T], read_uri: str | TangoTrl, write_uri: str | TangoTrl
    ) -> None:
        """`datatype` ``Any``: live-typed, from the read attribute at connect."""
        super().__init__(datatype)
        self._read_trl = _parsed(read_uri)
        self._write_trl = (
            self._read_trl if write_uri == read_uri else _parsed(write_uri)
        )
        self._read: Endpoint | None = None
        self._write: Endpoint | None = None
        self._connecting: asyncio.Future[None] | None = None
        self._callback: ReadingCallback[T] | None = None
        self._monitor: Monitor | None = None
        self._last: Reading[T] | None = None

    def source(self, name: str, read: bool) -> str:
        trl = self._read_trl if read else self._write_trl
        uri = trl.uri
        monitor = self._monitor
        if read and monitor and monitor.polling and trl.poll_period is None:
            return f"{uri}{'&' if '#' in uri else '#'}poll={monitor.period:g}s"
        return uri

    def attach(self, read: Endpoint) -> None:
        """Use an already-resolved endpoint (read and write): connect costs nothing."""
        self._read = self._write = read

    async def connect(self, timeout: float) -> None:
        if self._read is not None:
            return
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._connect(timeout))
        await asyncio.shield(self._connecting)

    async def _connect(self, timeout: float) -> None:
        if self._write_trl is self._read_trl:
            read = self._endpoint(*await self._config(self._read_trl, timeout))
            write = read
        else:
            read_config, write_config = await asyncio.gather(
                self._config(self._read_trl, timeout),
                self._config(self._write_trl, timeout),
            )
            read = self._endpoint(*read_config)
            write = self._endpoint(*write_config)
        self._read, self._write = read, write

    async def _config(
        self, trl: TangoTrl, timeout: float
    ) -> tuple[TangoTrl, DeviceConnection, AttributeInfoEx]:
        connection = await connect_device(trl.uri, trl.device, timeout)
        info = await connection.attribute_info(trl.uri, trl.member, timeout)
        return trl, connection, info

    def _endpoint(
        self, trl: TangoTrl, connection: DeviceConnection, info: AttributeInfoEx
    ) -> Endpoint:
        """The endpoint of one attribute; a live-typed signal takes its
        datatype from the first one, its read end."""
        spec = self.spec
        if spec is None:
            spec = self.take_datatype(datatype_of_attribute(trl.uri, info))
        return Endpoint(trl, connection, attribute_codec(trl.uri, spec, info))

    def _connected(self) -> Endpoint:
        read = self._read
        if read is None:
            raise NotConnectedError(NOT_YET, source=self._read_trl.uri)
        return read

    def _write_end(self) -> Endpoint:
        write = self._write
        if write is None:
            raise NotConnectedError(NOT_YET, source=self._write_trl.uri)
        return write

    def reading(self, raw: TangoReading) -> Reading[T]:
        """The bluesky reading of a Tango attribute value."""
        decode = self._connected().decode
        value: Any = raw.value
        quality = raw.quality
        if quality == VALID:
            return {
                "value": value if decode is None else decode(value),
                "timestamp": raw.time.totime(),
                "alarm_severity": 0,
            }
        severity, message = SEVERITY_OF_QUALITY[quality]
        if value is None:
            value = self._fallback_value()
        elif decode is not None:
            value = decode(value)
        return {
            "value": value,
            "timestamp": raw.time.totime(),
            "alarm_severity": severity,
            "message": message,
        }

    def _fallback_value(self) -> Any:
        """For a reading without a value: the last one, else the type's default."""
        if self._last is not None:
            return self._last["value"]
        assert self.spec is not None
        return self.spec.default()

    async def get_reading(self) -> Reading[T]:
        read = self._connected()
        return self.reading(await read.connection.read(read.name))

    async def get_value(self) -> T:
        read = self._connected()
        value = (await read.connection.read(read.name)).value
        decode = read.decode
        return value if decode is None else decode(value)

    async def get_setpoint(self) -> T:
        write = self._write_end()
        value = (await write.connection.read(write.name)).w_value
        decode = write.decode
        return value if decode is None else decode(value)

    async def put(self, value: T | None, wait: bool) -> None:
        write = self._write_end()
        if not write.codec.writable:
            raise ReadOnlyError(
                f"{write.trl.uri} is a read-only attribute on the server; "
                "it cannot be written"
            )
        encode = write.codec.encode
        try:
            await write.connection.proxy.write_attribute(
                write.name, value if encode is None else encode(value)
            )
        except DevFailed as e:
            raise RuntimeError(
                f"{write.trl.uri}: writing {value!r} failed: {describe_error(e)}"
            ) from None

    async def get_datakey(self, source: str) -> DataKey:
        assert self.spec is not None
        read = self._connected()
        codec = read.codec
        units, precision, limits = datakey_metadata(codec.info)
        return make_datakey(
            self.spec,
            source,
            value=await self.get_value(),
            dtype_numpy=codec.dtype_numpy if self.spec.dtype != "string" else None,
            choices=codec.choices,
            units=units,
            precision=precision,
            limits=limits,
        )

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
        self._callback = callback
        self._last = None
        if callback is None:
            return
        read = self._connected()
        self._monitor = Monitor(
            read.connection,
            read.trl.uri,
            read.name,
            read.trl.poll_period or DEFAULT_POLL_PERIOD,
            self._on_reading,
            self._on_lost,
        )

    def _on_reading(self, raw: TangoReading) -> None:
        callback = self._callback
        if callback is not None:
            reading = self._last = self.reading(raw)
            callback(reading)

    def _on_lost(self, reason: str) -> None:
        callback = self._callback
        spec = self.spec
        assert spec is not None
        reading = disconnected_reading(self._last, spec, self._read_trl.uri, reason)
        if reading is not None and callback is not None:
            self._last = reading
            callback(reading)

    def cached_reading(self) -> Reading[T] | None:
        return self._last


def _parsed(uri: str | TangoTrl) -> TangoTrl:
    return uri if isinstance(uri, TangoTrl) else parse_trl(uri)


class TangoTransport:
    """Makes attribute backends, or command backends for ``signal_x``."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        if datatype is None:
            return TangoCommandBackend(write_uri)
        return TangoAttributeBackend(datatype, read_uri, write_uri)
