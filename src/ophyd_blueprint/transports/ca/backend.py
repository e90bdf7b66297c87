"""``ca://PV``: EPICS Channel Access through aioca.

Connect checks each channel's native type once and keeps two converters (a
live-typed signal first takes its datatype from the read channel's type and
count, and choices for an enum: `convert.server_type`); the hot paths (get,
put, monitor update) are one aioca call and one conversion.
Metadata (units, precision, limits) is fetched only when a signal is
described. Long strings: read a CHAR waveform, or a string field with ``$``
(``ca://P:LSI.VAL$``), as ``str``.
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
from ophyd_blueprint.core.device import DEFAULT_TIMEOUT
from ophyd_blueprint.core.errors import NoAnswerError, NotConnectedError
from ophyd_blueprint.core.live_type import datatype_of
from ophyd_blueprint.core.transport import split_uri

from . import client as ca
from .convert import (
    CaConversion,
    conversion_for,
    extra_pv,
    limits_of,
    needs,
    server_type,
)

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["CaSignalBackend", "CaTransport", "close_all_channels"]

T = TypeVar("T")
_SCHEME = "ca://"


class CaSignalBackend(SignalBackend[T]):
    """One CA channel to read (and maybe another to write) for one signal."""

    __slots__ = (
        "_callback",
        "_monitor",
        "_read",
        "_read_pv",
        "_reading",
        "_timeout",
        "_write",
        "_write_pv",
    )

    def __init__(self, datatype: type[T] | None, read_pv: str, write_pv: str) -> None:
        super().__init__(datatype)
        self._read_pv = read_pv
        self._write_pv = write_pv
        self._read: CaConversion | None = None
        self._write: CaConversion | None = None
        self._timeout = DEFAULT_TIMEOUT
        self._monitor: ca.Monitor | None = None
        self._callback: ReadingCallback[T] | None = None
        self._reading: Reading[T] | None = None

    def source(self, name: str, read: bool) -> str:
        return _SCHEME + (self._read_pv if read else self._write_pv)

    async def connect(self, timeout: float) -> None:
        if self._write is not None:
            return
        # One PV: the caller (`Device.connect`) bounds the wait and names the
        # PV if it stays silent; a timer per PV here would only repeat that,
        # at a cost felt when thousands connect. A read/write pair times each
        # PV itself, so the error says which of the two is missing.
        self._timeout = timeout
        if self.is_trigger:
            await self._channel(self._write_pv, None)
            self._write = _TRIGGER
            return
        if self._read_pv == self._write_pv:
            self._read = self._write = await self._conversion(self._read_pv, None)
            return
        if self.spec is None:  # live-typed: the read PV gives the write end's type
            self._read, _ = await asyncio.gather(
                self._conversion(self._read_pv, timeout),
                self._channel(self._write_pv, timeout),
            )
            self._write = await self._conversion(self._write_pv, timeout)
            return
        self._read, self._write = await asyncio.gather(
            self._conversion(self._read_pv, timeout),
            self._conversion(self._write_pv, timeout),
        )

    async def _channel(self, pv: str, timeout: float | None) -> tuple[int, int]:
        """The PV's DBF type and element count, once connected.

        With `timeout` None the caller bounds the wait.
        """
        if timeout is None:
            return await ca.channel_type(pv)
        try:
            async with asyncio.timeout(timeout):
                return await ca.channel_type(pv)
        except TimeoutError:
            raise NoAnswerError(_SCHEME + pv, timeout) from None

    async def _conversion(self, pv: str, timeout: float | None) -> CaConversion:
        """The conversion of the signal's datatype on `pv`; a live-typed signal
        takes its datatype from `pv` first."""
        field, count = await self._channel(pv, timeout)
        spec = self.spec
        if spec is None:
            choices = await self._extra(pv, "enums") if field == ca.DBF_ENUM else ()
            found = server_type(field, count, choices)
            spec = self.take_datatype(datatype_of(found, _SCHEME + pv))
            return conversion_for(spec, _SCHEME + pv, field, count, choices)
        need = needs(spec, field)
        extra = None if need is None else await self._extra(pv, need)
        return conversion_for(spec, _SCHEME + pv, field, count, extra)

    async def _extra(self, pv: str, need: str) -> Any:
        """What `needs` asked for: the channel's choices, or a record field."""
        fmt = ca.FORMAT_CTRL if need == "enums" else ca.FORMAT_RAW
        dbr = None if need == "enums" else ca.DBR_STRING
        about = extra_pv(pv, need)
        try:
            got = await self._get(about, dbr, fmt)
        except TimeoutError:
            raise NoAnswerError(_SCHEME + about, self._timeout) from None
        return got.enums if need == "enums" else got

    async def _get(self, pv: str, dbr: int | None, fmt: int) -> Any:
        timeout = self._timeout
        try:
            async with asyncio.timeout(timeout):
                return await ca.caget(pv, datatype=dbr, format=fmt, timeout=None)
        except TimeoutError:
            raise TimeoutError(
                f"{_SCHEME}{pv}: no value within {timeout} s (disconnected?)"
            ) from None

    def _connected(self, conversion: CaConversion | None) -> CaConversion:
        if conversion is None:
            raise NotConnectedError(
                "not connected; call connect() first", source=self.source("", True)
            )
        return conversion

    async def put(self, value: T | None, wait: bool) -> None:
        conversion = self._connected(self._write)
        native = 1 if value is None else conversion.to_ca(value)
        try:
            await ca.caput(
                self._write_pv, native, datatype=conversion.dbr, wait=wait, timeout=None
            )
        except ca.CANothing as e:
            raise RuntimeError(
                f"put of {value!r} to {_SCHEME}{self._write_pv} failed: {e}"
            ) from None

    async def get_value(self) -> T:
        conversion = self._connected(self._read)
        value = await self._get(self._read_pv, conversion.dbr, ca.FORMAT_RAW)
        return conversion.to_python(value)

    async def get_reading(self) -> Reading[T]:
        conversion = self._connected(self._read)
        value = await self._get(self._read_pv, conversion.dbr, ca.FORMAT_TIME)
        return {
            "value": conversion.to_python(value),
            "timestamp": value.timestamp,
            "alarm_severity": value.severity,
        }

    async def get_setpoint(self) -> T:
        conversion = self._connected(self._write)
        value = await self._get(self._write_pv, conversion.dbr, ca.FORMAT_RAW)
        return conversion.to_python(value)

    async def get_datakey(self, source: str) -> DataKey:
        conversion = self._connected(self._read)
        spec = self.spec
        assert spec is not None, "a trigger has no datakey"
        if spec.dtype == "string":
            return make_datakey(
                spec,
                source,
                dtype_numpy=conversion.dtype_numpy,
                shape=conversion.shape,
                choices=conversion.choices,
            )
        ctrl = await self._get(self._read_pv, conversion.dbr, ca.FORMAT_CTRL)
        units = getattr(ctrl, "units", None)
        return make_datakey(
            spec,
            source,
            value=conversion.to_python(ctrl),
            dtype_numpy=conversion.dtype_numpy,
            shape=conversion.shape,
            choices=conversion.choices,
            units=units if units else None,
            precision=getattr(ctrl, "precision", None),
            limits=limits_of(ctrl),
        )

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
            self._reading = None
        self._callback = callback
        if callback is not None:
            conversion = self._connected(self._read)
            self._monitor = ca.camonitor(
                self._read_pv,
                self._on_update,
                datatype=conversion.dbr,
                format=ca.FORMAT_TIME,
                all_updates=True,
                notify_disconnect=True,
            )

    def _on_update(self, value: Any) -> None:
        if isinstance(value, ca.CANothing):
            self._on_lost(str(value))
            return
        conversion = self._read
        assert conversion is not None
        reading: Reading[T] = {
            "value": conversion.to_python(value),
            "timestamp": value.timestamp,
            "alarm_severity": value.severity,
        }
        self._reading = reading
        callback = self._callback
        if callback is not None:
            callback(reading)

    def _on_lost(self, reason: str) -> None:
        spec = self.spec
        assert spec is not None
        source = _SCHEME + self._read_pv
        reading = disconnected_reading(self._reading, spec, source, reason)
        callback = self._callback
        if reading is not None and callback is not None:
            self._reading = reading
            callback(reading)

    def cached_reading(self) -> Reading[T] | None:
        return self._reading


def _no_read(value: Any) -> Any:
    raise TypeError("a trigger has no value to read")


_TRIGGER = CaConversion(None, _no_read, int, "", [])
"""The write end of a `signal_x`: puts 1 (e.g. to ``.PROC``)."""


class CaTransport:
    """Makes `CaSignalBackend` for ``ca://`` URIs."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> CaSignalBackend[Any]:
        read_pv = split_uri(read_uri, "ca")[1]
        write_pv = read_pv if write_uri == read_uri else split_uri(write_uri, "ca")[1]
        return CaSignalBackend(datatype, read_pv, write_pv)


async def close_all_channels() -> None:
    """Close every CA channel and monitor of this process, on every loop.

    For the end of a session whose IOCs stop next (a test session, the demo):
    with no channel open, libca has no lost circuit to report. Only there: CA
    signals are not to be used afterwards (their monitors are gone, so their
    cached readings would never change again).
    """
    ca.purge_channel_caches()
