"""A 10 000-signal beamline gives a module (timed by hand, not here)."""

from __future__ import annotations

from pathlib import Path

from ophyd_blueprint.stubs import generate_stubs

SIGNALS = 10_000


def write_large_beamline(directory: Path) -> Path:
    lines = ["blueprint: Big", "signals:"]
    lines += [
        f"  s{i}: {{source: 'BIG:{i}', dtype: float, access: rw}}"
        for i in range(SIGNALS)
    ]
    (directory / "big.yaml").write_text("\n".join(lines) + "\n")
    beamline = directory / "big_beamline.yaml"
    beamline.write_text(
        "beamline: big\nblueprints: [.]\ndevices:\n  big: {blueprint: Big}\n"
    )
    return beamline


def test_a_10000_signal_beamline_gives_one_attribute_per_signal(tmp_path: Path):
    beamline = write_large_beamline(tmp_path)
    text = generate_stubs([beamline], tmp_path / "big_devices.py")
    assert text.count(": SignalRW[float]") == SIGNALS
