"""survey_summary: responses, CSAT % (share of 4–5), average CSAT and NPS over answers given in a period,
for everyone or for the team that solved the ticket."""

from datetime import UTC, datetime, timedelta

import pytest

from kefu.surveys.services import survey_summary
from kefu.tests.factories import TicketFactory

from .helpers import make_survey

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
WEEK = (MONDAY, MONDAY + timedelta(days=7))


def _answered(team, csat, nps, *, at=MONDAY + timedelta(days=1), comment=""):
    ticket = TicketFactory(team=team)
    return make_survey(
        ticket, solved_at=at - timedelta(hours=2), csat=csat, nps=nps, comment=comment, answered_at=at
    )


def test_summary_of_known_answers(front_line):
    # CSAT 5, 5, 4, 4, 3, 2, 1 → 4 of 7 satisfied (3 is not) = 57.1 %, average 24 / 7 = 3.43.
    # NPS 10, 10, 9, 7, 6, 0 and one without → 3 promoters (9 is one), 2 detractors (6 is one) of 6 → +16.7.
    for csat, nps in [(5, 10), (5, 10), (4, 9), (4, 7), (3, 6), (2, None), (1, 0)]:
        _answered(front_line, csat, nps)

    summary = survey_summary(*WEEK)

    assert summary.responses == 7
    assert summary.csat_responses == 7
    assert summary.csat_percent == 57.1
    assert summary.csat_average == 3.43
    assert summary.nps_responses == 6
    assert summary.nps == 16.7


def test_unanswered_surveys_and_answers_outside_the_period_do_not_count(front_line):
    _answered(front_line, 5, 10)
    _answered(front_line, 1, 0, at=MONDAY - timedelta(seconds=1))  # the week before
    _answered(front_line, 1, 0, at=WEEK[1])  # the end is not included
    make_survey(TicketFactory(team=front_line), solved_at=MONDAY + timedelta(days=2))  # never answered

    summary = survey_summary(*WEEK)

    assert (summary.responses, summary.csat_percent, summary.nps) == (1, 100.0, 100.0)


def test_summary_of_one_team(front_line, other_team):
    _answered(front_line, 5, 10)
    _answered(other_team, 1, 2)
    _answered(other_team, 3, 8)

    mine = survey_summary(*WEEK, team=front_line)
    theirs = survey_summary(*WEEK, team=other_team)

    assert (mine.responses, mine.csat_percent, mine.nps) == (1, 100.0, 100.0)
    assert (theirs.responses, theirs.csat_percent, theirs.csat_average, theirs.nps) == (2, 0.0, 2.0, -50.0)


def test_a_period_without_answers_has_no_scores_rather_than_zero(db):
    summary = survey_summary(*WEEK)

    assert summary.responses == 0
    assert summary.csat_percent is None and summary.csat_average is None and summary.nps is None
