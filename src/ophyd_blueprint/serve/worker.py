"""The startup code of the queueserver worker: the beamline, loaded and connected.

`blueprint serve` writes a startup script that calls `worker_namespace`; the
worker runs it each time its environment opens, so a restarted environment
loads the beamline file afresh. Devices that do not connect are reported (on
the worker's console and by the ``connection_report`` function clients may
run) and stay in the namespace: plans that use them fail, the others run.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bluesky.run_engine import RunEngine

from ophyd_blueprint.beamline import load_beamline

from .namespace import beamline_namespace

__all__ = ["TiledError", "startup_script", "worker_namespace"]


class TiledError(RuntimeError):
    """The Tiled server the documents should go to does not answer or refuses."""


def worker_namespace(
    beamline: str | Path,
    tiled: str | None = None,
    pid_file: str | Path | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, object]:
    """Load `beamline`, make the RunEngine ``RE`` (every document to `tiled`,
    or to the beamline's ``tiled``, if either is given), connect what answers;
    the worker's namespace. Once it is ready, the worker's pid goes to
    `pid_file` (`WorkerWatch` reads it)."""
    out(f"blueprint serve: loading {beamline} ...")
    loaded = load_beamline(beamline)
    tiled = tiled or loaded.model.tiled
    # the manager, not SIGINT, stops plans; Any: subscribe() is partly untyped
    engine: Any = RunEngine(context_managers=[])
    if tiled is not None:
        engine.subscribe(tiled_writer(tiled))
        out(f"blueprint serve: documents go to Tiled at {tiled}")
    timeout = loaded.model.defaults.timeout
    report = asyncio.run_coroutine_threadsafe(loaded.connect(), engine.loop).result(
        timeout=2 * timeout + 30  # every device connects at once, each bounded
    )
    out(f"blueprint serve: {report}")

    def connection_report() -> dict[str, Any]:
        """What connected when the environment opened, and why the rest did not."""
        return report.as_dict()

    namespace = {
        **beamline_namespace(loaded),
        "RE": engine,
        "connection_report": connection_report,
    }
    if pid_file is not None:
        Path(pid_file).write_text(str(os.getpid()))
    return namespace


def tiled_writer(uri: str) -> Callable[[str, dict[str, Any]], None]:
    """bluesky-tiled-plugins' TiledWriter into the Tiled server at `uri`
    (its API key from ``TILED_API_KEY``, as the Tiled client reads it)."""
    # neither package ships type information
    client: Any = importlib.import_module("tiled.client")
    plugins: Any = importlib.import_module("bluesky_tiled_plugins")
    try:
        tiled = client.from_uri(uri)
    except Exception as error:  # the environment fails to open, saying why
        raise TiledError(f"Tiled at {uri} cannot be used: {error}") from error
    return plugins.TiledWriter(tiled)


def startup_script(beamline: Path, tiled: str | None, pid_file: Path) -> str:
    """The Python the worker runs when its environment opens (`tiled`: the
    command's ``--tiled``, which wins over the beamline's key)."""
    call = f"{str(beamline)!r}, tiled={tiled!r}, pid_file={str(pid_file)!r}"
    return (
        '"""Worker startup code, written by `blueprint serve`."""\n\n'
        "from ophyd_blueprint.serve.worker import worker_namespace as _namespace\n\n"
        f"globals().update(_namespace({call}))\n"
    )
