"""`SimPandA`: the simulated PandA's TCP server, in a thread of its own.

It serves the control port 8888 and the data port 8889 on a loopback
address of its own (127.0.0.x: the ports are fixed, so each instance, in
this process or another, binds the first free address from one chosen by
process id), and advances the simulation on a clock (every `tick` seconds,
and before each command so that an arm happens when it is asked for).

    with SimPandA(encoder_position=lambda n, t: 1000 * t) as panda:
        ...  # pandablocks-ioc or a pandablocks client at panda.host
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import traceback
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..lifecycle import Started
from .blocks import BLOCKS, CLOCK_HZ
from .capture import CaptureRun
from .engine import EdgeWatcher, EncoderPosition, Engine, constant_position
from .framing import DataFormat, encode_frame, header, parse_options
from .protocol import ControlSession
from .store import Store

__all__ = ["CONTROL_PORT", "DATA_PORT", "SimPandA", "SimPandAError"]

CONTROL_PORT = 8888
DATA_PORT = 8889
_ADDRESSES = 250
_IDLE_TICK = 0.01
"""Seconds between steps while no block waits on a position (a command steps
at once; a timer due meanwhile is stepped to at its own time)."""
_STALL = 0.25
"""A clock step this much later than asked for is a stall, and kept: the
server thread was held up (another thread of the process held the GIL)."""


class SimPandAError(RuntimeError):
    """The simulated PandA could not start (no free address) or stop."""


@dataclass
class _DataClient:
    writer: asyncio.StreamWriter
    format: DataFormat
    run: CaptureRun | None = None


@dataclass
class CapturedRun:
    """A finished (or running) capture, kept for tests to compare with."""

    columns: list[str]
    rows: list[list[float]] = field(default_factory=list[list[float]])
    reason: str | None = None


class SimPandA(Started):
    """A simulated PandA serving on ``host`` (127.0.0.x) once started."""

    def __init__(
        self,
        *,
        encoder_position: EncoderPosition = constant_position,
        tick: float = 0.002,
        sample_period: float = 0.001,
    ) -> None:
        self.host = ""
        self.tick = tick
        self.store = Store(BLOCKS)
        self.engine = Engine(
            self.store,
            encoder_position,
            self._capture_started,
            self._capture_ended,
            sample_ticks=round(sample_period * CLOCK_HZ),
        )
        self.runs: list[CapturedRun] = []
        self._clients: list[_DataClient] = []
        self._origin = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.errors: list[str] = []
        """Tracebacks of the simulation's own failures (a bug, or an encoder
        function that raised): each answered ``ERR`` or skipped a step,
        without dropping a client; `PandaIoc` shows them in its log tail."""
        self.stalls: list[tuple[float, float]] = []
        """(seconds, lasted) of the latest times the server thread was held
        up for more than a quarter of a second: it answered nothing meanwhile
        (pandablocks-ioc gives a PandA up after 1 s without an answer)."""
        self._answering: asyncio.Event | None = None

    # -- public -------------------------------------------------------------

    def held_up(self, last: int) -> list[str]:
        """The `last` latest `stalls`, each as ``at T s for D s``."""
        return [f"at {t:.1f} s for {d:.2f} s" for t, d in self.stalls[-last:]]

    def watch(self, watcher: EdgeWatcher) -> None:
        """Call `watcher(name, level, seconds)` on every edge (server thread)."""
        self.engine.watchers.append(watcher)

    def set_encoder_position(self, encoder_position: EncoderPosition) -> None:
        """Drive the encoders from now on by `encoder_position(n, seconds)`."""
        self.engine.encoder_position = encoder_position

    @property
    def running(self) -> bool:
        """Whether its server thread serves."""
        return self._thread is not None and self._thread.is_alive()

    @contextmanager
    def silent(self) -> Generator[None]:
        """Leave control commands unanswered meanwhile, then answer them: a
        PandA whose server is held up (the clock and data port go on)."""
        loop, answering = self._loop, self._answering
        if loop is None or answering is None:
            raise SimPandAError("start the simulated PandA first")
        loop.call_soon_threadsafe(answering.clear)
        try:
            yield
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(answering.set)

    def seconds(self) -> float:
        """Simulated time: seconds since the server started."""
        return time.monotonic() - self._origin

    def monotonic(self, seconds: float) -> float:
        """The `time.monotonic` moment of simulated time `seconds`: the clock
        a simulation coupled to this one shares."""
        return self._origin + seconds

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(
            target=self._serve_thread, name="sim-panda", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise SimPandAError(f"the simulated PandA did not start within {timeout} s")
        if self._failure is not None:
            raise SimPandAError(str(self._failure)) from self._failure

    def stop(self, timeout: float = 10.0) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise SimPandAError(
                    f"the simulated PandA did not stop within {timeout} s"
                )
            self._thread = None

    def __repr__(self) -> str:
        return f"SimPandA(host={self.host!r})"

    # -- the server thread --------------------------------------------------

    def _serve_thread(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to start(), not lost in a thread
            self._failure = error
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._answering = asyncio.Event()
        self._answering.set()
        servers = await self._bind()
        self._origin = time.monotonic()
        self._ready.set()
        ticking = asyncio.create_task(self._ticking())
        try:
            await self._stopping.wait()
        finally:
            ticking.cancel()
            for server in servers:
                server.close()
            for client in self._clients:
                client.writer.close()
            for server in servers:
                await server.wait_closed()

    async def _bind(self) -> list[asyncio.Server]:
        first = os.getpid() % _ADDRESSES
        for step in range(_ADDRESSES):
            host = f"127.0.0.{2 + (first + step) % _ADDRESSES}"
            try:
                control = await asyncio.start_server(
                    self._control, host, CONTROL_PORT, reuse_address=True
                )
            except OSError:
                continue
            try:
                data = await asyncio.start_server(
                    self._data, host, DATA_PORT, reuse_address=True
                )
            except OSError:
                control.close()
                await control.wait_closed()
                continue
            self.host = host
            return [control, data]
        raise SimPandAError(
            f"no loopback address 127.0.0.2-{_ADDRESSES + 1} has ports "
            f"{CONTROL_PORT} and {DATA_PORT} free"
        )

    async def _ticking(self) -> None:
        previous = time.monotonic()
        while True:
            try:
                self._sync()
            except Exception as error:  # said, and the clock goes on
                self._failed("a clock step", error)
            pause = self.tick if self.engine.sampling() else _IDLE_TICK
            await asyncio.sleep(pause)
            now = time.monotonic()  # a step and a pause later, or held up
            if (late := now - previous - pause) > _STALL:
                self.stalls.append((self.seconds(), late))
                del self.stalls[:-20]
            previous = now

    def _failed(self, during: str, error: Exception) -> str:
        """Keep (and print, once per kind) a failure of the simulation itself;
        the ``ERR`` line a command that met it is answered with."""
        text = "".join(traceback.format_exception(error)).rstrip()
        last = text.splitlines()[-1]
        first = not any(known.endswith(last) for known in self.errors)
        self.errors.append(f"during {during}:\n{text}")
        del self.errors[:-20]  # the latest are the ones that explain
        if first:
            print(f"simulated PandA, during {during}:\n{text}", file=sys.stderr)
        return f"ERR the simulated PandA failed: {error!r}"

    def _sync(self) -> None:
        self.engine.advance(round(self.seconds() * CLOCK_HZ))
        run = self.engine.pcap.run
        if run is not None:
            self._flush(run)

    async def _control(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        session = ControlSession(self)
        try:
            while line := await reader.readline():
                if self._answering is not None:  # unless `silent`
                    await self._answering.wait()
                text = line.decode(errors="replace").rstrip("\r\n")
                try:
                    if not session.collecting:
                        self._sync()
                    answer = session.line(text)
                except Exception as error:  # a real PandA would not hang up
                    answer = [self._failed(f"command {text!r}", error)]
                if answer:
                    writer.write(("\n".join(answer) + "\n").encode())
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _data(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        client: _DataClient | None = None
        try:
            options = (await reader.readline()).decode()
            try:
                client = _DataClient(writer, parse_options(options))
            except ValueError as error:
                writer.write(f"ERR {error}\n".encode())
                return
            writer.write(b"OK\n")
            self._clients.append(client)
            while await reader.read(4096):
                pass  # the server ignores what a data client sends after its options
        except ConnectionError:
            pass
        finally:
            if client in self._clients:
                self._clients.remove(client)
            writer.close()

    # -- capture to data clients ---------------------------------------------

    def _capture_started(self, run: CaptureRun) -> None:
        self.runs.append(CapturedRun([f"{c.name}.{c.capture}" for c in run.columns]))
        for client in self._clients:
            client.run = run
            client.writer.write(header(run.columns, client.format, run.arm_time))

    def _flush(self, run: CaptureRun) -> None:
        if not run.pending:
            return
        rows, run.pending = run.pending, []
        self.runs[-1].rows += rows
        for client in self._clients:
            if client.run is run:
                frame = encode_frame(run.columns, rows, client.format, run.gate_column)
                client.writer.write(frame)

    def _capture_ended(self, run: CaptureRun, reason: str) -> None:
        self._flush(run)
        self.runs[-1].reason = reason
        for client in self._clients:
            if client.run is run:
                client.writer.write(f"END {run.count} {reason}\n".encode())
                client.run = None
