"""A simulated areaDetector over Channel Access: ADSimDetector + NDFileHDF5.

Serves areaDetector's own record names (``$(P)cam1:...`` from ADBase.template,
``$(P)HDF1:...`` from NDFileHDF5.template) with caproto, so a blueprint that
connects here connects to a real ADSimDetector IOC too. Run it with
``python -m ophyd_blueprint.testing.sim_detector --prefix P: [--size 64x48]``;
`SimDetectorIoc` does that on a loopback port slot for tests and the demo.

What it keeps of the real thing, because clients depend on it:
- a put to a setpoint completes after its ``_RBV`` has the new value;
- ``Acquire`` and ``Capture`` are busy records: a put of 1 completes when the
  acquisition (or the capture) is over, a put of 0 stops it;
- ``FilePathExists_RBV`` follows ``FilePath``; ``CreateDirectory`` 0 means
  "do not create"; a missing directory makes ``Capture`` fail;
- frames go to a real HDF5 file (``/entry/data/data``, ``(frames, y, x)``
  uint16, and ``/entry/instrument/NDAttributes/NDArrayUniqueId``), in SWMR
  mode when ``SWMRMode`` is on, flushed per frame then and on ``FlushNow``;
  ``NumCaptured_RBV`` counts frames written.

A statistics plugin (``$(P)Stats1:``, NDStats.template names) computes each
frame's total, mean, sigma, minimum and maximum before the frame counts as
taken. Frames are `sim_frame` (predictable), one per ``AcquirePeriod`` (at least
``AcquireTime``) in internal trigger mode. With ``TriggerMode`` External (an
extra record a real SimDetector does not have), a frame is taken for each
put of 1 to ``$(P)cam1:SimTrigger`` (edge) while acquiring.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

from .output import announce
from .sim_frames import DTYPE, sim_frame

__all__ = ["DATASET", "READY", "UID_DATASET", "SimAreaDetector", "main"]

_caproto: Any = importlib.import_module("caproto")
h5py: Any = importlib.import_module("h5py")  # no type information shipped
_server: Any = importlib.import_module("caproto.asyncio.server")

READY = "Server startup complete."
"""Printed once the records are served."""
DATASET = "/entry/data/data"
UID_DATASET = "/entry/instrument/NDAttributes/NDArrayUniqueId"

_COLOR_MODES = ("Mono", "Bayer", "RGB1", "RGB2", "RGB3", "YUV444", "YUV422", "YUV421")
_DATA_TYPES = (
    "Int8",
    "UInt8",
    "Int16",
    "UInt16",
    "Int32",
    "UInt32",
    "Int64",
    "UInt64",
    "Float32",
    "Float64",
)
_IMAGE_MODES = ("Single", "Multiple", "Continuous")
_STATES = (
    "Idle",
    "Acquire",
    "Readout",
    "Correct",
    "Saving",
    "Aborting",
    "Error",
    "Waiting",
    "Initializing",
    "Disconnected",
    "Aborted",
)
_WRITE_MODES = ("Single", "Capture", "Stream")
_COMPRESSION = ("None", "N-bit", "szip", "zlib", "Blosc", "BSLZ4", "LZ4", "JPEG")
_ENABLE = ("Disable", "Enable")
_NO_YES = ("No", "Yes")
_OFF_ON = ("Off", "On")
_TRIGGER_MODES = ("Internal", "External")

PutHook = Callable[[Any], Awaitable[None]]


class _Records:
    """The channels of one plugin or driver, by record suffix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.pvdb: dict[str, Any] = {}

    def _add(self, suffix: str, channel: Any) -> Any:
        self.pvdb[self.prefix + suffix] = channel
        return channel

    def value(self, suffix: str) -> Any:
        return self.pvdb[self.prefix + suffix].value

    def enum_index(self, suffix: str) -> int:
        channel = self.pvdb[self.prefix + suffix]
        return int(channel.enum_strings.index(channel.value))

    async def set(self, suffix: str, value: Any) -> None:
        """Write as the IOC itself: no put hooks run."""
        await self.pvdb[self.prefix + suffix].write(value, verify_value=False)

    def readback(
        self, suffix: str, kind: str, value: Any, choices: tuple[str, ...] = ()
    ) -> None:
        self._add(suffix, _channel(kind, value, choices))

    def setpoint(
        self,
        name: str,
        kind: str,
        value: Any,
        choices: tuple[str, ...] = (),
        *,
        on_put: PutHook | None = None,
        rbv: bool = True,
    ) -> None:
        """``name`` (written) and ``name_RBV`` (read back before the put ends)."""
        setpoint = self._add(name, _channel(kind, value, choices))
        if rbv:
            self._add(f"{name}_RBV", _channel(kind, value, choices))
        records = self
        client_write = setpoint.write_from_dbr

        async def write_then_follow(*args: Any, **kwargs: Any) -> Any:
            result = await client_write(*args, **kwargs)
            if rbv:
                await records.set(f"{name}_RBV", setpoint.value)
            if on_put is not None:
                await on_put(setpoint.value)
            return result

        setpoint.write_from_dbr = write_then_follow


def _channel(kind: str, value: Any, choices: tuple[str, ...]) -> Any:
    if kind == "int":
        return _caproto.ChannelInteger(value=value)
    if kind == "float":
        return _caproto.ChannelDouble(value=value, precision=4)
    if kind == "str":
        return _caproto.ChannelString(value=value)
    if kind == "long":  # a CHAR waveform, as areaDetector's paths and names
        return _caproto.ChannelChar(value=value, max_length=256)
    return _caproto.ChannelEnum(value=value, enum_strings=choices)


_CONVERSION = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdiuf]")


def _c_format(template: str, *args: Any) -> str:
    """``template % args`` as C's sprintf does it: surplus arguments are unused."""
    return template % args[: len(_CONVERSION.findall(template))]


def _plugin_base(records: _Records, port: str, driver: bool) -> None:
    """NDPluginDriver/ADBase records shared by the driver and its plugins."""
    records.readback("PortName_RBV", "str", port)
    records.readback("UniqueId_RBV", "int", 0)
    records.setpoint("NDAttributesFile", "long", "", rbv=False)
    for axis in ("X", "Y", "Z"):
        records.readback(f"ArraySize{axis}_RBV", "int", 0)
    for dim in ("0", "1", "2"):
        suffix = f"ArraySize{dim}_RBV" if driver or dim == "2" else f"ArraySize{dim}"
        records.readback(suffix, "int", 0)
    records.readback("ColorMode_RBV", "enum", "Mono", _COLOR_MODES)
    records.readback("DataType_RBV", "enum", "UInt16", _DATA_TYPES)
    records.setpoint("ArrayCounter", "int", 0)
    records.readback("ADCoreVersion_RBV", "str", "3.12.1")
    records.readback("DriverVersion_RBV", "str", "ophyd-blueprint sim 1")


class SimAreaDetector:
    """The records and the behaviour of one simulated detector with an HDF5 plugin."""

    def __init__(self, prefix: str, width: int = 64, height: int = 48) -> None:
        self.width, self.height = width, height
        self.position: Callable[[float], tuple[float, float]] | None = None
        """Where the detector looks at a `time.monotonic` time, for the spot of
        the frame exposed then (None: no spot)."""
        self.cam = _Records(prefix + "cam1:")
        self.hdf = _Records(prefix + "HDF1:")
        self.stats = _Records(prefix + "Stats1:")
        self._acquiring: asyncio.Task[None] | None = None
        self._triggers: asyncio.Queue[float] = asyncio.Queue()
        self._capture_done: asyncio.Event | None = None
        self._file: Any = None
        self._file_name = ""
        self._driver_records()
        self._hdf_records()
        self._stats_records()

    @property
    def pvdb(self) -> dict[str, Any]:
        return {**self.cam.pvdb, **self.hdf.pvdb, **self.stats.pvdb}

    # -- the driver ----------------------------------------------------------

    def _driver_records(self) -> None:
        cam = self.cam
        _plugin_base(cam, "SIM1", driver=True)
        for suffix, size in (
            ("ArraySizeX_RBV", self.width),
            ("ArraySizeY_RBV", self.height),
            ("ArraySize0_RBV", self.width),
            ("ArraySize1_RBV", self.height),
        ):
            cam.pvdb[cam.prefix + suffix] = _channel("int", size, ())
        cam.setpoint("AcquireTime", "float", 0.01)
        cam.setpoint("AcquirePeriod", "float", 0.01)
        cam.setpoint("NumImages", "int", 1)
        cam.setpoint("ImageMode", "enum", "Single", _IMAGE_MODES)
        cam.setpoint("TriggerMode", "enum", "Internal", _TRIGGER_MODES)
        cam.readback("DetectorState_RBV", "enum", "Idle", _STATES)
        cam.setpoint(
            "Acquire", "enum", "Done", ("Done", "Acquire"), on_put=self._acquire
        )
        cam.setpoint("WaitForPlugins", "enum", "No", _NO_YES, rbv=False)
        cam.setpoint("SimTrigger", "int", 0, on_put=self._trigger, rbv=False)
        for name, text in (
            ("Manufacturer_RBV", "Simulated detector"),
            ("Model_RBV", "Basic simulator"),
            ("SerialNumber_RBV", "0001"),
            ("SDKVersion_RBV", "none"),
            ("FirmwareVersion_RBV", "none"),
        ):
            cam.readback(name, "str", text)

    async def _acquire(self, value: Any) -> None:
        if value == "Acquire":
            if self._acquiring is None or self._acquiring.done():
                self._acquiring = asyncio.ensure_future(self._run_acquisition())
            # a busy record: the put completes when the acquisition ends, also
            # when a put of 0 ended it
            await asyncio.wait([self._acquiring])
        elif self._acquiring is not None:
            self._acquiring.cancel()
            await asyncio.wait([self._acquiring])

    async def _trigger(self, value: Any) -> None:
        if value:
            self.edge()

    def edge(self, at: float | None = None) -> None:
        """An external trigger edge, as a put of 1 to ``cam1:SimTrigger``: for
        simulations in the same process wired to this detector's input. `at`
        is when it rose (`time.monotonic`, default now): the exposure starts
        then, even if the edge is delivered late."""
        self._triggers.put_nowait(time.monotonic() if at is None else at)

    async def _run_acquisition(self) -> None:
        cam = self.cam
        mode = cam.value("ImageMode")
        count = {"Single": 1, "Multiple": int(cam.value("NumImages"))}.get(mode, -1)
        exposure = float(cam.value("AcquireTime"))
        period = max(exposure, float(cam.value("AcquirePeriod")))
        external = cam.value("TriggerMode") == "External"
        while not self._triggers.empty():
            self._triggers.get_nowait()
        await cam.set("DetectorState_RBV", "Acquire")
        await cam.set("Acquire_RBV", "Acquire")
        start = time.monotonic()
        taken = 0
        writing: asyncio.Future[None] | None = None
        try:
            while count < 0 or taken < count:
                if external:
                    began = await self._triggers.get()
                else:  # the exposure ends a period after the last one ended
                    began = start + (taken + 1) * period - exposure
                await asyncio.sleep(max(0.0, began + exposure - time.monotonic()))
                taken += 1
                # a stop ends the exposure, never a frame half written
                writing = asyncio.ensure_future(self._frame(began + exposure / 2))
                await asyncio.shield(writing)
        finally:
            await asyncio.shield(self._idle(writing))

    async def _idle(self, writing: asyncio.Future[None] | None = None) -> None:
        if writing is not None:
            await asyncio.wait([writing])
        cam = self.cam
        await cam.set("DetectorState_RBV", "Idle")
        await cam.set("Acquire", "Done")
        await cam.set("Acquire_RBV", "Done")

    async def _frame(self, exposed: float) -> None:
        """Take the frame exposed around `exposed` (`time.monotonic`)."""
        cam = self.cam
        uid = int(cam.value("UniqueId_RBV")) + 1
        counter = int(cam.value("ArrayCounter")) + 1
        position = None if self.position is None else self.position(exposed)
        image = sim_frame(uid, self.width, self.height, position)
        await cam.set("UniqueId_RBV", uid)
        await cam.set("ArrayCounter", counter)
        await cam.set("ArrayCounter_RBV", counter)
        port = cam.value("PortName_RBV")
        stats = self.stats
        if stats.value("EnableCallbacks") == "Enable" and (
            stats.value("NDArrayPort") == port
        ):
            await self._stats_frame(uid, image)
        hdf = self.hdf
        if (
            hdf.value("EnableCallbacks") == "Enable"
            and hdf.value("NDArrayPort") == port
        ):
            await self._hdf_frame(uid, image)

    # -- the statistics plugin -----------------------------------------------

    def _stats_records(self) -> None:
        stats = self.stats
        _plugin_base(stats, "STATS1", driver=False)
        stats.setpoint("NDArrayPort", "str", "SIM1")
        stats.setpoint("EnableCallbacks", "enum", "Enable", _ENABLE)
        stats.setpoint("ComputeStatistics", "enum", "Yes", _NO_YES)
        for name in ("Total", "MeanValue", "SigmaValue", "MinValue", "MaxValue"):
            stats.readback(f"{name}_RBV", "float", 0.0)

    async def _stats_frame(self, uid: int, image: np.ndarray[Any, Any]) -> None:
        stats = self.stats
        await stats.set("UniqueId_RBV", uid)
        await stats.set("ArrayCounter_RBV", int(stats.value("ArrayCounter_RBV")) + 1)
        if stats.value("ComputeStatistics") != "Yes":
            return
        pixels = image.astype(np.float64)
        for name, value in (
            ("Total", pixels.sum()),
            ("MeanValue", pixels.mean()),
            ("SigmaValue", pixels.std()),
            ("MinValue", pixels.min()),
            ("MaxValue", pixels.max()),
        ):
            await stats.set(f"{name}_RBV", float(value))

    # -- the HDF5 file plugin ------------------------------------------------

    def _hdf_records(self) -> None:
        hdf = self.hdf
        _plugin_base(hdf, "HDF1", driver=False)
        hdf.setpoint("FilePath", "long", "", on_put=self._path_changed)
        hdf.readback("FilePathExists_RBV", "enum", "No", _NO_YES)
        hdf.setpoint("FileName", "long", "")
        hdf.setpoint("FileTemplate", "long", "%s%s_%6.6d.h5")
        hdf.readback("FullFileName_RBV", "long", "")
        hdf.setpoint("FileNumber", "int", 0, rbv=False)
        hdf.setpoint("AutoIncrement", "enum", "No", _NO_YES, rbv=False)
        hdf.setpoint("FileWriteMode", "enum", "Single", _WRITE_MODES)
        hdf.setpoint("NumCapture", "int", 1)
        hdf.readback("NumCaptured_RBV", "int", 0)
        hdf.setpoint(
            "Capture", "enum", "Done", ("Done", "Capture"), on_put=self._capture
        )
        hdf.setpoint("CreateDirectory", "int", 0, rbv=False)
        hdf.setpoint("NDArrayPort", "str", "SIM1")
        hdf.setpoint("EnableCallbacks", "enum", "Disable", _ENABLE)
        hdf.setpoint("NDArrayAddress", "int", 0)
        hdf.setpoint("QueueSize", "int", 20)
        hdf.setpoint("PositionMode", "enum", "Off", _OFF_ON)
        hdf.setpoint("Compression", "enum", "None", _COMPRESSION)
        hdf.setpoint("NumExtraDims", "int", 0)
        hdf.setpoint("SWMRMode", "enum", "Off", _OFF_ON)
        hdf.setpoint("FlushNow", "enum", "No", _NO_YES, on_put=self._flush, rbv=False)
        hdf.setpoint("XMLFileName", "long", "")
        hdf.setpoint("NumFramesChunks", "int", 1)
        hdf.setpoint("ChunkSizeAuto", "enum", "No", _NO_YES)
        hdf.setpoint("LazyOpen", "enum", "No", _NO_YES)

    async def _path_changed(self, value: Any) -> None:
        """As areaDetector: create the directory if asked, then say if it exists."""
        path = Path(str(value))
        if value and not path.is_dir() and int(self.hdf.value("CreateDirectory")):
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                print(f"HDF1: cannot create {path}: {error}", flush=True)
        exists = bool(value) and path.is_dir() and os.access(path, os.W_OK)
        await self.hdf.set("FilePathExists_RBV", "Yes" if exists else "No")

    async def _capture(self, value: Any) -> None:
        hdf = self.hdf
        if value != "Capture":
            await self._close_file()
            return
        if self._capture_done is not None:
            await self._capture_done.wait()  # already capturing: a put waits too
            return
        try:
            self._open_capture()
        except OSError as error:
            print(f"HDF1: capture refused: {error}", flush=True)
            await hdf.set("Capture", "Done")
            await hdf.set("Capture_RBV", "Done")
            raise
        await hdf.set("NumCaptured_RBV", 0)
        await hdf.set("Capture_RBV", "Capture")
        await hdf.set("FullFileName_RBV", self._file_name)
        if hdf.value("AutoIncrement") == "Yes":
            await hdf.set("FileNumber", int(hdf.value("FileNumber")) + 1)
        if hdf.value("LazyOpen") != "Yes":
            self._create_file()
        done = self._capture_done = asyncio.Event()
        await done.wait()

    def _open_capture(self) -> None:
        hdf = self.hdf
        if hdf.value("FileWriteMode") != "Stream":
            raise OSError("only FileWriteMode Stream is simulated")
        directory = Path(str(hdf.value("FilePath")))
        if not directory.is_dir():
            if int(hdf.value("CreateDirectory")) == 0:
                raise OSError(f"directory {directory} does not exist")
            directory.mkdir(parents=True, exist_ok=True)
        self._file_name = _c_format(
            str(hdf.value("FileTemplate")),
            str(hdf.value("FilePath")),
            str(hdf.value("FileName")),
            int(hdf.value("FileNumber")),
        )
        if os.path.exists(self._file_name):
            raise OSError(f"{self._file_name} exists; it is never overwritten")

    def _create_file(self) -> None:
        hdf = self.hdf
        f = h5py.File(self._file_name, "w", libver="latest")
        chunk = max(1, int(hdf.value("NumFramesChunks")))
        compression = "gzip" if hdf.value("Compression") == "zlib" else None
        f.create_dataset(
            DATASET,
            shape=(0, self.height, self.width),
            maxshape=(None, self.height, self.width),
            chunks=(chunk, self.height, self.width),
            dtype=DTYPE,
            compression=compression,
        )
        f.create_dataset(UID_DATASET, shape=(0,), maxshape=(None,), dtype=np.int32)
        if hdf.value("SWMRMode") == "On":
            f.swmr_mode = True
        self._file = f

    async def _hdf_frame(self, uid: int, image: np.ndarray[Any, Any]) -> None:
        hdf = self.hdf
        if self._capture_done is None:
            return
        if self._file is None:
            self._create_file()
        f = self._file
        assert f is not None
        data: Any = f[DATASET]
        uids: Any = f[UID_DATASET]
        n = int(data.shape[0])
        data.resize(n + 1, axis=0)
        data[n] = image
        uids.resize(n + 1, axis=0)
        uids[n] = uid
        if f.swmr_mode:
            f.flush()
        await hdf.set("UniqueId_RBV", uid)
        await hdf.set("ArrayCounter_RBV", int(hdf.value("ArrayCounter_RBV")) + 1)
        await hdf.set("NumCaptured_RBV", n + 1)
        wanted = int(hdf.value("NumCapture"))
        if wanted > 0 and n + 1 >= wanted:
            await self._close_file()

    async def _flush(self, value: Any) -> None:
        if value == "Yes":
            if self._file is not None:
                self._file.flush()
            await self.hdf.set("FlushNow", "No")

    async def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        done, self._capture_done = self._capture_done, None
        await self.hdf.set("Capture", "Done")
        await self.hdf.set("Capture_RBV", "Done")
        if done is not None:
            done.set()

    async def serve(self, interfaces: list[str], ready_line: str = READY) -> None:
        """Serve the records until cancelled; print `ready_line` once serving."""

        async def tell(_async_lib: Any) -> None:
            announce(ready_line)

        await _server.start_server(self.pvdb, interfaces=interfaces, startup_hook=tell)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A simulated areaDetector.")
    parser.add_argument("--prefix", required=True, help="e.g. BL01:DET:")
    parser.add_argument("--size", default="64x48", help="WIDTHxHEIGHT of frames")
    parser.add_argument("--interface", default="127.0.0.1")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in str(args.size).split("x"))

    async def run() -> None:
        detector = SimAreaDetector(str(args.prefix), width, height)
        await detector.serve([str(args.interface)])

    asyncio.run(run())


if __name__ == "__main__":
    main()
