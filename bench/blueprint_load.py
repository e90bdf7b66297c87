"""How long loading and validating 10 000 signals takes (issue 6: under 1 s).

Two shapes of the same 10 000 signals, written to a temporary directory:
one blueprint of 10 000 signals, and a beamline of 100 devices made from 100
blueprints of 100 signals each. Each is loaded and validated from a cold cache
(as ``blueprint validate`` does on first run) and again with the cache warm.
Prints one line per figure: the best of several runs, in milliseconds.

    .venv/bin/python bench/blueprint_load.py
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ophyd_blueprint.blueprint import validate_files
from ophyd_blueprint.blueprint.loader import clear_cache
from ophyd_blueprint.cli.validate import logic_roles

SIGNALS = 10_000
RUNS = 5


def signal_lines(count: int) -> list[str]:
    """``count`` templated read-write float signals, as a device author writes."""
    return [
        f'  s{n:05d}: {{source: "{{{{prefix}}}}S{n:05d}", dtype: float, access: rw}}'
        for n in range(count)
    ]


def one_big_blueprint(directory: Path) -> list[Path]:
    """One file holding every signal."""
    path = directory / "big.yaml"
    lines = ["blueprint: Big", "params:", "  prefix: {type: str}", "signals:"]
    path.write_text("\n".join([*lines, *signal_lines(SIGNALS)]) + "\n")
    return [path]


def beamline_of_many(directory: Path, devices: int = 100) -> list[Path]:
    """A beamline of ``devices`` devices, each its own blueprint."""
    per_device = SIGNALS // devices
    (directory / "devices").mkdir()
    entries: list[str] = []
    for n in range(devices):
        lines = [f"blueprint: Dev{n:03d}", "params:", "  prefix: {type: str}"]
        lines += ["signals:", *signal_lines(per_device)]
        (directory / "devices" / f"dev{n:03d}.yaml").write_text("\n".join(lines))
        entries.append(
            f'  d{n:03d}: {{blueprint: Dev{n:03d}, with: {{prefix: "D{n}:"}}}}'
        )
    path = directory / "beamline.yaml"
    header = ["beamline: bench", "blueprints: [devices]", "devices:"]
    path.write_text("\n".join([*header, *entries]) + "\n")
    return [path]


def best_ms(action: Callable[[], object], *, cold: bool) -> float:
    """The fastest of ``RUNS`` runs of ``action``, in milliseconds."""
    times: list[float] = []
    for _ in range(RUNS):
        if cold:
            clear_cache()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    roles = logic_roles()
    for shape in (one_big_blueprint, beamline_of_many):
        with tempfile.TemporaryDirectory() as tmp:
            paths = shape(Path(tmp))

            def validate(paths: list[Path] = paths) -> None:
                problems = validate_files(paths, logic_roles=roles)
                assert problems == [], problems

            for cold in (True, False):
                cache = "cold" if cold else "warm"
                figure = best_ms(validate, cold=cold)
                name = shape.__name__.replace("_", " ")
                print(f"{SIGNALS} signals, {name}, {cache} cache: {figure:.0f} ms")


if __name__ == "__main__":
    main()
