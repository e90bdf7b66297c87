"""The IOC fixture: serves the records on loopback, restarts on the same ports."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ophyd_blueprint.testing.ioc import EpicsIoc, IocError, configure_client_env
from ophyd_blueprint.testing.ports import claim_ports, port_free
from ophyd_blueprint.testing.server_process import ServerProcess
from ophyd_blueprint.testing.tango_server import free_port


def _caget(pv: str) -> str:
    code = (
        "import sys, aioca\n"
        "print(aioca.run(aioca.caget(sys.argv[1], timeout=5), forever=False))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, pv],
        capture_output=True,
        text=True,
        timeout=20,
        env=os.environ,
        check=True,
    )
    return out.stdout.strip()


def test_ioc_serves_prefixed_records_on_loopback(epics_ioc: EpicsIoc):
    assert epics_ioc.running
    assert epics_ioc.prefix.endswith(":")
    assert os.environ["EPICS_CA_AUTO_ADDR_LIST"] == "NO"
    assert "127.0.0.1" in os.environ["EPICS_CA_ADDR_LIST"]
    # a field no test writes (other tests of the session put to AO's value)
    assert _caget(epics_ioc.pv("AO.EGU")) == "V"


def test_qsrv1_ioc_has_its_own_prefix_and_ports(
    epics_ioc: EpicsIoc, epics_ioc_qsrv1: EpicsIoc
):
    assert epics_ioc_qsrv1.prefix != epics_ioc.prefix
    assert epics_ioc_qsrv1.ports != epics_ioc.ports
    assert _caget(epics_ioc_qsrv1.pv("LONGIN")) == "42"


def test_ioc_with_inline_records_serves_them(tmp_path):
    with EpicsIoc(
        db_files=(), records='record(ao, "$(P)M") { field(VAL, "3") }', log_dir=tmp_path
    ) as ioc:
        assert _caget(ioc.pv("M")) == "3.0"
    assert not ioc.running


def test_restart_keeps_ports_and_prefix(tmp_path):
    with EpicsIoc(
        db_files=(), records='record(ao, "$(P)M") { field(VAL, "4") }', log_dir=tmp_path
    ) as ioc:
        ports = ioc.ports
        ioc.restart()
        assert ioc.running
        assert ioc.ports == ports
        assert _caget(ioc.pv("M")) == "4.0"


def test_bad_database_is_an_error_with_the_ioc_output(tmp_path):
    with pytest.raises(IocError, match="exited with code") as info:
        EpicsIoc(db_files=(), records="record(nonsense", log_dir=tmp_path).start()
    assert "syntax error" in str(info.value)


def test_when_every_port_slot_is_taken_the_error_names_their_holders():
    from ophyd_blueprint.testing.ioc import _Network  # pyright: ignore[reportPrivateUsage]

    network = _Network()  # ports of its own: the session's slots are untouched
    taken = [network.take(f"server {n}") for n in range(len(network.slots))]
    network.give_back(taken[3])
    assert network.take("again") == taken[3]  # a slot given back is reused
    with pytest.raises(IocError) as error:
        network.take("one too many")
    assert "server 0\n" in str(error.value)
    assert "again\n" in str(error.value)
    assert "server 3\n" not in str(error.value)


def test_a_server_is_running_from_its_start_to_its_kill_or_stop(tmp_path):
    """`running_servers` is what failing tests' reports show the logs of."""
    from ophyd_blueprint.testing.server_process import running_servers

    ioc = EpicsIoc(records='record(ao, "$(P)V") {}', db_files=(), log_dir=tmp_path)
    with ioc:
        assert ioc in running_servers()
        ioc.kill()
        assert ioc not in running_servers()
        ioc.start()
        assert ioc in running_servers()
    assert ioc not in running_servers()


class _Complaining(ServerProcess):
    """A server that fails at once, then repeats itself until it exits."""

    def start(self, timeout: float = 30.0) -> None:
        script = (
            "import sys\n"
            "print('Traceback (most recent call last):')\n"
            "print('ValueError: the first cause')\n"
            "for n in range(100): print('still cannot arm', n)\n"
            "sys.exit(1)\n"
        )
        self.launch([sys.executable, "-c", script], timeout, ready_lines=("never",))


def test_a_failed_servers_error_shows_its_first_error_and_its_last_lines(
    tmp_path: Path,
):
    """A failing server repeats its complaint; the first error explains."""
    server = _Complaining("complaining server", tmp_path / "server.log")
    with pytest.raises(RuntimeError, match="exited with code 1") as info:
        server.start()
    message = str(info.value)
    assert "--- its first error (line 1) ---" in message
    assert "ValueError: the first cause" in message
    assert "still cannot arm 99" in message
    assert "still cannot arm 40" not in message, "neither the first error nor the end"


def test_another_process_cannot_reserve_this_ones_ports():
    """xdist workers each reserve 32 slots from the free ports; a port free in
    both when each looked would have been reserved by both, and one worker's
    IOC then held the other's port ("stayed in use" after a kill)."""
    env = configure_client_env()
    ours = [int(a.rpartition(":")[2]) for a in env["EPICS_CA_ADDR_LIST"].split()]
    code = (
        "import json, sys\n"
        "from ophyd_blueprint.testing.ports import _claim\n"
        "print(json.dumps([_claim(int(p)) for p in sys.argv[1:]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, ours)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == [False] * len(ours)


def test_server_ports_are_never_ones_the_kernel_hands_out():
    """CI: while an IOC was killed for a restart, a Tango server bound to port
    0 got the IOC's CA port from the kernel, and the IOC could not come back.
    Test servers' ports now lie outside the kernel's ephemeral range, which is
    where port 0 binds and outgoing connections get theirs."""
    low, high = map(
        int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    )
    env = configure_client_env()
    ioc_ports = [
        int(address.rpartition(":")[2])
        for key in ("EPICS_CA_ADDR_LIST", "EPICS_PVA_ADDR_LIST")
        for address in env[key].split()
    ]
    ioc_ports += [int(env["EPICS_CA_REPEATER_PORT"]), int(env["EPICS_PVA_SERVER_PORT"])]
    others = [free_port(), *claim_ports(20)]
    kernel = []
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            kernel.append(sock.getsockname()[1])
    assert all(low <= port <= high for port in kernel), "the range read is the kernel's"
    outside = [p for p in ioc_ports + others if not low <= p <= high]
    assert outside == ioc_ports + others
    assert len(set(ioc_ports + others)) == len(ioc_ports + others)


def test_a_port_shared_as_servers_share_it_is_free_and_a_listened_one_is_not():
    """A PVA client of the test process listens for beacons on the first
    slot's broadcast port, with SO_REUSEADDR as the IOC binds it: that port
    is free for the IOC (else the IOC on slot 0 could never be restarted).
    A TCP port something listens on is not."""
    shared, listened = claim_ports(2)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as beacons,
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server,
    ):
        beacons.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        beacons.bind(("127.0.0.1", shared))
        server.bind(("127.0.0.1", listened))
        server.listen()
        assert port_free(shared)
        assert not port_free(listened)
    assert port_free(listened)
