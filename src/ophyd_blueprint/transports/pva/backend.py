"""``pva://PV``: PV Access through p4p, for every normative type a signal can carry.

NTScalar, NTScalarArray, NTEnum, NTTable (a `Table` subclass) and NTNDArray
(an n-D ``np.ndarray``, read and written). The datatype is checked against the
PV's structure at connect, and the few functions the hot paths need are fixed
there (see `convert`).

Which server: by default all signals share one client context configured from
the ``EPICS_PVA_*`` environment. `use_pva_config` points the signals made
afterwards at another context (e.g. one IOC's ports); `PvaTransport(conf)`
does the same for one transport instance.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ophyd_blueprint.core.backend import (
    ReadingCallback,
    SignalBackend,
    disconnected_reading,
)
from ophyd_blueprint.core.datatypes import make_datakey
from ophyd_blueprint.core.device import DEFAULT_TIMEOUT
from ophyd_blueprint.core.errors import NoAnswerError, NotConnectedError
from ophyd_blueprint.core.transport import split_uri

from .client import PvaClient, PvaMonitor, PvaRequest, PvaStructure, make_request
from .convert import PvaConverter, make_converter, metadata_of

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["PvaSignalBackend", "PvaTransport", "pva_client", "use_pva_config"]

T = TypeVar("T")

SCALAR_QUEUE = 1000
"""Monitor queue length (client and server) for scalars: updates are not squashed
unless the loop falls this far behind."""
ARRAY_QUEUE = 64
"""Monitor queue length for arrays, tables and images, to bound memory."""

_clients: dict[frozenset[tuple[str, str]] | None, PvaClient] = {}
_default_conf: Mapping[str, str] | None = None
_requests: dict[str, PvaRequest] = {}


def pva_client(conf: Mapping[str, str] | None = None) -> PvaClient:
    """The shared client for `conf` (None: from the environment), made on first use."""
    key = None if conf is None else frozenset(conf.items())
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = PvaClient(conf)
    return client


def use_pva_config(conf: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """Make signals created from now on use a context with `conf`; returns the old.

    `conf` holds ``EPICS_PVA_ADDR_LIST``, ``EPICS_PVA_AUTO_ADDR_LIST``,
    ``EPICS_PVA_SERVER_PORT``, ``EPICS_PVA_BROADCAST_PORT``; None goes back to
    the environment.
    """
    global _default_conf
    old, _default_conf = _default_conf, None if conf is None else dict(conf)
    return old


def _request(text: str) -> PvaRequest:
    request = _requests.get(text)
    if request is None:
        request = _requests[text] = make_request(text)
    return request


_NOT_YET = "not connected; call connect() first"
_FULL = "field()"
_PUT = {True: "field()record[block=true]", False: "field()record[block=false]"}
_PROCESS = {
    True: "field()record[block=true,process=true]",
    False: "field()record[block=false,process=true]",
}


class PvaTransport:
    """Makes `PvaSignalBackend` objects; `conf` None follows `use_pva_config`."""

    def __init__(self, conf: Mapping[str, str] | None = None) -> None:
        self.conf = conf

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        conf = self.conf if self.conf is not None else _default_conf
        return PvaSignalBackend(datatype, read_uri, write_uri, pva_client(conf))


class PvaSignalBackend(SignalBackend[T]):
    """Reads one PV and writes another (often the same) over PV Access."""

    __slots__ = (
        "_callback",
        "_client",
        "_convert",
        "_last",
        "_monitor",
        "_read",
        "_read_pv",
        "_read_uri",
        "_reading_request",
        "_timeout",
        "_value_request",
        "_write",
        "_write_pv",
        "_write_uri",
    )

    def __init__(
        self, datatype: type[T] | None, read_uri: str, write_uri: str, client: PvaClient
    ) -> None:
        super().__init__(datatype)
        self._client = client
        self._read_uri, self._write_uri = read_uri, write_uri
        self._read_pv = split_uri(read_uri, "pva")[1]
        self._write_pv = split_uri(write_uri, "pva")[1]
        self._timeout = DEFAULT_TIMEOUT
        self._read: PvaConverter | None = None
        self._write: PvaConverter | None = None
        self._convert: Any = None
        self._value_request: PvaRequest = None
        self._reading_request: PvaRequest = None
        self._monitor: PvaMonitor | None = None
        self._callback: ReadingCallback[T] | None = None
        self._last: Reading[T] | None = None

    def source(self, name: str, read: bool) -> str:
        return self._read_uri if read else self._write_uri

    async def connect(self, timeout: float) -> None:
        if self._write is not None:
            return
        self._timeout = timeout
        pvs = [self._write_pv]
        if self.spec is not None and self._read_pv != self._write_pv:
            pvs.append(self._read_pv)
        structures = await self._client.get_many(pvs, _request(_FULL), timeout)
        for pv, found in zip(pvs, structures, strict=True):
            if isinstance(found, TimeoutError):
                raise NoAnswerError(f"pva://{pv}", timeout)
            if isinstance(found, Exception):
                raise NotConnectedError(str(found), source=f"pva://{pv}")
        spec = self.spec
        if spec is None:
            self._write = _trigger_converter(structures[0])
            return
        write = make_converter(spec, structures[0], self._write_uri)
        read = (
            make_converter(spec, structures[1], self._read_uri)
            if len(structures) > 1
            else write
        )
        self._read, self._convert = read, read.read
        self._value_request = _request(f"field({read.fields})")
        self._reading_request = _request(f"field({read.fields},alarm,timeStamp)")
        self._write = write

    def _connected(self) -> PvaConverter:
        if self._read is None:
            raise NotConnectedError(_NOT_YET, source=self._read_uri)
        return self._read

    async def put(self, value: T | None, wait: bool) -> None:
        write = self._write
        if write is None:
            raise NotConnectedError(_NOT_YET, source=self._write_uri)
        requests = _PUT if self.spec is not None else _PROCESS
        await self._client.put(
            self._write_pv, write.write(value), _request(requests[wait]), self._timeout
        )

    def _reading(self, s: PvaStructure) -> Reading[T]:
        return {
            "value": self._convert(s),
            "timestamp": _timestamp(s),
            "alarm_severity": _severity(s),
        }

    async def get_reading(self) -> Reading[T]:
        self._connected()
        s = await self._client.get(self._read_pv, self._reading_request, self._timeout)
        return self._reading(s)

    async def get_value(self) -> T:
        self._connected()
        s = await self._client.get(self._read_pv, self._value_request, self._timeout)
        return self._convert(s)

    async def get_setpoint(self) -> T:
        write = self._write
        if write is None:
            raise NotConnectedError(_NOT_YET, source=self._write_uri)
        request = _request(f"field({write.fields})")
        s = await self._client.get(self._write_pv, request, self._timeout)
        return write.read(s)

    async def get_datakey(self, source: str) -> DataKey:
        read = self._connected()
        spec = self.spec
        assert spec is not None, "a trigger has no datakey"
        s = await self._client.get(self._read_pv, _request(_FULL), self._timeout)
        units, precision, limits = metadata_of(s, read)
        return make_datakey(
            spec,
            source,
            value=read.read(s),
            dtype_numpy=read.dtype_numpy,
            choices=read.choices,
            units=units or None,
            precision=precision,
            limits=limits,
        )

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
            self._last = None
        self._callback = callback
        if callback is None:
            return
        read = self._connected()
        queue = (
            SCALAR_QUEUE
            if read.fields == "value" and not _is_array(read)
            else ARRAY_QUEUE
        )
        request = _request(
            f"field({read.fields},alarm,timeStamp)record[queueSize={queue}]"
        )
        self._monitor = self._client.monitor(self._read_pv, request, self._on_item)

    def _on_item(self, item: Any) -> None:
        callback = self._callback
        if callback is None:
            return
        if isinstance(item, Exception):
            spec = self.spec
            assert spec is not None
            lost = disconnected_reading(self._last, spec, self._read_uri, str(item))
            if lost is None:
                return
            reading = lost
        else:
            reading = self._reading(item)
        self._last = reading
        callback(reading)

    def cached_reading(self) -> Reading[T] | None:
        return self._last


def _is_array(converter: PvaConverter) -> bool:
    return converter.native.endswith("array")


def _trigger_converter(structure: PvaStructure) -> PvaConverter:
    """A SignalX writes 1 (the enum index 1 on an enum PV) and processes."""
    enum = "NTEnum" in structure.getID()
    field = "value.index" if enum else "value"

    def write(_value: Any) -> Any:
        def build(s: PvaStructure) -> None:
            s[field] = 1

        return build

    return PvaConverter("trigger", field, lambda s: None, write, "")


def _timestamp(s: PvaStructure) -> float:
    """The PV's timestamp; now, for a structure without one (a QSRV group of
    plain fields, such as pandablocks-ioc's ``DATA:DATASETS``)."""
    try:
        return s["timeStamp.secondsPastEpoch"] + s["timeStamp.nanoseconds"] * 1e-9
    except KeyError:
        return time.time()


def _severity(s: PvaStructure) -> int:
    try:
        return s["alarm.severity"]
    except KeyError:
        return 0
