"""The README's introspect / freeze / diff walk-through, on the demo servers."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Discover devices", 1)[1].split("\n### ", 1)[0]
    return [
        line.split("  #")[0].strip()
        for block in re.findall(r"```sh\n(.*?)```", section, re.S)
        for line in block.splitlines()
        if line.startswith(
            (".venv/bin/blueprint introspect", ".venv/bin/blueprint diff")
        )
    ]


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`blueprint demo --serve` running; the environment its exports give.

    Its stdin is closed from the start, as under ``&``, nohup or CI: it serves
    until SIGTERM all the same, and then stops cleanly.
    """
    log = tmp_path_factory.mktemp("demo") / "serve.log"
    server = subprocess.Popen(
        [str(BIN / "blueprint"), "demo", "--serve"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    assert server.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = server.stdout
    threading.Thread(
        target=lambda: [lines.put(line) for line in stdout], daemon=True
    ).start()
    env = dict(os.environ)
    try:
        while (line := lines.get(timeout=60)).strip() != "# ready":
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = value.strip("'")
        yield env
    except queue.Empty:
        pytest.fail(f"demo --serve was not ready in 60 s:\n{log.read_text()}")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
        assert "SIGTERM: stopping the servers" in log.read_text()


def run(
    command: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    def expand(arg: str) -> str:  # $NAME as the shell would
        return re.sub(r"\$(\w+)", lambda m: env[m[1]], arg.strip('"'))

    args = [expand(a) for a in command.split()]
    args[0] = str(BIN / "blueprint")
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_readme_walkthrough_introspects_freezes_and_finds_no_drift(
    demo_env: dict[str, str], tmp_path: Path
):
    commands = readme_commands()
    assert [c.split()[1] for c in commands] == ["introspect", "introspect", "diff"]
    for command in commands:
        result = run(command, demo_env, tmp_path)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    det = YAML(typ="safe").load((tmp_path / "det.yaml").read_text())
    assert set(det["signals"]) == {"acquire", "acquire_time", "total"}
    assert det["signals"]["total"]["dtype"] == "float"
    motor = YAML(typ="safe").load((tmp_path / "tango_motor.yaml").read_text())
    assert {"position", "velocity", "stop", "home"} <= set(motor["signals"])


def test_diff_reports_drift_when_the_frozen_file_is_out_of_date(
    demo_env: dict[str, str], tmp_path: Path
):
    introspect, _, diff = readme_commands()
    assert run(introspect, demo_env, tmp_path).returncode == 0
    frozen = tmp_path / "det.yaml"
    yaml = YAML()
    data = yaml.load(frozen.read_text())
    del data["signals"]["total"]
    data["signals"]["acquire_time"]["access"] = "r"
    with frozen.open("w") as out:
        yaml.dump(data, out)
    result = run(diff, demo_env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "total" in result.stdout
    assert "acquire_time" in result.stdout


def test_the_exports_list_only_the_servers_that_run(demo_env: dict[str, str]):
    """Each CA address exported is a server listening there (not every port
    slot the serving process could have used): a client's searches go to
    the demo's servers only."""
    addresses = demo_env["EPICS_CA_ADDR_LIST"].split()
    assert len(addresses) >= 4  # IOC, camera, coupled beamline, pandablocks-ioc
    for address in addresses:
        host, _, port = address.partition(":")
        with socket.create_connection((host, int(port)), timeout=5):
            pass  # a CA server accepts circuits on its server port
    assert len(demo_env["EPICS_PVA_ADDR_LIST"].split()) == len(addresses)


FLY_FROM_A_CLIENT = """
from bluesky.run_engine import RunEngine
from ophyd_blueprint.demo.fly import run_fly

run = run_fly(RunEngine(context_managers=[]), print, grid=(2, 40))
print("events", run.events)
"""


def test_the_served_fly_beamline_connects_and_flies_from_another_process(
    demo_env: dict[str, str], tmp_path: Path
):
    """`demo --serve` serves demo_fly.yaml's coupled beamline too: a client
    with the exported environment connects to it and flies a snake."""
    beamline = ROOT / "beamlines" / "demo_fly.yaml"
    connect = run(f"blueprint connect {beamline}", demo_env, tmp_path)
    assert connect.returncode == 0, connect.stdout + connect.stderr
    for device in ("pmac", "x", "y", "det", "panda"):
        assert device in connect.stdout
    fly = subprocess.run(
        [sys.executable, "-c", FLY_FROM_A_CLIENT],
        env=demo_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fly.returncode == 0, fly.stdout + fly.stderr
    assert "events 80" in fly.stdout
