"""`PvtTrajectory`, the simulated PMAC's motion, in-process: cubic Hermite
segments between position-velocity-time points, from the start at rest."""

from __future__ import annotations

import numpy as np
import pytest

from ophyd_blueprint.testing.sim_pmac import PvtTrajectory, TrapezoidMove, move_duration


def trajectory(
    positions: list[float], velocities: list[float], durations: list[float]
) -> PvtTrajectory:
    t = PvtTrajectory(["X"])
    t.append(durations, {"X": positions}, {"X": velocities}, [1] * len(positions))
    return t


def test_a_segment_is_the_cubic_hermite_curve_between_its_ends():
    t = trajectory([1.0], [0.0], [1.0])  # from 0 at rest to 1 at rest in 1 s

    assert t.position_at(0.5)["X"] == pytest.approx(0.5)
    assert t.position_at(0.25)["X"] == pytest.approx(3 * 0.25**2 - 2 * 0.25**3)


def test_points_at_constant_speed_make_a_straight_line_after_the_first():
    t = trajectory([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])

    assert t.position_at(0.5)["X"] == pytest.approx(2 * 0.5**2 - 0.5**3)
    for moment in (1.0, 1.3, 2.0, 2.7):
        assert t.position_at(moment)["X"] == pytest.approx(moment)


def test_the_velocity_at_each_point_is_the_one_given():
    t = trajectory([1.0, 1.5, 4.0], [2.0, -1.0, 0.5], [0.5, 0.4, 1.0])
    eps = 1e-6
    for when, velocity in ((0.5, 2.0), (0.9, -1.0), (1.9, 0.5)):
        at = t.position_at(when)["X"]
        behind = t.position_at(when - eps)["X"]
        assert (at - behind) / eps == pytest.approx(velocity, rel=1e-4)


def test_before_the_start_it_is_at_the_start_and_after_the_end_at_the_last_point():
    t = trajectory([1.0, 2.0], [1.0, 0.0], [1.0, 1.0])
    t.start = {"X": -3.0}

    assert t.position_at(-1.0)["X"] == -3.0
    assert t.position_at(0.0)["X"] == -3.0
    assert t.position_at(10.0)["X"] == 2.0


def test_positions_at_many_times_are_those_at_each():
    t = PvtTrajectory(["X", "Y"])
    positions = {"X": [1.0, 2.0, 3.0], "Y": [0.0, -1.0, 0.0]}
    velocities = {"X": [4.0, 5.0, 0.0], "Y": [-2.0, 0.0, 1.0]}
    t.append([0.2, 0.3, 0.1], positions, velocities, [1, 2, 8])
    times = np.linspace(-0.1, 0.7, 33)

    many = t.positions_at(times)

    for i, moment in enumerate(times):
        one = t.position_at(float(moment))
        assert (many["X"][i], many["Y"][i]) == pytest.approx((one["X"], one["Y"]))


def test_reached_counts_the_points_whose_time_has_come():
    t = trajectory([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5])

    assert [t.reached(s) for s in (0.0, 0.49, 0.5, 1.2, 1.5, 9.0)] == [0, 0, 1, 2, 3, 3]
    assert t.end_time == 1.5


def test_end_at_makes_a_point_the_last_reached_at_rest():
    t = trajectory([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], [1.0] * 4)

    t.end_at(2)

    assert t.final == 2
    assert t.end_time == 2.0
    assert t.reached(5.0) == 2
    assert t.position_at(5.0)["X"] == 2.0
    assert t.points().velocities["X"].tolist() == [1.0, 0.0, 1.0, 1.0]
    assert len(t.points(2)) == 2


def test_points_appended_continue_the_trajectory():
    t = trajectory([1.0], [1.0], [1.0])
    for _ in range(100):  # grows its arrays as it goes
        last = t.points().positions["X"][-1]
        t.append([1.0], {"X": [last + 1.0]}, {"X": [1.0]}, [1])

    assert len(t) == 101
    assert t.position_at(50.5)["X"] == pytest.approx(50.5)
    assert t.points().user.tolist() == [1] * 101


def test_a_trapezoid_move_accelerates_cruises_and_arrives():
    duration = move_duration(4.0, 2.0, 0.5)
    move = TrapezoidMove(1.0, 5.0, 10.0, duration, 0.5)

    assert duration == 2.5
    assert move.position_at(10.0) == 1.0
    assert move.position_at(10.5) == pytest.approx(1.5)  # half the speed for 0.5 s
    assert move.position_at(11.25) == pytest.approx(3.0)
    assert move.position_at(12.5) == 5.0
    assert move_duration(0.5, 2.0, 0.5) == pytest.approx(2 * (0.5 * 0.5 / 2) ** 0.5)
