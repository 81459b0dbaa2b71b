"""CSAT per agent: `survey_summary` for one agent (and one team), and `csat_by_agent`, the report's rows."""

from datetime import UTC, datetime, timedelta

import pytest

from kefu.surveys.services import csat_by_agent, survey_summary
from kefu.tests.factories import TicketFactory

from .helpers import make_survey

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
WEEK = (MONDAY, MONDAY + timedelta(days=7))


def _rated(agent, team, csat, *, at=MONDAY + timedelta(days=1)):
    ticket = TicketFactory(team=team, assignee=agent)
    return make_survey(ticket, solved_at=at - timedelta(hours=1), csat=csat, answered_at=at)


def test_the_summary_of_one_agent_counts_only_answers_credited_to_them(agent, teammate, front_line):
    for csat in (5, 4, 2):
        _rated(agent, front_line, csat)
    _rated(teammate, front_line, 1)

    mine = survey_summary(*WEEK, agent=agent)

    assert (mine.csat_responses, mine.csat_percent, mine.csat_average) == (3, 66.7, 3.67)
    assert survey_summary(*WEEK, agent=teammate).csat_average == 1.0


def test_agent_and_team_filters_combine(agent, front_line, other_team):
    _rated(agent, front_line, 5)
    _rated(agent, other_team, 1)

    assert survey_summary(*WEEK, team=front_line, agent=agent).csat_average == 5.0
    assert survey_summary(*WEEK, team=other_team, agent=agent).csat_average == 1.0


def test_the_report_rows_are_agents_with_answers_most_answers_first(
    agent, teammate, outsider, front_line, other_team
):
    _rated(teammate, front_line, 5)
    for csat in (5, 3):
        _rated(agent, front_line, csat)
    _rated(outsider, other_team, 4)
    _rated(agent, front_line, 5, at=MONDAY - timedelta(days=1))  # before the period
    make_survey(TicketFactory(team=front_line, assignee=agent), solved_at=MONDAY)  # never answered

    rows = csat_by_agent(*WEEK)

    assert [(row.agent, row.responses, row.csat_percent, row.csat_average) for row in rows] == [
        (agent, 2, 50.0, 4.0),
        (teammate, 1, 100.0, 5.0),  # equal counts: in the order the agents were created
        (outsider, 1, 100.0, 4.0),
    ]
    assert [row.agent for row in csat_by_agent(*WEEK, team=other_team)] == [outsider]
