"""`serve`: a beamline in a bluesky-queueserver RE Manager until told to stop.

In order: load the beamline (nothing connects), write the queueserver's files,
start Redis, start the RE Manager; then wait for `stop` (Ctrl-C or SIGTERM in
the command) or for a service to die; then stop the manager (worker included)
and Redis. Clients open the worker's environment, which loads the beamline
and connects it (`ophyd_blueprint.serve.worker`).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ophyd_blueprint.beamline import load_beamline

from .manager import ManagerError, ManagerFiles, ReManager
from .namespace import NameClashError, beamline_namespace
from .ports import PortTakenError, pick_ports
from .queueserver_files import (
    write_existing_plans_and_devices,
    write_user_group_permissions,
)
from .redis_server import RedisError, RedisServer
from .worker import startup_script
from .worker_watch import WorkerWatch

__all__ = ["ServeOptions", "serve"]


@dataclass(frozen=True)
class ServeOptions:
    """What `serve` serves, where; a port of 0 is a free one."""

    beamline: Path
    tiled: str | None = None
    """Tiled server every document goes to; default: the beamline's ``tiled``."""
    port: int = 0
    """The RE Manager's 0MQ control port (clients' requests)."""
    info_port: int = 0
    """The RE Manager's 0MQ info port (its console output, published)."""
    redis_port: int = 0
    workdir: Path | None = None
    """Where the queueserver's files and logs go; default: a temporary
    directory, removed at the end."""


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def serve(
    options: ServeOptions,
    stop: threading.Event,
    out: Callable[[str], None] = _say,
    echo: Callable[[str], None] = print,
) -> int:
    """Serve until `stop` is set (exit code 0) or a service dies (1); also 1
    if one cannot start. Progress goes to `out`, the manager's output to `echo`.
    The beamline's errors are raised as `load_beamline` raises them."""
    try:
        control, info, redis_port = pick_ports(
            [
                ("RE Manager control (--port)", options.port),
                ("RE Manager info (--info-port)", options.info_port),
                ("Redis (--redis-port)", options.redis_port),
            ]
        )
    except PortTakenError as error:
        out(f"cannot serve: {error}")
        return 1
    beamline = options.beamline.resolve()
    out(f"loading {beamline} ...")
    loaded = load_beamline(beamline)
    try:
        namespace = beamline_namespace(loaded)
    except NameClashError as error:
        out(f"cannot serve: {error}")
        return 1
    tiled = options.tiled or loaded.model.tiled
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="blueprint-serve-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        files = _write_files(
            workdir, beamline, options.tiled, namespace, loaded.devices
        )
        out(f"queueserver files in {workdir}")
        return _run(files, (control, info, redis_port), tiled, stop, out, echo)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _write_files(
    workdir: Path,
    beamline: Path,
    tiled: str | None,
    namespace: Mapping[str, object],
    devices: Mapping[str, object],
) -> ManagerFiles:
    script = workdir / "startup.py"
    worker_pid = workdir / "worker.pid"
    worker_pid.unlink(missing_ok=True)  # a reused --workdir's is stale
    script.write_text(startup_script(beamline, tiled, worker_pid))
    plans = [name for name in namespace if name not in devices]
    return ManagerFiles(
        worker_pid=worker_pid,
        startup_script=script,
        existing_plans_and_devices=write_existing_plans_and_devices(workdir, namespace),
        user_group_permissions=write_user_group_permissions(workdir, devices, plans),
    )


def _run(
    files: ManagerFiles,
    ports: tuple[int, int, int],
    tiled: str | None,
    stop: threading.Event,
    out: Callable[[str], None],
    echo: Callable[[str], None],
) -> int:
    control_port, info_port, redis_port = ports
    redis = RedisServer(redis_port, files.startup_script.parent)
    manager = ReManager(
        files,
        control_port=control_port,
        info_port=info_port,
        redis_address=redis.address,
        echo=echo,
    )
    if stop.is_set():  # Ctrl-C while the beamline loaded
        out("stopped")
        return 0
    out(f"starting Redis on {redis.address} ...")
    try:
        redis.start()
    except RedisError as error:
        out(f"cannot serve: {error}")
        return 1
    try:
        out("starting the RE Manager ...")
        manager.start()
        out(
            f"serving: RE Manager control {manager.control_address}, "
            f"info {manager.info_address}"
            + (f"; documents to Tiled at {tiled}" if tiled else "")
        )
        out("open the environment to load the beamline; Ctrl-C stops")
        print("# ready", flush=True)  # for scripts waiting on the output
        watch = WorkerWatch(files.worker_pid, manager)
        while not stop.wait(0.2):
            dead = watch.died()
            if dead is not None:
                out(
                    f"the worker (pid {dead}) died; the manager closed its "
                    "environment: open it again to reload the beamline"
                )
            if not manager.running:
                out(f"the RE Manager exited (code {manager.returncode}); stopping")
                return 1
            if not redis.running:
                out(f"Redis exited:\n{redis.log_tail()}\nstopping")
                return 1
        return 0
    except ManagerError as error:
        out(f"cannot serve: {error}")
        return 1
    finally:
        out("stopping the RE Manager and its worker ...")
        manager.stop()
        out("stopping Redis ...")
        redis.stop()
        out("stopped")
