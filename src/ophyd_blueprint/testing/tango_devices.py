"""Tango device classes served by `tango_server` for the tests and the demo.

`TypesDevice` has an attribute of every supported type (scalar, spectrum and
image; read-only and writable; with units, format and limits), a manually
pushed ``counter``, an attribute whose quality a command sets, and commands
with and without arguments. `MotorDevice` simulates a motor: writing
``Position`` moves it at ``Velocity``, State is MOVING then ON, and Position
and State change events are pushed from the server; ``PositionReads`` counts
the reads of ``Position`` (a client polling it shows there).
"""

from __future__ import annotations

import importlib
import threading
import time
import types
from typing import Any

import numpy as np
from tango import AttrQuality, AttrWriteType, CmdArgType, DevState

__all__ = [
    "ENUM_LABELS",
    "IMAGE_SHAPE",
    "SPECTRUM_LENGTH",
    "MotorDevice",
    "TypesDevice",
]

# pytango ships no type stub for tango.server: its names are used as Any.
_server: Any = importlib.import_module("tango.server")
Device: Any = _server.Device
attribute: Any = _server.attribute
command: Any = _server.command

ENUM_LABELS = ("Off", "low gain", "HIGH Gain")
"""Labels of ``enum_scalar``: mixed case and spaces on purpose."""

SPECTRUM_LENGTH = 5
IMAGE_SHAPE = (3, 4)
"""(rows, columns) of the image attributes."""

_SCALARS: dict[str, tuple[CmdArgType, Any]] = {
    "boolean": (CmdArgType.DevBoolean, True),
    "short": (CmdArgType.DevShort, -3),
    "ushort": (CmdArgType.DevUShort, 3),
    "long": (CmdArgType.DevLong, -70000),
    "ulong": (CmdArgType.DevULong, 70000),
    "long64": (CmdArgType.DevLong64, -(2**40)),
    "ulong64": (CmdArgType.DevULong64, 2**40),
    "float": (CmdArgType.DevFloat, 1.5),
    "double": (CmdArgType.DevDouble, 3.25),
    "uchar": (CmdArgType.DevUChar, 7),
    "string": (CmdArgType.DevString, "hello"),
    "enum": (CmdArgType.DevEnum, 1),
}
_NUMPY: dict[str, type[np.generic]] = {
    "boolean": np.bool_,
    "short": np.int16,
    "ushort": np.uint16,
    "long": np.int32,
    "ulong": np.uint32,
    "long64": np.int64,
    "ulong64": np.uint64,
    "float": np.float32,
    "double": np.float64,
    "uchar": np.uint8,
}
_IMAGES = ("double", "ushort", "uchar")
_METADATA: dict[str, Any] = {
    "unit": "mm",
    "format": "%6.3f",
    "min_value": -100.0,
    "max_value": 100.0,
    "min_alarm": -90.0,
    "max_alarm": 90.0,
    "min_warning": -80.0,
    "max_warning": 80.0,
}


def _initial_values() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kind, (_, scalar) in _SCALARS.items():
        values[f"{kind}_scalar"] = scalar
        if kind in _NUMPY:
            values[f"{kind}_spectrum"] = np.arange(SPECTRUM_LENGTH).astype(_NUMPY[kind])
        if kind in _IMAGES:
            image = np.arange(IMAGE_SHAPE[0] * IMAGE_SHAPE[1]).reshape(IMAGE_SHAPE)
            values[f"{kind}_image"] = image.astype(_NUMPY[kind])
    values["string_spectrum"] = ["a", "b", "c"]
    values["double_readonly"] = 1.234
    values["state_scalar"] = DevState.ON
    return values


def _stored(name: str, writable: bool, **options: Any) -> Any:
    """An attribute whose value lives in ``self.values[name]``."""

    def read(self: Any) -> Any:
        return self.values[name]

    def write(self: Any, value: Any) -> None:
        self.values[name] = value

    if writable:
        return attribute(
            name=name, fget=read, fset=write, access=AttrWriteType.READ_WRITE, **options
        )
    return attribute(name=name, fget=read, **options)


def _type_attributes() -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for kind, (dtype, _) in _SCALARS.items():
        extra: dict[str, Any] = _METADATA if kind == "double" else {}
        if kind == "enum":
            extra = {"enum_labels": list(ENUM_LABELS)}
        name = f"{kind}_scalar"
        attrs[name] = _stored(name, True, dtype=dtype, **extra)
        if kind in _NUMPY or kind == "string":
            name = f"{kind}_spectrum"
            attrs[name] = _stored(name, True, dtype=(dtype,), max_dim_x=64)
        if kind in _IMAGES:
            name = f"{kind}_image"
            attrs[name] = _stored(
                name, True, dtype=((dtype,),), max_dim_x=64, max_dim_y=64
            )
    attrs["double_readonly"] = _stored(
        "double_readonly", False, dtype=CmdArgType.DevDouble, **_METADATA
    )
    attrs["state_scalar"] = _stored("state_scalar", False, dtype=CmdArgType.DevState)
    return attrs


class _TypesBase(Device):
    """What `TypesDevice` has beside its generated per-type attributes."""

    def init_device(self) -> None:
        Device.init_device(self)
        self.values = _initial_values()
        self.count = 0
        self.quality = AttrQuality.ATTR_VALID
        self.set_change_event("counter", True, False)
        self.set_change_event("quality_scalar", True, False)
        self.set_state(DevState.ON)

    @attribute(dtype=int)
    def counter(self) -> int:
        """Pushed by `Burst`; read, it gives the last value pushed."""
        return self.count

    @command(dtype_in=(int,), dtype_out=int)
    def Burst(self, args: Any) -> int:
        """Push ``count`` change events of ``counter``: ``start, start+1, ...``."""
        start, count = (int(a) for a in args)
        for value in range(start, start + count):
            self.count = value
            self.push_change_event("counter", value)
        return count

    @attribute(dtype=float)
    def quality_scalar(self) -> tuple[float, float, AttrQuality]:
        """A value whose quality `SetQuality` chooses."""
        return 5.0, time.time(), self.quality

    @command(dtype_in=str)
    def SetQuality(self, name: str) -> None:
        """Set the quality of ``quality_scalar`` (``VALID``, ``ALARM``, ...)."""
        self.quality = getattr(AttrQuality, f"ATTR_{name}")
        self.push_change_event("quality_scalar", 5.0, time.time(), self.quality)

    @command(dtype_in=float, dtype_out=float)
    def Scale(self, value: float) -> float:
        """Twice the argument."""
        return 2 * value

    @command(dtype_in=str, dtype_out=str)
    def Echo(self, text: str) -> str:
        return text

    @command(dtype_in=(float,), dtype_out=float)
    def Sum(self, values: Any) -> float:
        return float(np.sum(values))

    @command
    def Reset(self) -> None:
        """Set ``counter`` back to 0."""
        self.count = 0


TypesDevice: type = types.new_class(
    "TypesDevice",
    (_TypesBase,),
    exec_body=lambda namespace: namespace.update(_type_attributes()),
)


class MotorDevice(Device):
    """A simulated motor: ``Position`` moves at ``Velocity`` towards its setpoint."""

    _PERIOD = 0.02

    def init_device(self) -> None:
        Device.init_device(self)
        self.position = 0.0
        self.velocity = 10.0
        self.target = 0.0
        self.position_reads = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.set_change_event("Position", True, False)
        self.set_change_event("State", True, False)
        self.set_state(DevState.ON)
        self.ticker = threading.Thread(target=self._run, daemon=True)
        self.ticker.start()

    def delete_device(self) -> None:
        self.stopping.set()
        self.ticker.join(1.0)

    def _run(self) -> None:
        last = time.monotonic()
        while not self.stopping.wait(self._PERIOD):
            now = time.monotonic()
            with self.lock:
                if self.get_state() == DevState.MOVING:
                    self._step((now - last) * self.velocity)
            last = now

    def _step(self, distance: float) -> None:
        remaining = self.target - self.position
        if abs(remaining) <= distance:
            self.position = self.target
            self.set_state(DevState.ON)
            self.push_change_event("State", DevState.ON)
        else:
            self.position += distance if remaining > 0 else -distance
        self.push_change_event("Position", self.position)

    def _move_to(self, target: float) -> None:
        with self.lock:
            self.target = target
            if self.get_state() != DevState.MOVING:
                self.set_state(DevState.MOVING)
                self.push_change_event("State", DevState.MOVING)

    Position = attribute(
        dtype=float, access=AttrWriteType.READ_WRITE, unit="mm", format="%8.3f"
    )
    Velocity = attribute(
        dtype=float, access=AttrWriteType.READ_WRITE, unit="mm/s", min_value=0.0
    )

    def read_Position(self) -> float:
        self.position_reads += 1
        return self.position

    @attribute(dtype=int)
    def PositionReads(self) -> int:
        """How many times ``Position`` was read (pushed events are not reads)."""
        return self.position_reads

    def write_Position(self, target: float) -> None:
        self._move_to(target)

    def read_Velocity(self) -> float:
        return self.velocity

    def write_Velocity(self, velocity: float) -> None:
        self.velocity = velocity

    @command
    def Stop(self) -> None:
        """Stop where the motor is."""
        with self.lock:
            self.target = self.position
            if self.get_state() == DevState.MOVING:
                self.set_state(DevState.ON)
                self.push_change_event("State", DevState.ON)

    @command
    def Home(self) -> None:
        """Move to 0."""
        self._move_to(0.0)
