from __future__ import annotations

from pathlib import Path

from ophyd_blueprint.blueprint import load_blueprint, render_blueprint, validate_files

SIGNALS = 10_000


def write_large_blueprint(path: Path) -> Path:
    lines = ["blueprint: Big", "params:", "  prefix: {type: str}", "signals:"]
    lines += [
        f'  s{n:05d}: {{source: "{{{{prefix}}}}S{n:05d}", dtype: float, access: rw}}'
        for n in range(SIGNALS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_10000_signal_blueprint_loads_validates_and_renders(tmp_path: Path) -> None:
    path = write_large_blueprint(tmp_path / "big.yaml")
    assert validate_files([path]) == []
    blueprint = load_blueprint(path)
    assert len(blueprint.signals) == SIGNALS
    assert blueprint.signals["s09999"].origin.problem("x", "source").line == SIGNALS + 4
    rendered = render_blueprint(blueprint, {"prefix": "BIG:"})
    assert rendered.signals["s09999"].source == "ca://BIG:S09999"
