"""Run every code block of one Markdown page as written, as a reader would.

``python -m tests.docs.page_runner PAGE`` (from the repository root), inside
the private network and ``/tmp`` that `test_docs_examples` gives it: the
servers the page names start first, then each block runs in order in a fresh
working directory laid out like a clone. It prints one line per block and,
for the first block that does not do what the rules say, why; exit 0 when
every block did. The rules are in ``test_docs_examples.py``.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

from ruamel.yaml import YAML

from ophyd_blueprint.demo.servers import demo_servers
from ophyd_blueprint.testing.ioc import EpicsIoc, configure_client_env
from ophyd_blueprint.testing.sim_ioc import SimDetectorIoc, SimPmacIoc

from .blocks import OUTPUT_ONLY, RUN, WRITTEN_OR_PARSED, Block, blocks_of, file_target

ROOT = Path(__file__).parents[2]
CLONE = ("devices", "beamlines", "schemas")
"""What a clone has beside the code that the docs' examples use."""
DOCS_DB = Path(__file__).with_name("docs.db")
EXEC_BLOCK = Path(__file__).with_name("exec_block.py")
BLOCK_TIMEOUT = 180.0
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
SH_PRELUDE = 'make() { command make -n -C "$DOCS_REPOSITORY" "$@" > /dev/null; }\n'
"""``make TARGET`` in a block checks that the target exists; it does not run it."""


class BlockFailed(Exception):
    """A block did not do what the rules say; the message says what it did."""


def main(argv: list[str]) -> int:
    page = Path(argv[0]).resolve()
    text = page.read_text(encoding="utf-8")
    name = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        python = make_clone(workdir)
        env = stack.enter_context(servers_for(text, python))
        background = Background()
        try:
            for block in blocks_of(text):
                run_block(block, workdir, env, background, page.name)
                print(f"{name}:{block.line}: {block.language} ok", flush=True)
        except BlockFailed as failure:
            print(f"{name}:{block.line}: {block.language} block: {failure}")
            return 1
        finally:
            left = background.stop()
        if left:
            print(f"{name}: background commands did not stop on SIGTERM: {left}")
            return 1
    return 0


def make_clone(workdir: Path) -> Path:
    """``devices/``, ``beamlines/``, ``schemas/`` copied and a ``.venv``; its python.

    The ``.venv`` is a virtualenv of its own layered over the one running the
    tests (whose site-packages it adds), so a page may ``pip install`` into it
    without changing the environment the other tests run in.
    """
    caches = shutil.ignore_patterns("__pycache__")
    for name in CLONE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, workdir / name, ignore=caches)
    venv = workdir / ".venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        timeout=BLOCK_TIMEOUT,
    )
    python = venv / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    ).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(site_packages, "_tested_environment.pth").write_text(
        f"import site; site.addsitedir({parent!r})\n"
    )
    _copy_scripts(Path(sys.prefix) / "bin", venv / "bin", python)
    return python


def _copy_scripts(source: Path, target: Path, python: Path) -> None:
    """The console scripts of `source` (blueprint, pip, pytest...), run by `python`."""
    shebang = f"#!{sys.executable}".encode()
    for script in source.iterdir():
        if target.joinpath(script.name).exists() or not script.is_file():
            continue
        content = script.read_bytes()
        if content.startswith(shebang + b"\n"):
            copy = target / script.name
            copy.write_bytes(f"#!{python}".encode() + content[len(shebang) :])
            copy.chmod(0o755)


@contextlib.contextmanager
def servers_for(text: str, python: Path) -> Iterator[dict[str, str]]:
    """The servers `text` names, running; the environment that reaches them."""
    with contextlib.ExitStack() as stack:
        extra: dict[str, str] = {}
        if re.search(r"DEMO:|DEMO_TANGO_PORT|127\.0\.0\.1:10000", text):
            servers = stack.enter_context(demo_servers(_status))
            extra["DEMO_TANGO_PORT"] = str(servers.tango_port)
        if re.search(r"BL01:(TEMP|GAIN|RESET|N\b)", text):
            stack.enter_context(EpicsIoc([DOCS_DB], prefix="BL01:"))
        for prefix in ("BL01:DET:", "BL02:DET:"):
            if prefix in text:
                stack.enter_context(SimDetectorIoc(prefix=prefix))
        if "BL02:PMAC:" in text:
            stack.enter_context(SimPmacIoc(2, prefix="BL02:PMAC:"))
        path = f"{python.parent}{os.pathsep}{os.environ['PATH']}"
        yield {
            **os.environ,
            **configure_client_env(),
            **extra,
            "PATH": path,
            "PYTHONUNBUFFERED": "1",
            "DOCS_REPOSITORY": str(ROOT),
            "DOCS_PYTHON": str(python),
        }


def _status(text: str) -> None:
    print(f"  servers: {text}", flush=True)


def run_block(
    block: Block, workdir: Path, env: dict[str, str], bg: Background, page: str
) -> None:
    """Do with `block` (of the page named `page`) what the rules say;
    BlockFailed if it does not work."""
    if block.language in OUTPUT_ONLY:
        return
    run_by = [a.split("=", 1)[1] for a in block.attributes if a.startswith("run-by=")]
    if run_by:  # needs servers the harness has not (a PandA): a test runs it
        test = ROOT / run_by[0]
        if not test.is_file() or page not in test.read_text():
            raise BlockFailed(f"run-by={run_by[0]}: no such test reading {page}")
        return
    if block.language in WRITTEN_OR_PARSED:
        write_or_parse(block, workdir)
    elif block.language == "python":
        run_python(block, workdir, env)
    elif block.language == "sh":
        run_sh(block, workdir, env, bg)
    else:
        known = sorted(RUN | WRITTEN_OR_PARSED | OUTPUT_ONLY)
        raise BlockFailed(
            f"no rule for fence language {block.language!r}; known: {', '.join(known)}"
        )


def write_or_parse(block: Block, workdir: Path) -> None:
    try:
        data = _parse(block)
    except Exception as error:
        raise BlockFailed(f"does not parse as {block.language}: {error}") from None
    target = file_target(block)
    if target is None:
        return
    path = workdir / target
    if path.exists() and block.language == "yaml":
        shipped = YAML(typ="safe").load(path.read_text())
        if shipped != data:
            raise BlockFailed(
                f"says otherwise than the shipped {target}: show the file as it is"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text)


def _parse(block: Block) -> object:
    if block.language == "yaml":
        return YAML(typ="safe").load(block.text)
    if block.language == "json":
        return json.loads(block.text)
    if block.language == "toml":
        return tomllib.loads(block.text)
    parser = configparser.ConfigParser()
    parser.read_string(block.text)
    return {section: dict(parser[section]) for section in parser.sections()}


def run_python(block: Block, workdir: Path, env: dict[str, str]) -> None:
    target = file_target(block)
    if target is not None:  # a module or test file for later blocks
        (workdir / target).parent.mkdir(parents=True, exist_ok=True)
        (workdir / target).write_text(block.text)
        return
    script = _block_file(workdir, block, "py")
    script.write_text(block.text)
    if block.attribute("pyright") is not None:
        _pyright_strict(script, workdir, env)
    _run(
        [env["DOCS_PYTHON"], str(EXEC_BLOCK), str(script)],
        block,
        workdir,
        env,
    )


def _pyright_strict(script: Path, workdir: Path, env: dict[str, str]) -> None:
    config = script.with_suffix(".pyright.json")
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
                "executionEnvironments": [{"root": str(workdir)}],
            }
        )
    )
    checked = subprocess.run(
        [
            str(Path(sys.executable).parent / "pyright"),
            "-p",
            str(config),
            "--pythonpath",
            sys.executable,
            str(script),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    if checked.returncode != 0:
        raise BlockFailed(f"pyright --strict finds errors:\n{checked.stdout}")


def run_sh(block: Block, workdir: Path, env: dict[str, str], bg: Background) -> None:
    script = _block_file(workdir, block, "sh")
    script.write_text(SH_PRELUDE + block.text)
    process = _run(["bash", "-e", str(script)], block, workdir, env, keep=True)
    lines = [line.split(" #")[0].rstrip() for line in block.text.splitlines()]
    waits = [line for line in lines if line.endswith("&")]
    if not waits:
        return
    bg.add(process.pid)
    for line in waits:
        redirect = re.search(r">\s*(\S+)\s*&$", line)
        if redirect is not None:
            _wait_ready(workdir / redirect[1], block)


def _wait_ready(path: Path, block: Block) -> None:
    """Until `path` holds a ``# ready`` line: the background server serves."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if path.exists() and "# ready" in path.read_text().splitlines():
            return
        time.sleep(0.1)
    raise BlockFailed(f"{path.name} had no '# ready' line within {READY_TIMEOUT} s")


def _block_file(workdir: Path, block: Block, suffix: str) -> Path:
    folder = workdir / ".docs-blocks"
    folder.mkdir(exist_ok=True)
    return folder / f"line{block.line}.{suffix}"


def _run(
    argv: list[str],
    block: Block,
    workdir: Path,
    env: dict[str, str],
    *,
    keep: bool = False,
) -> subprocess.Popen[bytes]:
    """Run `argv` in its own process group; output to a file, not a pipe, so
    that commands it leaves in the background do not hold the wait open."""
    output = _block_file(workdir, block, "out")
    with output.open("wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise BlockFailed(
                f"still running after {BLOCK_TIMEOUT} s:\n{_tail(output)}"
            ) from None
    if code != block.expected_exit:
        raise BlockFailed(
            f"exit status {code}, expected {block.expected_exit}:\n{_tail(output)}"
        )
    if not keep:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    return process


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Background:
    """Process groups of blocks that left commands running (``... &``)."""

    def __init__(self) -> None:
        self.groups: list[int] = []

    def add(self, group: int) -> None:
        self.groups.append(group)

    def stop(self) -> list[int]:
        """SIGTERM each group and wait for it to end; the groups that did not."""
        left: list[int] = []
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT
            while _alive(group) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(group):
                left.append(group)
                os.killpg(group, signal.SIGKILL)
        return left


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
