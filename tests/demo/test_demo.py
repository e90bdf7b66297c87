"""`make demo`'s job, end to end on real servers: IOC (CA + PVA), Tango, RunEngine."""

import multiprocessing
import re
import socket
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ophyd_blueprint.demo import run_demo
from ophyd_blueprint.demo.run import _scans  # what the plot's panels show

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def demo_in_fresh_process(
    plot: Path, tango_port: int
) -> tuple[list[dict[str, Any]], list[str]]:
    said: list[str] = []
    events = run_demo(points=5, out=said.append, plot=plot, tango_port=tango_port)
    return events, said


def test_demo_scans_the_yaml_beamline_on_real_servers(tmp_path: Path):
    # a fresh process, as `make demo` runs: its CA/PVA client contexts and
    # RunEngine thread are its own, not shared with the rest of the suite.
    # The Tango server's preferred port is taken (as 10000 may be on a user's
    # machine; this test holds a port of its own so as not to touch 10000).
    plot = tmp_path / "scans.png"
    spawn = multiprocessing.get_context("spawn")
    with (
        socket.socket() as taken,
        ProcessPoolExecutor(1, mp_context=spawn) as pool,
    ):
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        job = pool.submit(demo_in_fresh_process, plot, port)
        events, said = job.result(timeout=120)

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
    assert f"plot of the scans: {plot}" in said[-2]
    assert plot.read_bytes().startswith(PNG_SIGNATURE)
    assert plot.stat().st_size > 10_000  # three panels drawn, not an empty canvas
    for title, x, y, points in _scans(events):
        assert len({p[x] for p in points}) > 1, title
        assert len({p[y] for p in points}) > 1, f"{title}: a flat line"
    # the servers' folders in the temporary directory went with them
    logs = [Path(m) for line in said for m in re.findall(r"log: (\S+)", line)]
    assert len(logs) == 2
    assert not any(log.parent.exists() for log in logs)
