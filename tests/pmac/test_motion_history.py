"""`MotionHistory`: a simulated motor's position at a moment just past is where
it was then (a simulation behind the clock asks late), not where its present
motion puts it."""

from __future__ import annotations

import pytest

from ophyd_blueprint.testing.motion_history import KEPT_SECONDS, MotionHistory, Rest
from ophyd_blueprint.testing.sim_pmac import PvtTrajectory, TrapezoidMove


def test_a_motor_never_moved_is_where_it_started_at_any_time():
    history = MotionHistory(1.5)

    assert history.position_at(-1e9) == 1.5
    assert history.position_at(1e9) == 1.5


def test_a_moment_of_a_move_now_over_is_on_that_move_not_at_the_rest_after_it():
    history = MotionHistory(0.0)
    move = TrapezoidMove(start=0.0, target=2.0, t0=10.0, duration=2.0, accel_time=0.0)
    history.follow(10.0, move)
    history.follow(11.0, Rest(move.position_at(11.0)))  # stopped halfway

    assert history.position_at(9.0) == 0.0, "before the move: at rest"
    assert history.position_at(10.5) == pytest.approx(0.5)
    assert history.position_at(11.0) == pytest.approx(1.0)
    assert history.position_at(12.0) == pytest.approx(1.0), "stopped, not at 2"


def test_a_moment_of_a_run_that_ended_since_is_on_its_trajectory():
    trajectory = PvtTrajectory(["X"])
    trajectory.append([1.0, 1.0], {"X": [1.0, 2.0]}, {"X": [1.0, 0.0]}, [0, 0])
    trajectory.start = {"X": 0.0}
    history = MotionHistory(0.0)

    class Along:
        def position_at(self, t: float) -> float:
            return trajectory.position_at(t - 100.0)["X"]

    history.follow(100.0, Along())
    history.follow(101.5, Rest(Along().position_at(101.5)))  # aborted mid-run

    assert history.position_at(100.5) == pytest.approx(trajectory.position_at(0.5)["X"])
    assert history.position_at(101.2) == pytest.approx(trajectory.position_at(1.2)["X"])
    assert history.position_at(103.0) == pytest.approx(trajectory.position_at(1.5)["X"])


def test_a_motion_begun_earlier_than_the_last_replaces_what_followed_it():
    history = MotionHistory(0.0)
    history.follow(5.0, Rest(1.0))
    history.follow(4.0, Rest(2.0))

    assert history.position_at(4.5) == 2.0
    assert history.position_at(6.0) == 2.0
    assert history.position_at(3.0) == 0.0


def test_motions_long_past_are_forgotten_the_oldest_kept_answers_for_them():
    history = MotionHistory(0.0)
    for second in range(1, 200):
        history.follow(float(second), Rest(float(second)))

    assert history.position_at(150.5) == 150.0
    assert history.position_at(0.5) == 199.0 - KEPT_SECONDS
