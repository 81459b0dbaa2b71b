"""Pure survey rules: score ranges, the answer window, CSAT % and NPS arithmetic."""

from datetime import UTC, datetime, timedelta

import pytest

from kefu.surveys import rules

SOLVED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("score", "valid"), [(None, False), (0, False), (1, True), (5, True), (6, False)])
def test_csat_is_one_to_five_and_required(score, valid):
    assert rules.valid_csat(score) is valid


@pytest.mark.parametrize(("score", "valid"), [(None, True), (-1, False), (0, True), (10, True), (11, False)])
def test_nps_is_zero_to_ten_or_no_answer(score, valid):
    assert rules.valid_nps(score) is valid


def test_a_survey_is_open_for_seven_days_after_the_solve():
    expires = rules.expiry_for(SOLVED)

    assert rules.is_open(expires, SOLVED + timedelta(days=6, hours=23))
    assert not rules.is_open(expires, SOLVED + timedelta(days=7))


@pytest.mark.parametrize(
    ("satisfied", "answered", "expected"),
    [(0, 0, None), (3, 4, 75.0), (1, 3, 33.3), (0, 5, 0.0), (2, 2, 100.0)],
)
def test_csat_percent(satisfied, answered, expected):
    assert rules.csat_percent(satisfied, answered) == expected


@pytest.mark.parametrize(
    ("promoters", "detractors", "answered", "expected"),
    [(0, 0, 0, None), (5, 2, 10, 30.0), (0, 4, 4, -100.0), (4, 0, 4, 100.0), (1, 1, 3, 0.0), (2, 1, 6, 16.7)],
)
def test_net_promoter_score(promoters, detractors, answered, expected):
    assert rules.net_promoter_score(promoters, detractors, answered) == expected


@pytest.mark.parametrize(
    ("value", "score"), [("4", 4), (" 5 ", 5), (3, 3), ("²", None), ("４", 4), ("abc", None), (True, None)]
)
def test_a_score_sent_as_text_is_read_only_from_decimal_digits(value, score):
    """ "²" passes `str.isdigit()` but `int()` refuses it: it is no score, not an error."""
    assert rules.parse_score(value) == score
