"""The sequencer planner, against a model of the SEQ block over moving motors."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanspec.specs import Fly, Line

from ophyd_blueprint.logic.panda import (
    MAX_ROWS,
    Encoder,
    PandaPlanError,
    SeqPlanner,
    SeqTrigger,
)

from .seq_sim import flown, run

TICK = 1e-6


def check_frames(
    spec: Any, encoders: dict[str, Encoder], planner: SeqPlanner, overshoot: float
) -> None:
    """Every frame of `spec` (from the planner's `start`) gets exactly one
    trigger, inside its window."""
    track, frames = flown(spec, encoders, overshoot, start=planner.start)
    pulses = run(planner, track, TICK)
    assert len(pulses) == len(frames.gap) == planner.frames
    for axis, encoder in encoders.items():
        if axis not in frames.axes():
            continue
        lower = encoder.counts(frames.lower[axis])
        upper = encoder.counts(frames.upper[axis])
        low, high = np.minimum(lower, upper), np.maximum(lower, upper)
        speed = np.abs(upper - lower) / float(frames.duration[0])
        # one count of encoder resolution, and a tick of timing
        slack = 1.0 + speed * TICK + 1e-6
        for k, (start, end) in enumerate(pulses):
            for t in (start, end):
                c = track.at(encoder.input, t)
                assert low[k] - slack[k] <= c <= high[k] + slack[k], (
                    f"frame {k} of {axis}: pulse at {c:.3f} counts, window "
                    f"{low[k]:.3f}..{high[k]:.3f}"
                )


@st.composite
def scans(draw: st.DrawFn) -> tuple[Any, dict[str, Encoder], int]:
    scale = draw(st.sampled_from([1e-3, -1e-3, 2.5e-4, -5e-2]))
    offset = draw(st.floats(-50, 50))
    fast = draw(st.integers(2, 12))
    width = abs(scale) * draw(st.floats(3, 400))
    start = draw(st.floats(-20, 20))
    direction = draw(st.sampled_from([1, -1]))
    line = Line("x", start, start + direction * width * (fast - 1), fast)
    shape = draw(st.lists(st.integers(1, 5), min_size=0, max_size=2))
    snake = draw(st.booleans())
    inner: Any = ~line if snake and shape else line
    spec: Any = inner
    for k, n in enumerate(reversed(shape)):
        spec = Line(f"y{k}", 0, 1, n) * spec
    duration = draw(st.sampled_from([0.001, 0.01, 0.0125]))
    max_rows = draw(st.sampled_from([4, 5, 8, 64, MAX_ROWS]))
    encoders = {"x": Encoder(draw(st.sampled_from("ABC")), scale, offset)}
    return Fly(duration @ spec), encoders, max_rows


@given(scans(), st.sampled_from([0.0, 1e-6, 1e-4]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_frame_is_triggered_once_inside_its_window(
    scan: tuple[Any, dict[str, Encoder], int], deadtime: float
) -> None:
    spec, encoders, max_rows = scan
    planner = SeqPlanner(
        spec, encoders, deadtime=deadtime, tick=TICK, max_rows=max_rows
    )
    check_frames(spec, encoders, planner, overshoot=3.0)


@given(scans(), st.floats(0, 1, exclude_max=True))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_resumed_at_any_frame_every_later_frame_is_triggered_once_inside_its_window(
    scan: tuple[Any, dict[str, Encoder], int], where: float
) -> None:
    spec, encoders, max_rows = scan
    frames = SeqPlanner(spec, encoders, tick=TICK).frames
    start = int(where * frames)
    planner = SeqPlanner(spec, encoders, tick=TICK, max_rows=max_rows, start=start)
    assert planner.frames == frames - start
    check_frames(spec, encoders, planner, overshoot=3.0)


def test_a_resumed_snake_of_ten_million_frames_is_still_a_few_rows() -> None:
    """Beyond one table written out, the rest of the line, then the pairs of
    lines repeated, then the odd last line."""
    spec = Fly(0.001 @ (Line("y", 0, 1, 2500) * ~Line("x", 0, 10, 4000)))
    encoders = {"x": Encoder("A", 1e-4, 0.0)}
    started = time.perf_counter()
    planner = SeqPlanner(spec, encoders, tick=TICK, start=123)
    segments = list(planner)
    assert time.perf_counter() - started < 0.5
    assert [s.first_frame for s in segments] == [123, 4_000, 9_996_000]
    assert sum(s.frames for s in segments) == 10_000_000 - 123
    assert all(len(s.table.rows()) <= 4 for s in segments)


def test_a_snake_of_ten_million_frames_is_one_table_of_four_rows() -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, 2500) * ~Line("x", 0, 2, 4000)))
    started = time.perf_counter()
    planner = SeqPlanner(spec, {"x": Encoder("A", 1e-5)}, deadtime=1e-6)
    segments = list(planner)
    assert time.perf_counter() - started < 0.5
    assert [(len(s.table), s.repeats, s.frames) for s in segments] == [
        (4, 1250, 10_000_000)
    ]
    table = segments[0].table
    assert table.trigger == [
        SeqTrigger.POSA_LT,  # on the near side of the forward line's start
        SeqTrigger.POSA_GT,  # at it: 4000 frames
        SeqTrigger.POSA_GT,  # beyond the backward line's start
        SeqTrigger.POSA_LT,  # at it: 4000 frames
    ]
    assert table.repeats.tolist() == [1, 4000, 1, 4000]
    assert table.time1.tolist() == [0, 9999, 0, 9999]
    assert table.time2.tolist() == [1, 1, 1, 1]


def test_an_odd_snake_beyond_one_table_is_pairs_then_the_last_line() -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, 4097) * ~Line("x", 0, 2, 100)))
    segments = list(SeqPlanner(spec, {"x": Encoder("B", 1e-4)}))
    assert [(len(s.table), s.repeats, s.frames, s.first_frame) for s in segments] == [
        (4, 2048, 409_600, 0),
        (2, 1, 100, 409_600),
    ]


def test_a_raster_is_one_line_repeated() -> None:
    spec = Fly(0.01 @ (Line("y", 0, 1, 5000) * Line("x", 0, 2, 100)))
    segments = list(SeqPlanner(spec, {"x": Encoder("A", 1e-4)}))
    assert [(len(s.table), s.repeats, s.frames) for s in segments] == [
        (2, 5000, 500_000)
    ]


def test_a_long_line_is_split_into_rows_of_65535_frames() -> None:
    spec = Fly(0.001 @ Line("x", 0, 100, 200_000))
    (segment,) = SeqPlanner(spec, {"x": Encoder("A", 1e-5)})
    assert segment.table.repeats.tolist() == [1, 65535, 65535, 65535, 3395]
    assert segment.table.trigger[2:] == [SeqTrigger.IMMEDIATE] * 3


def test_a_path_with_no_repeating_structure_is_cut_at_window_starts() -> None:
    # three windows a line, two rows each: a line does not fit 4 rows
    lines = Line("x", 0, 1, 3).concat(Line("x", 2, 3, 3)).concat(Line("x", 4, 5, 3))
    spec = Fly(0.01 @ (Line("y", 0, 1, 2) * lines))
    encoders = {"x": Encoder("A", 1e-3)}
    planner = SeqPlanner(spec, encoders, max_rows=4)
    segments = list(planner)
    assert [(len(s.table), s.repeats) for s in segments] == [(4, 1)] * 3
    assert [s.first_frame for s in segments] == [0, 6, 12]
    check_frames(spec, encoders, planner, overshoot=3.0)


def test_a_gate_output_stays_high_through_the_deadtime() -> None:
    spec = Fly(0.01 @ Line("x", 0, 1, 5))
    (segment,) = SeqPlanner(spec, {"x": Encoder("A", 1e-3)}, deadtime=1e-3, gate="B")
    table = segment.table
    assert table.outa1.tolist() == [False, True]
    assert table.outb1.tolist() == [False, True]
    assert table.outb2.tolist() == [False, True]
    assert table.time1.tolist() == [0, 9000]
    assert table.time2.tolist() == [1, 1000]


@pytest.mark.parametrize(
    ("spec", "encoders", "kwargs", "reason"),
    [
        (
            Fly(0.01 @ Line("x", 0, 1, 5)),
            {"z": Encoder("A", 1e-3)},
            {},
            "no encoder is configured for the axes that move during a frame",
        ),
        (
            Fly(0.01 @ Line("x", 0, 1e-3, 5)),
            {"x": Encoder("A", 1e-3)},
            {},
            "moves a count or more",
        ),
        (
            Fly(0.0100005 @ Line("x", 0, 1, 5)),
            {"x": Encoder("A", 1e-3)},
            {},
            "not a whole number of the sequencer's 1e-06 s ticks",
        ),
        (
            Fly(0.01 @ Line("x", 0, 1, 5)),
            {"x": Encoder("A", 1e-3)},
            {"deadtime": 0.01},
            "leave no live time",
        ),
        (
            Fly(0.01 @ Line("x", 5e3, 1e4, 5)),
            {"x": Encoder("A", 1e-6)},
            {},
            "beyond the 32-bit range",
        ),
        (
            Line("x", 0, 1, 5),
            {"x": Encoder("A", 1e-3)},
            {},
            "no duration",
        ),
        (
            Fly(0.01 @ Line("x", 0, 1, 5)),
            {"x": Encoder("A", 1e-3)},
            {"trigger": "A", "gate": "A"},
            "both OUTA",
        ),
    ],
)
def test_a_scan_the_tables_cannot_express_is_refused_with_the_reason(
    spec: Any, encoders: dict[str, Encoder], kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PandaPlanError, match=reason):
        SeqPlanner(spec, encoders, **kwargs)


def test_a_window_too_long_for_any_table_is_refused() -> None:
    spec = Fly(0.001 @ Line("x", 0, 1000, 65535 * 5))
    with pytest.raises(PandaPlanError, match="without a gap") as caught:
        list(SeqPlanner(spec, {"x": Encoder("A", 1e-3)}, max_rows=4))
    assert caught.value.frame == 0


def test_a_resumed_scan_that_fits_one_table_runs_on_in_it() -> None:
    """The sequencer's ACTIVE stays high to the end, as in the scan paused."""
    spec = Fly(0.01 @ (Line("y", 0, 1, 4) * ~Line("x", 0, 2, 25)))
    planner = SeqPlanner(spec, {"x": Encoder("A", 1e-4, 0.0)}, tick=TICK, start=30)
    [segment] = list(planner)
    assert (segment.first_frame, segment.frames, segment.repeats) == (30, 70, 1)
