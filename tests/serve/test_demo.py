"""The demo beamline served: bluesky-queueserver-api opens the environment,
queues a count of the camera and a scan of a motor, and both runs are read
back from Tiled, the camera's frames equal to those in its HDF5 file. The
README's `blueprint serve` command and client code run as written, pointed at
this test's servers."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from bluesky_queueserver_api import BPlan
from tiled.client import from_uri

from ophyd_blueprint.blueprint import load_beamline_model
from ophyd_blueprint.demo import DEMO_BEAMLINE
from ophyd_blueprint.demo.run import DEMO_DB
from ophyd_blueprint.testing.ioc import EpicsIoc
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc
from ophyd_blueprint.testing.tango_server import TangoServer
from ophyd_blueprint.testing.tiled_server import TiledServer

from .conftest import Served
from .helpers import close, connection_report, ensure_open, run_queue


@dataclass(frozen=True)
class DemoServers:
    """The demo's servers under a prefix of this test run, Tango on a free port."""

    prefix: str
    tango_port: int


@pytest.fixture(scope="module")
def demo_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServers]:
    prefix = f"SV{os.getpid()}-{secrets.token_hex(3)}:"
    logs = tmp_path_factory.mktemp("demo-servers")
    with (
        EpicsIoc([DEMO_DB], prefix=prefix, log_dir=logs),
        SimDetectorIoc(prefix=f"{prefix}CAM:", log_dir=logs),
        TangoServer() as tango,
    ):
        yield DemoServers(prefix, tango.port)


def _replaced(text: str, pattern: str, new: str) -> str:
    changed, count = re.subn(pattern, new, text)
    assert count, f"the demo beamline has no {pattern!r} any more: update this test"
    return changed


def demo_beamline(servers: DemoServers, data_dir: Path, directory: Path) -> Path:
    """beamlines/demo.yaml pointed at these servers and `data_dir`."""
    text = DEMO_BEAMLINE.read_text()
    devices = (DEMO_BEAMLINE.parent / "../devices").resolve()
    text = _replaced(text, r"blueprints: \[\.\./devices\]", f"blueprints: [{devices}]")
    text = _replaced(text, r"data_dir: [^,}]+", f"data_dir: {data_dir}")
    text = _replaced(text, r"DEMO:", servers.prefix)
    text = _replaced(
        text, r"tango://127\.0\.0\.1:\d+", f"tango://127.0.0.1:{servers.tango_port}"
    )
    path = directory / "demo.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def tiled(data_dir: Path) -> Iterator[TiledServer]:
    with TiledServer([data_dir]) as server:
        yield server


@pytest.fixture(scope="module")
def beamline(
    demo_servers: DemoServers, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return demo_beamline(demo_servers, data_dir, tmp_path_factory.mktemp("bl"))


README = Path(__file__).parents[2] / "README.md"
README_TILED = "http://127.0.0.1:8000"
README_CONTROL = "tcp://127.0.0.1:60615"


def readme_section() -> str:
    return README.read_text().split("### Serve a beamline", 1)[1].split("\n### ")[0]


def readme_serve_command(beamline: Path, tiled: TiledServer) -> list[str]:
    """The README's `blueprint serve` arguments, for this test's servers."""
    [line] = [
        line
        for block in re.findall(r"```sh\n(.*?)```", readme_section(), re.S)
        for line in block.splitlines()
        if "blueprint serve " in line
    ]
    words = line.split(">")[0].split()  # not the redirection to its log
    assert words[0] == "TILED_API_KEY=secret"
    assert words[1:3] == [".venv/bin/blueprint", "serve"]
    swap = {
        "beamlines/demo.yaml": str(beamline),
        README_TILED: tiled.uri,
        README_CONTROL.rsplit(":", 1)[1]: "0",  # a free port
    }
    return [swap.get(word, word) for word in words[3:]]


@pytest.fixture(scope="module")
def served(beamline: Path, tiled: TiledServer) -> Iterator[Served]:
    served = Served(
        readme_serve_command(beamline, tiled), env={"TILED_API_KEY": tiled.api_key}
    )
    try:
        served.wait_until_serving()
        yield served
    finally:
        served.end()


@pytest.fixture
def api(served: Served) -> Iterator[Any]:
    client = served.api()
    yield client
    client.close()


def test_the_readme_client_code_queues_runs_and_reads_them_from_tiled(
    served: Served, tiled: TiledServer
):
    [block] = re.findall(r"```python\n(.*?)```", readme_section(), re.S)
    code = (
        block.replace(README_CONTROL, served.control)
        .replace(README_TILED, tiled.uri)
        .replace('"secret"', repr(tiled.api_key))
    )
    namespace: dict[str, Any] = {}
    api = served.api()
    close(api)  # the README opens it
    api.close()

    exec(compile(code, "README.md", "exec"), namespace)

    assert namespace["devices"] == ["camera", "det", "slits", "tm", "x"]
    assert namespace["scan"]["result"]["exit_status"] == "completed"
    x = namespace["run"]["primary"]["x-readback"].read()
    assert list(x) == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_the_environment_offers_the_beamline_devices_typed_and_the_plans(
    api: Any, beamline: Path
):
    ensure_open(api)

    assert connection_report(api)["ok"]
    allowed = api.devices_allowed()["devices_allowed"]
    assert sorted(allowed) == sorted(load_beamline_model(beamline).devices)
    assert (allowed["x"]["is_movable"], allowed["tm"]["is_movable"]) == (True, True)
    assert (allowed["det"]["is_readable"], allowed["det"]["is_movable"]) == (
        True,
        False,
    )
    assert allowed["camera"]["is_flyable"]
    plans = api.plans_allowed()["plans_allowed"]
    assert {"count", "scan", "grid_scan", "fly_scan", "save_settings"} <= set(plans)
    assert "mv" not in plans  # a plan stub, not in bluesky.plans


def test_a_count_of_the_camera_and_a_scan_of_a_motor_run_and_are_read_from_tiled(
    api: Any, served: Served, tiled: TiledServer, data_dir: Path
):
    ensure_open(api)
    api.item_add(BPlan("count", ["camera"], num=3))
    api.item_add(BPlan("scan", ["det"], "x", 0, 1, 5))

    count, scan = run_queue(api)

    for item in (count, scan):
        assert item["result"]["exit_status"] == "completed", item["result"]["msg"]
    client = from_uri(tiled.uri, api_key=tiled.api_key)
    [count_uid] = count["result"]["run_uids"]
    camera = client[count_uid]["primary"]["camera"]
    [source] = camera.data_sources()
    [asset] = source.assets
    path = Path(asset.data_uri.removeprefix("file://localhost"))
    assert path.is_relative_to(data_dir)
    with h5py.File(path, "r") as f:
        frames = f[source.parameters["dataset"]][:]
    served_frames = camera.read()
    assert served_frames.shape == frames.shape == (3, 48, 64)
    assert np.array_equal(served_frames, frames)
    [scan_uid] = scan["result"]["run_uids"]
    primary = client[scan_uid]["primary"]
    assert list(primary["x-readback"].read()) == [0.0, 0.25, 0.5, 0.75, 1.0]
    totals = list(primary["det-total"].read())
    assert totals.index(max(totals)) == 2  # the simulated peak, at x = 0.5
