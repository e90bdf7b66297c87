"""Position compare from a line: one pulse at the start of every frame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanspec.core import Path
from scanspec.specs import Fly, Line

from ophyd_blueprint.logic.panda import Encoder, PandaPlanError
from ophyd_blueprint.logic.panda.pcomp import PcompDirection, PcompInfo, pcomp_from_spec


def pulse_counts(info: PcompInfo) -> np.ndarray:
    """Where the PCOMP block raises its output, as it counts along DIR."""
    sign = 1 if info.direction == PcompDirection.POSITIVE else -1
    return info.start + sign * info.step * np.arange(info.pulses)


@given(
    scale=st.sampled_from([1e-3, -1e-3, 2.5e-4]),
    offset=st.floats(-10, 10),
    counts=st.integers(3, 500),
    frames=st.integers(1, 200),
    start=st.floats(-5, 5),
    direction=st.sampled_from([1, -1]),
)
@settings(max_examples=200, deadline=None)
def test_each_frame_starts_with_a_pulse_inside_it(
    scale: float, offset: float, counts: int, frames: int, start: float, direction: int
) -> None:
    width = counts * abs(scale)
    spec = Fly(
        0.01 @ Line("x", start, start + direction * width * (frames - 1), frames)
    )
    encoder = Encoder("A", scale, offset)
    if frames == 1:  # a line of one frame has no width to pulse along
        with pytest.raises(PandaPlanError):
            pcomp_from_spec(spec, "x", encoder)
        return
    info = pcomp_from_spec(spec, "x", encoder)
    path = Path(spec.calculate()).consume()
    lower = encoder.counts(path.lower["x"])
    upper = encoder.counts(path.upper["x"])
    pulses = pulse_counts(info)
    assert len(pulses) == frames
    low, high = np.minimum(lower, upper), np.maximum(lower, upper)
    assert np.all(pulses >= low - 1)
    assert np.all(pulses <= high + 1)
    assert 1 <= info.width < info.step


def test_a_line_down_the_encoder_pulses_negative() -> None:
    spec = Fly(0.01 @ Line("x", 1, 0, 11))
    info = pcomp_from_spec(spec, "x", Encoder("A", 1e-3))
    assert info == PcompInfo(
        start=1050,
        width=50,
        step=100,
        pulses=11,
        direction=PcompDirection.NEGATIVE,
    )


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (Line("y", 0, 1, 2) * Line("x", 0, 1, 5), "one line of x; this spec has 2"),
        (Fly(0.01 @ Line("x", 0, 1, 3).concat(Line("x", 5, 6, 3))), "frames to touch"),
        (Fly(0.01 @ Line("x", 0, 1.0001, 1001)), "without drifting over 1001 frames"),
    ],
)
def test_what_position_compare_cannot_pulse_is_refused(spec: Any, reason: str) -> None:
    with pytest.raises(PandaPlanError, match=reason):
        pcomp_from_spec(spec, "x", Encoder("A", 1e-3))


def test_pulses_that_never_fall_are_refused() -> None:
    with pytest.raises(PandaPlanError, match="longer than the width"):
        PcompInfo(0, 10, 10, 5, PcompDirection.POSITIVE)


@pytest.mark.parametrize("scale", [1e-3, -1e-3])
def test_from_a_frame_on_the_pulses_are_the_whole_lines_from_that_one(
    scale: float,
) -> None:
    spec = Fly(0.01 @ Line("x", 0.0, 2.0, 101))
    encoder = Encoder("A", scale, 0.0)
    whole = pulse_counts(pcomp_from_spec(spec, "x", encoder))

    rest = pcomp_from_spec(spec, "x", encoder, first=37)

    assert rest.pulses == 101 - 37
    assert np.array_equal(pulse_counts(rest), whole[37:])


def test_a_line_resumed_past_its_last_frame_is_refused() -> None:
    spec = Fly(0.01 @ Line("x", 0.0, 2.0, 101))

    with pytest.raises(PandaPlanError, match="frames 0 to 100, not 101"):
        pcomp_from_spec(spec, "x", Encoder("A", 1e-3), first=101)
