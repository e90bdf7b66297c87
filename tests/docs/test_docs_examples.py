"""Every code block of README.md and docs/**/*.md runs as written.

The rules a docs writer follows (the same, with examples, in
docs/contributing.md):

Where a page runs
  Each page runs top to bottom, block after block, in a fresh working
  directory laid out like a clone: copies of ``devices/``, ``beamlines/`` and
  ``schemas/``, and a ``.venv`` layered over the virtualenv running the tests
  (a page may ``pip install`` into it), so ``.venv/bin/blueprint ...`` works
  as in the README. The page runs in a
  private network and ``/tmp`` (Linux ``unshare``: loopback only, a tmpfs on
  ``/tmp``), so the ports and folders it names are its own whatever else runs
  on the machine, and nothing it writes under ``/tmp`` outlives it.

Servers a page may name (started before its first block, when it names them)
  * the demo servers (``DEMO:`` anywhere in the page): the demo IOC ``DEMO:``
    (CA and PVA), the simulated areaDetector ``DEMO:CAM:``, the Tango test
    devices on ``127.0.0.1:10000`` (``$DEMO_TANGO_PORT`` says the port);
  * an IOC with the docs' records ``BL01:TEMP``, ``BL01:GAIN``/``_RBV``,
    ``BL01:RESET``, ``BL01:N``/``_RBV`` (``tests/docs/docs.db``);
  * simulated areaDetectors ``BL01:DET:`` and ``BL02:DET:``;
  * a simulated PMAC ``BL02:PMAC:`` with motors ``BL02:PMAC:M1`` and ``M2``.
  Every block's environment reaches them (``EPICS_*``, ``DEMO_TANGO_PORT``).

Fences, by language (the first word of the info string; GitHub shows only it)
  ``python``
    Run as a script with the venv's Python in the working directory (which is
    on ``sys.path``); it must exit 0 within 180 s. Top-level ``await`` works
    as in ``python -m asyncio``. A first line ``# file: NAME`` writes the block
    to NAME instead (a module or test for later blocks). ``python pyright``:
    also checked with pyright in strict mode first. ``python
    run-by=tests/PATH.py``: a block that needs servers this harness does not
    start (a PandA); that test, which must exist and read the page, runs it.
  ``sh``
    Run as one ``bash -e`` script in the working directory; it must exit 0
    (``sh exit=N``: exit N). A command ending in ``&`` runs on in the
    background until the page ends, when it gets SIGTERM and must stop
    within 30 s; if it redirects its output (``> FILE &``), the next block
    starts once FILE holds a line ``# ready``. ``make TARGET`` checks that the
    Makefile has that target (``make -n``): make test runs this harness,
    tests/demo the demo.
  ``yaml``, ``json``, ``ini``, ``toml``
    Parsed (must be valid). A first line ``# file: NAME`` (yaml, ini, toml)
    writes the block to NAME for later blocks; a ``yaml`` block naming a file
    the clone has must say the same as that file (compared as data), so the
    docs show the shipped files as they are.
  ``text``
    Output shown to the reader; nothing runs.
  Any other language fails the page: give it a rule here first.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .blocks import OUTPUT_ONLY, RUN, WRITTEN_OR_PARSED, Block, blocks_of, file_target

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
RUNNABLE = [page for page in PAGES if blocks_of(page.read_text())]
PAGE_TIMEOUT = 900.0


def private_namespace() -> list[str]:
    """The command prefix that runs a page in its own network and /tmp."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    assert unshare is not None, "the docs run in a private namespace: needs unshare"
    private_tmp = "mount -t tmpfs tmpfs /tmp"
    if ROOT.is_relative_to("/tmp"):  # keep the checkout (and its venv) in sight
        inside = ROOT.relative_to("/tmp")
        private_tmp = (
            f"mount --bind /tmp /mnt && {private_tmp} && mkdir -p /tmp/{inside} "
            f"&& mount --bind /mnt/{inside} /tmp/{inside}"
        )
    script = f'{ip} link set lo up && {private_tmp} && exec "$0" "$@"'
    return [unshare, "--map-root-user", "--net", "--mount", "sh", "-c", script]


@pytest.mark.timeout(PAGE_TIMEOUT + 60)
@pytest.mark.parametrize("page", RUNNABLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_of_the_page_runs_as_written(page: Path):
    result = subprocess.run(
        [*private_namespace(), sys.executable, "-m", "tests.docs.page_runner", page],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert result.stdout.count(" ok\n") == len(blocks_of(page.read_text()))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_of_the_page_has_a_rule(page: Path):
    known = RUN | WRITTEN_OR_PARSED | OUTPUT_ONLY
    unruled = [
        f"{page.name}:{b.line}: {b.language or '(none)'}"
        for b in blocks_of(page.read_text())
        if b.language not in known
    ]
    assert unruled == []


def test_blocks_keep_their_language_attributes_text_and_line():
    page = "intro\n\n```python pyright\nx = 1\n```\n\n```sh exit=1\nfalse\n```\n"
    assert blocks_of(page) == [
        Block("python", ("pyright",), "x = 1\n", 3),
        Block("sh", ("exit=1",), "false\n", 7),
    ]
    assert blocks_of(page)[1].expected_exit == 1
    assert blocks_of(page)[0].attribute("pyright") == ""


def test_a_fence_inside_a_longer_fence_is_text():
    page = "````text\n```python\nnot run\n```\n````\n"
    (block,) = blocks_of(page)
    assert block.language == "text"
    assert "```python" in block.text


def test_file_blocks_name_a_path_inside_the_working_directory():
    assert file_target(Block("yaml", (), "# file: beamlines/x.yaml\na: 1\n", 1)) == (
        Path("beamlines/x.yaml")
    )
    assert file_target(Block("yaml", (), "a: 1\n", 1)) is None
    with pytest.raises(ValueError, match="not inside the page"):
        file_target(Block("yaml", (), "# file: ../x.yaml\n", 1))
