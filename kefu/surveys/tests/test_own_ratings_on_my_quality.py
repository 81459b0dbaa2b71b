"""An agent's "my quality reviews" page shows the customers' ratings credited to them (last 30 days)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.core import clock
from kefu.tests.factories import TicketFactory

from .helpers import make_survey

pytestmark = pytest.mark.django_db


def _rated(agent, team, csat):
    at = clock.now() - timedelta(days=2)
    make_survey(TicketFactory(team=team, assignee=agent), solved_at=at, csat=csat, answered_at=at)


def test_an_agent_sees_their_own_csat_and_not_a_colleagues(client, agent, teammate, front_line):
    _rated(agent, front_line, 5)
    _rated(agent, front_line, 2)
    _rated(teammate, front_line, 1)
    client.force_login(agent)

    response = client.get(reverse("quality:reviews"))

    ratings = response.context["ratings"]
    assert (ratings.csat_responses, ratings.csat_percent, ratings.csat_average) == (2, 50.0, 3.5)
    assert 'id="agent-ratings"' in response.content.decode()


def test_a_supervisor_sees_the_ratings_of_the_agent_they_pick(client, supervisor, agent, front_line):
    _rated(agent, front_line, 4)
    client.force_login(supervisor)

    everyone = client.get(reverse("quality:reviews"))
    picked = client.get(reverse("quality:reviews"), {"agent": agent.pk})

    assert everyone.context["ratings"] is None
    assert picked.context["ratings"].csat_average == 4.0
