"""The score of a review: earned over possible points, one decimal, and 0 when a critical item scored 0."""

from decimal import Decimal

import pytest

from kefu.quality.rules import Scored, points_error, score


def test_score_is_earned_over_possible_points_as_a_percentage():
    result = score([Scored(10, 10), Scored(15, 20), Scored(20, 30)])

    assert result.percent == Decimal("75.0")
    assert result.critical_failed is False


def test_score_is_rounded_half_up_to_one_decimal():
    assert score([Scored(2, 3)]).percent == Decimal("66.7")
    assert score([Scored(1, 3)]).percent == Decimal("33.3")
    assert score([Scored(1, 16)]).percent == Decimal("6.3")  # 6.25 rounds up, not to even


def test_a_critical_item_scored_zero_makes_the_whole_review_zero():
    result = score([Scored(10, 10), Scored(30, 30), Scored(0, 10, is_critical=True)])

    assert result.percent == Decimal("0.0")
    assert result.critical_failed is True


def test_a_critical_item_with_some_points_does_not_fail_the_review():
    result = score([Scored(10, 10), Scored(5, 10, is_critical=True)])

    assert result.percent == Decimal("75.0")
    assert result.critical_failed is False


def test_a_non_critical_item_scored_zero_only_lowers_the_score():
    assert score([Scored(0, 10), Scored(10, 10)]) == score([Scored(5, 10), Scored(5, 10)])


@pytest.mark.parametrize(
    ("points", "max_points", "problem"),
    [
        (0, 10, None),
        (10, 10, None),
        (11, 10, "range"),
        (-1, 10, "range"),
        (None, 10, "missing"),
        ("", 10, "missing"),
        ("5", 10, "not_number"),
        (2.5, 10, "not_number"),
        (True, 10, "not_number"),
    ],
)
def test_points_must_be_a_whole_number_within_the_criterion(points, max_points, problem):
    assert points_error(points, max_points) == problem
