"""The control-system-agnostic runtime: signals, devices, status, datatypes.

Every public name is imported with the package except `Table`, a pydantic
model: it is imported on first use (and so is not in ``__all__``), so that
code using only signals and devices does not import pydantic.
"""

from typing import TYPE_CHECKING, Any

from .backend import DISCONNECTED, ReadingCallback, SignalBackend
from .datatypes import (
    Array1D,
    DatatypeSpec,
    StrictEnum,
    SubsetEnum,
    datatype_name,
    datatype_spec,
    make_datakey,
)
from .device import DEFAULT_TIMEOUT, Device, DeviceVector
from .errors import (
    DatatypeMismatchError,
    FailureKind,
    LogicNotBoundError,
    NoAnswerError,
    NotConnectedError,
)
from .flypath import FlyPath, path_of
from .mock import (
    MockSignalBackend,
    PutCall,
    callback_on_mock_put,
    get_mock_put_calls,
    set_mock_put_error,
    set_mock_put_proceeds,
    set_mock_value,
)
from .observe import observe_value, set_and_wait_for_value, wait_for_value
from .readable import ReadCategory, StandardReadable
from .signal import ReadOnlyError, Signal, SignalR, SignalRW, SignalW, SignalX
from .soft import SoftSignalBackend
from .status import AsyncStatus, WatchableAsyncStatus, Watcher, WatcherUpdate
from .transport import (
    Transport,
    TransportNotAvailableError,
    get_transport,
    make_backend,
    register_transport,
    signal_r,
    signal_rw,
    signal_w,
    signal_x,
    soft_signal_r_and_setter,
    soft_signal_rw,
    split_uri,
)
from .triggers import DetectorTrigger, TriggerInfo

if TYPE_CHECKING:
    from .table import Table as Table

__all__ = [
    "DEFAULT_TIMEOUT",
    "DISCONNECTED",
    "Array1D",
    "AsyncStatus",
    "DatatypeMismatchError",
    "DatatypeSpec",
    "DetectorTrigger",
    "Device",
    "DeviceVector",
    "FailureKind",
    "FlyPath",
    "LogicNotBoundError",
    "MockSignalBackend",
    "NoAnswerError",
    "NotConnectedError",
    "PutCall",
    "ReadCategory",
    "ReadOnlyError",
    "ReadingCallback",
    "Signal",
    "SignalBackend",
    "SignalR",
    "SignalRW",
    "SignalW",
    "SignalX",
    "SoftSignalBackend",
    "StandardReadable",
    "StrictEnum",
    "SubsetEnum",
    "Transport",
    "TransportNotAvailableError",
    "TriggerInfo",
    "WatchableAsyncStatus",
    "Watcher",
    "WatcherUpdate",
    "callback_on_mock_put",
    "datatype_name",
    "datatype_spec",
    "get_mock_put_calls",
    "get_transport",
    "make_backend",
    "make_datakey",
    "observe_value",
    "path_of",
    "register_transport",
    "set_and_wait_for_value",
    "set_mock_put_error",
    "set_mock_put_proceeds",
    "set_mock_value",
    "signal_r",
    "signal_rw",
    "signal_w",
    "signal_x",
    "soft_signal_r_and_setter",
    "soft_signal_rw",
    "split_uri",
    "wait_for_value",
]


def __getattr__(name: str) -> Any:
    """`Table`, imported on first use."""
    if name == "Table":
        from .table import Table

        return Table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
