"""Who sees which reviews, and the figures dashboards show per agent and per team."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.quality.services import agent_summary, review_ticket, team_summary, visible_reviews

from .conftest import full_marks
from .factories import solved_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(inspector, agent, teammate, outsider, front_line, other_team, scorecard, criteria):
    """The agent: 100% and a critical fail (0%); her teammate: 50%; the outsider: 100%."""

    def review(person, team, **changes):
        points = full_marks(criteria)
        for name, value in changes.items():
            points[criteria[name].pk] = value
        ticket = solved_ticket(assignee=person, team=team)
        return review_ticket(reviewer=inspector, ticket=ticket, scorecard=scorecard, points=points)

    return [
        review(agent, front_line),
        review(agent, front_line, Privacy=0),
        review(teammate, front_line, Greeting=0, Understanding=0, Solution=5),  # 15 of 70: 21.4
        review(outsider, other_team),
    ]


def _window():
    now = timezone.now()
    return now - timedelta(days=1), now + timedelta(minutes=1)


def test_an_agent_sees_only_the_reviews_of_her_own_work(agent, teammate, outsider, reviewed):
    assert set(visible_reviews(agent)) == {reviewed[0], reviewed[1]}
    assert set(visible_reviews(teammate)) == {reviewed[2]}
    assert set(visible_reviews(outsider)) == {reviewed[3]}


def test_inspectors_and_supervisors_see_every_review(inspector, supervisor, reviewed):
    assert visible_reviews(inspector).count() == 4
    assert visible_reviews(supervisor).count() == 4


def test_customers_see_no_reviews(customer_user, reviewed):
    assert not visible_reviews(customer_user).exists()


def test_agent_summary_counts_averages_and_critical_fails(agent, reviewed):
    since, until = _window()

    summary = agent_summary(agent, since, until)

    assert (summary.reviews, summary.average_score, summary.critical_fails) == (2, Decimal("50.0"), 1)


def test_agent_summary_is_empty_outside_the_window(agent, reviewed):
    since, _until = _window()

    summary = agent_summary(agent, since - timedelta(days=5), since)

    assert (summary.reviews, summary.average_score, summary.critical_fails) == (0, None, 0)


def test_team_summary_covers_the_teams_members_lowest_average_first(agent, teammate, front_line, reviewed):
    since, until = _window()

    result = team_summary(since, until, team=front_line)

    assert result.total.reviews == 3
    assert result.total.critical_fails == 1
    assert result.total.average_score == Decimal("40.5")  # (100 + 0 + 21.4) / 3
    assert [row.agent for row in result.agents] == [teammate, agent]
    assert result.agents[0].summary.average_score == Decimal("21.4")


def test_team_summary_without_a_team_covers_the_center(reviewed):
    since, until = _window()

    assert team_summary(since, until).total.reviews == 4
