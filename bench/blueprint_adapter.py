"""ophyd-blueprint as one more adapter of the shared benchmark harness.

Used by ``make bench`` beside the raw client libraries and ophyd-async, in the
same run. It drives the public API the way a user does: signals from URIs,
connected together as one device tree; ``get_value``; ``set`` (waits for
completion); ``subscribe_value``; the signals themselves in the RunEngine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from harness.adapter import Capability, DType, SignalSpec, Subscription, ValueCallback

import ophyd_blueprint as ob
from ophyd_blueprint.core import get_transport

_DATATYPES: dict[DType, Any] = {
    "float": float,
    "int": int,
    "enum": str,
    "float_array": ob.Array1D[np.float64],
}


def _make_signal(spec: SignalSpec, name: str = "") -> ob.SignalRW[Any]:
    datatype = _DATATYPES[spec.dtype]
    if spec.scheme == "soft":
        return ob.soft_signal_rw(datatype, name=name)
    return ob.signal_rw(datatype, spec.address, name=name)


class _ValueSubscription:
    def __init__(self, signal: ob.SignalRW[Any], callback: ValueCallback) -> None:
        self._signal = signal
        self._callback = callback
        signal.subscribe_value(callback)

    def close(self) -> None:
        self._signal.clear_sub(self._callback)


class BlueprintAdapter:
    """ophyd-blueprint signals, devices and bluesky objects."""

    name = "ophyd_blueprint"
    capabilities: frozenset[Capability] = frozenset(
        {"ca", "pva", "tango", "soft", "device", "bluesky"}
    )

    def __init__(self) -> None:
        for scheme in ("ca", "pva", "tango", "soft"):
            get_transport(
                scheme
            )  # import the client libraries now, not in a timed call
        from ophyd_blueprint.transports.tango import connect_tango_device

        self._connect_tango_device = connect_tango_device

    async def connect(
        self, specs: Sequence[SignalSpec], timeout: float
    ) -> Sequence[ob.SignalRW[Any]]:
        signals = [_make_signal(spec) for spec in specs]
        tree = ob.DeviceVector(dict(enumerate(signals)), name="bench")
        await tree.connect(timeout=timeout)
        return signals

    async def get(self, handle: ob.SignalRW[Any]) -> Any:
        return await handle.get_value()

    async def put(self, handle: ob.SignalRW[Any], value: Any) -> None:
        await handle.set(value)

    async def subscribe(
        self, handle: ob.SignalRW[Any], callback: ValueCallback
    ) -> Subscription:
        return _ValueSubscription(handle, callback)

    async def connect_device(self, address: str, timeout: float) -> Any:
        return await self._connect_tango_device(address, timeout)

    async def read_device(self, device: Any) -> Mapping[str, Any]:
        readings = await device.read_all()  # one read_attributes round trip
        return {name: reading["value"] for name, reading in readings.items()}

    async def bluesky_readable(self, spec: SignalSpec, name: str) -> Any:
        signal = _make_signal(spec, name=name)
        await signal.connect()
        return signal

    async def bluesky_movable(
        self, setpoint: SignalSpec, readback: SignalSpec, name: str
    ) -> Any:
        signal = ob.signal_rw(float, setpoint.address, readback.address, name=name)
        await signal.connect()
        return signal

    async def close(self) -> None:
        return None
