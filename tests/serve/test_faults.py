"""`blueprint serve` faced with bad input and faults: a bad beamline file, a
taken port, a failing Redis, devices that do not connect, a killed worker,
Ctrl-C."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import secrets
import signal
import socket
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from bluesky_queueserver_api import BPlan

from ophyd_blueprint.serve import RedisError, RedisServer
from ophyd_blueprint.serve.ports import pick_ports
from ophyd_blueprint.testing.ports import claim_port

from .conftest import Served, blueprint, wait_gone
from .helpers import OPEN_TIMEOUT, close, connection_report, reopen, run_queue

DEVICES = Path(__file__).parents[2] / "devices"
GHOST = f"NOWHERE{os.getpid()}-{secrets.token_hex(3)}:"


def small_beamline(path: Path, ghost_mock: bool, tiled: str | None = None) -> Path:
    """A mock motor and `ghost`, whose PVs no IOC serves unless it is a mock."""
    path.write_text(
        f"beamline: small\n"
        f"blueprints: [{DEVICES}]\n"
        + (f"tiled: {tiled}\n" if tiled else "")
        + "defaults: {protocol: ca, timeout: 1.0}\n"
        "devices:\n"
        "  m1: {blueprint: SimMotor, with: {prefix: 'M1'}, mock: true}\n"
        f"  ghost: {{blueprint: SimMotor, with: {{prefix: '{GHOST}M'}}, "
        f"mock: {str(ghost_mock).lower()}}}\n"
    )
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve-small")


@pytest.fixture(scope="module")
def small(workdir: Path) -> Iterator[Served]:
    """`blueprint serve` on the small beamline, once for this module."""
    path = small_beamline(workdir / "small.yaml", ghost_mock=False)
    served = Served([str(path), "--workdir", str(workdir / "qs")])
    try:
        served.wait_until_serving()
        yield served
    finally:
        served.end()


@pytest.fixture
def api(small: Served) -> Iterator[Any]:
    client = small.api()
    yield client
    client.close()


def test_a_bad_beamline_file_is_the_validate_list_and_exit_1_before_anything_starts(
    tmp_path: Path,
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"beamline: bad\nblueprints: [{DEVICES}]\n"
        "devices:\n  x: {blueprint: NoSuchMotor, with: {prefix: 'X'}}\n"
        "  y: {blueprint: SimMotor, wiht: {prefix: 'Y'}}\n"
    )

    served = blueprint("serve", str(bad))
    validated = blueprint("validate", str(bad))

    assert served.returncode == validated.returncode == 1
    assert served.stdout == validated.stdout
    assert "NoSuchMotor" in served.stdout
    assert "wiht" in served.stdout
    assert "starting" not in served.stdout + served.stderr


def test_a_shipped_beamline_is_served_by_name_and_an_unknown_name_says_so():
    with socket.socket() as taken:  # stop right after the name is resolved
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        by_name = blueprint("serve", "demo", "--port", str(port))

    assert by_name.returncode == 1  # the demo beamline validated, then the port
    assert f"port {port} on 127.0.0.1 is already in use" in by_name.stdout
    unknown = blueprint("serve", "dmeo")
    assert unknown.returncode == 2
    assert "nor blueprint or beamline: dmeo" in unknown.stderr
    assert "did you mean 'demo'" in unknown.stderr


def test_one_port_given_to_two_services_is_a_clear_message(tmp_path: Path):
    path = small_beamline(tmp_path / "small.yaml", ghost_mock=True)
    (port,) = pick_ports([("any", 0)])

    result = blueprint(
        "serve", str(path), "--port", str(port), "--redis-port", str(port)
    )

    assert result.returncode == 1
    assert (
        f"cannot serve: Redis (--redis-port): port {port} on 127.0.0.1 is asked "
        "for by RE Manager control (--port) too" in result.stdout
    )


def test_services_left_to_choose_get_distinct_free_ports():
    picked = pick_ports([(f"service {n}", 0) for n in range(20)])

    assert len(set(picked)) == 20
    for port in picked:  # free again once chosen: the services bind them
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("option", "service"),
    [("--port", "RE Manager control"), ("--redis-port", "Redis")],
)
def test_a_port_already_taken_is_a_clear_message(
    option: str, service: str, tmp_path: Path
):
    path = small_beamline(tmp_path / "small.yaml", ghost_mock=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = blueprint("serve", str(path), option, str(port))

    assert result.returncode == 1
    assert (
        f"cannot serve: {service} ({option}): port {port} on 127.0.0.1 is already "
        "in use" in result.stdout
    )
    assert "starting Redis" not in result.stdout


def test_a_redis_that_cannot_start_is_a_clear_error_with_its_own_words(
    tmp_path: Path,
):
    first = RedisServer(claim_port(), tmp_path)
    first.start()
    try:
        second = RedisServer(first.port, tmp_path / "second")
        (tmp_path / "second").mkdir()
        with pytest.raises(RedisError, match=r"(?s)exited with code 1.*in use"):
            second.start()
        assert not second.running
    finally:
        first.stop()
    assert not first.running


def test_a_redis_that_dies_stops_serve_saying_so_with_exit_1(tmp_path: Path):
    path = small_beamline(tmp_path / "small.yaml", ghost_mock=True)
    served = Served([str(path)])
    try:
        served.wait_until_serving()
        started = served.descendants()
        [redis] = [p for p in started if p.name() == "redis-server"]

        redis.kill()

        served.wait_for_line(re.compile(r"Redis exited"), 30)
        assert served.proc.wait(60) == 1
    finally:
        served.end()
    assert wait_gone(started) == []
    assert served.lines[-1].endswith("stopped")


def test_devices_that_do_not_connect_are_reported_and_the_worker_runs_the_rest(
    small: Served, api: Any, workdir: Path
):
    small_beamline(workdir / "small.yaml", ghost_mock=False)
    reopen(api)

    report = connection_report(api)
    assert report["connected"] == ["m1"]
    assert report["failed"] == ["ghost"]
    assert report["devices"]["ghost"]["failures"][0]["kind"] == "no answer"
    small.wait_for_line(re.compile(r"1 of 2 devices connected; failed: ghost"), 30)

    api.item_add(BPlan("count", ["m1"], num=2))
    [item] = run_queue(api)
    assert item["result"]["exit_status"] == "completed", item["result"]["msg"]


def test_a_killed_worker_is_reported_and_reopening_reloads_the_beamline(
    small: Served, api: Any, workdir: Path
):
    small_beamline(workdir / "small.yaml", ghost_mock=False)
    reopen(api)
    worker = int((workdir / "qs" / "worker.pid").read_text())

    os.kill(worker, signal.SIGKILL)

    small.wait_for_line(re.compile(rf"the worker \(pid {worker}\) died"), 30)
    api.wait_for_condition(lambda s: not s["worker_environment_exists"], timeout=30)
    # the file changes while no worker runs: the next one reads it afresh
    small_beamline(workdir / "small.yaml", ghost_mock=True)
    api.environment_open()
    api.wait_for_idle(timeout=120)
    assert int((workdir / "qs" / "worker.pid").read_text()) != worker
    assert connection_report(api)["connected"] == ["m1", "ghost"]


class NotTiled(http.server.BaseHTTPRequestHandler):
    """An HTTP server that is not Tiled: every page is missing (404)."""

    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def not_tiled() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotTiled)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    server.server_close()


def test_a_tiled_url_that_is_not_tiled_fails_the_environment_open_saying_so(
    small: Served, api: Any, workdir: Path, not_tiled: str
):
    small_beamline(workdir / "small.yaml", ghost_mock=True, tiled=not_tiled)
    close(api)

    api.environment_open()
    api.wait_for_idle(timeout=OPEN_TIMEOUT)

    assert not api.status()["worker_environment_exists"]
    small.wait_for_line(re.compile(rf"Tiled at {not_tiled} cannot be used: 404"), 30)


@contextlib.contextmanager
def serving_with_a_worker(
    tmp_path: Path,
) -> Generator[tuple[Served, list[Any]], None, None]:
    """`blueprint serve` with its environment open, and what it started:
    Redis, the queueserver's watchdog, the manager and its worker."""
    path = small_beamline(tmp_path / "small.yaml", ghost_mock=True)
    served = Served([str(path)])
    try:
        served.wait_until_serving()
        api = served.api()
        try:
            reopen(api)
        finally:
            api.close()
        started = served.descendants()
        assert len(started) >= 4
        yield served, started
    finally:
        served.end()


def test_ctrl_c_stops_redis_the_manager_and_its_worker_leaving_no_process(
    tmp_path: Path,
):
    with serving_with_a_worker(tmp_path) as (served, started):
        assert served.stop(signal.SIGINT) == 0

    assert wait_gone(started) == []
    assert served.lines[-1].endswith("stopped")
    said = "\n".join(served.lines)
    for step in ("starting Redis", "starting the RE Manager", "stopping Redis"):
        assert step in said


def test_a_killed_serve_leaves_no_redis_manager_or_worker(tmp_path: Path):
    # SIGKILL gives serve no chance to stop what it started: its services
    # must not outlive it, holding their ports against the next serve
    with serving_with_a_worker(tmp_path) as (served, started):
        assert served.stop(signal.SIGKILL) == -signal.SIGKILL

    assert wait_gone(started) == [], served.output()
