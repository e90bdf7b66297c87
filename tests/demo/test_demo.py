"""`make demo`'s job, end to end on real servers: IOC (CA + PVA), Tango, RunEngine;
then a fly scan on the coupled beamline (PMAC, PandA behind the real
pandablocks-ioc, camera) and its map, read back from the files."""

import multiprocessing
import re
import socket
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from matplotlib import pyplot

from ophyd_blueprint.demo import run_demo
from ophyd_blueprint.demo.run import _scans  # what the plot's panels show
from ophyd_blueprint.testing.sim_frames import spot_brightness, spot_intensity

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEPT = ("start", "stop", "stream_resource", "stream_datum")
"""The documents the test process gets back (descriptors hold enum types,
which do not pickle)."""
GRID = (8, 25)
"""The fly scan's rows and columns: 200 frames, two seconds (fewer columns of
the demo's 10 ms frames would ask x for more than its maximum velocity)."""
FRAMES = GRID[0] * GRID[1]


@dataclass
class Demo:
    """What one run of the demo said, returned and wrote."""

    events: list[dict[str, Any]]
    said: list[str]
    documents: list[tuple[str, dict[str, Any]]]
    plot: Path
    map: Path
    tango_port: int

    def fly_docs(self, name: str) -> list[dict[str, Any]]:
        """Documents `name` of the last run, the fly scan."""
        starts = [n for n, (kind, _) in enumerate(self.documents) if kind == "start"]
        return [doc for kind, doc in self.documents[starts[-1] :] if kind == name]


def demo_in_fresh_process(
    plot: Path, fly_map: Path, tango_port: int
) -> tuple[list[dict[str, Any]], list[str], list[tuple[str, dict[str, Any]]]]:
    said: list[str] = []
    documents: list[tuple[str, dict[str, Any]]] = []
    events = run_demo(
        points=5,
        out=said.append,
        plot=plot,
        tango_port=tango_port,
        fly_map=fly_map,
        fly_grid=GRID,
        documents=lambda name, doc: name in KEPT and documents.append((name, doc)),
    )
    return events, said, documents


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # a fresh process, as `make demo` runs: its CA/PVA client contexts and
    # RunEngine thread are its own, not shared with the rest of the suite.
    # The Tango server's preferred port is taken (as 10000 may be on a user's
    # machine; this test holds a port of its own so as not to touch 10000).
    folder = tmp_path_factory.mktemp("demo")
    plot, fly_map = folder / "scans.png", folder / "map.png"
    spawn = multiprocessing.get_context("spawn")
    with (
        socket.socket() as taken,
        ProcessPoolExecutor(1, mp_context=spawn) as pool,
    ):
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        job = pool.submit(demo_in_fresh_process, plot, fly_map, port)
        events, said, documents = job.result(timeout=150)
    yield Demo(events, said, documents, plot, fly_map, port)
    # the fly scan's files go to the beamline's data_dir: not left behind
    for line in said:
        if line.startswith("fly scan file: "):
            Path(line.removeprefix("fly scan file: ")).unlink()


@pytest.mark.timeout(180)
def test_demo_scans_the_yaml_beamline_on_real_servers(demo: Demo):
    events, said, port = demo.events, demo.said, demo.tango_port
    moved = [line for line in said if "the Tango server uses port" in line]
    assert moved, said
    assert moved[0].startswith(f"port {port} is taken")
    epics_scan = [e["data"] for e in events if "x-readback" in e["data"]][:5]
    assert [d["x-readback"] for d in epics_scan] == [0.0, 0.25, 0.5, 0.75, 1.0]
    peak: Any = max(epics_scan, key=lambda d: d["det-total"])
    assert peak["x-readback"] == 0.5  # the detector sees the simulated peak
    tango_scan = [e["data"] for e in events if "tm-position" in e["data"]]
    assert [round(d["tm-position"], 3) for d in tango_scan] == [0, 0.5, 1, 1.5, 2]
    assert [d["x-readback"] for d in tango_scan] == [0.0, 0.25, 0.5, 0.75, 1.0]
    mock_scan = [e["data"] for e in events if "slits-readback" in e["data"]]
    assert [d["slits-readback"] for d in mock_scan] == [-1.0, 0.0, 1.0]
    assert any("x: connected" in line for line in said)
    assert any("tm: connected" in line for line in said)
    assert said[-1].endswith("done: servers stopped")
    (written,) = [line for line in said if "camera frames written to" in line]
    frames = Path(written.rsplit(" ", 1)[1])
    assert frames.suffix == ".h5"
    assert frames.stat().st_size > 3 * 64 * 48 * 2  # three uint16 frames at least
    assert f"plot of the scans: {demo.plot}" in said
    assert demo.plot.read_bytes().startswith(PNG_SIGNATURE)
    assert demo.plot.stat().st_size > 10_000  # three panels drawn, not an empty canvas
    for title, x, y, points in _scans(events):
        assert len({p[x] for p in points}) > 1, title
        assert len({p[y] for p in points}) > 1, f"{title}: a flat line"
    # the servers' folders in the temporary directory went with them: the
    # step scans' IOC and camera, the fly scan's beamline and pandablocks-ioc
    logs = [Path(m) for line in said for m in re.findall(r"log: (\S+)", line)]
    assert len(logs) == 4
    assert not any(log.parent.exists() for log in logs)


@pytest.mark.timeout(180)
def test_demo_flies_the_coupled_beamline_and_maps_the_sample_from_the_files(
    demo: Demo,
):
    [stop] = demo.fly_docs("stop")
    assert stop["exit_status"] == "success"
    assert stop["num_events"] == {"primary": FRAMES}
    resources = {r["data_key"]: r for r in demo.fly_docs("stream_resource")}
    assert set(resources) == {"panda-x", "panda-y", "det"}
    for key, resource in resources.items():
        datums = [
            d
            for d in demo.fly_docs("stream_datum")
            if d["stream_resource"] == resource["uid"]
        ]
        assert sum(d["indices"]["stop"] - d["indices"]["start"] for d in datums) == (
            FRAMES
        ), key
    assert any(f"flying: {FRAMES} of {FRAMES} frames taken" in s for s in demo.said)

    # the files, read back here as a user would: the PandA's x and y, and
    # the spot's brightness in each of the camera's frames
    x, y, seen = _read_back(resources)
    expected = np.asarray([spot_intensity(a, b) for a, b in zip(x, y, strict=True)])
    # the map is the sample (two rings on a gradient), seen where captured
    assert np.corrcoef(seen, expected)[0, 1] > 0.8
    assert seen.max() > 600, "the rings"
    assert seen.min() < 250, "the background between them"
    brightest = int(np.argmax(seen))
    # the brightest frame is on the right ring, where the gradient adds most
    ring = np.hypot(x[brightest] - 1.4, y[brightest] - 0.6)
    assert abs(ring - 0.2) < 0.1, (x[brightest], y[brightest])
    (summary,) = [s for s in demo.said if s.startswith("map: ")]
    assert f"brightest at x = {x[brightest]:.3f}, y = {y[brightest]:.3f}" in summary

    assert f"map of the fly scan: {demo.map}" in demo.said
    assert demo.map.read_bytes().startswith(PNG_SIGNATURE)
    image = pyplot.imread(demo.map)
    assert image.shape[-1] == 4, "RGBA"
    # each pixel packed into one integer: np.unique(axis=0) over the pixels
    # holds the GIL for 1.5-3 s, and the simulated PandA of this worker's
    # session fixtures (a thread here) then misses pandablocks-ioc's 1 s poll
    pixels = np.ascontiguousarray((image * 255).round().astype(np.uint8))
    colours = np.unique(pixels.view(np.uint32))
    assert len(colours) > 500, "a map drawn, not an empty canvas"


def _read_back(
    resources: dict[str, dict[str, Any]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def path(key: str) -> Path:
        return Path(resources[key]["uri"].removeprefix("file://localhost"))

    with h5py.File(path("panda-x"), "r", swmr=True) as f:
        x = np.asarray(f[resources["panda-x"]["parameters"]["dataset"]][:FRAMES])
        y = np.asarray(f[resources["panda-y"]["parameters"]["dataset"]][:FRAMES])
    with h5py.File(path("det"), "r", swmr=True) as f:
        frames: Any = f[resources["det"]["parameters"]["dataset"]]
        uids: Any = f["/entry/instrument/NDAttributes/NDArrayUniqueId"]
        seen = [spot_brightness(frames[n], int(uids[n])) for n in range(FRAMES)]
    assert len(x) == len(y) == len(seen) == FRAMES
    return x, y, np.asarray(seen)
