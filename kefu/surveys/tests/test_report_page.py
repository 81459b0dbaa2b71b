"""/survey/report/: CSAT per agent for those who see the whole center; nobody else, and a constant number
of queries however many agents are listed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.accounts import roles
from kefu.core import clock
from kefu.tests.factories import TicketFactory, UserFactory

from .helpers import make_survey

pytestmark = pytest.mark.django_db

URL = reverse("surveys:report")


def _rated(agent, team, csat):
    at = clock.now() - timedelta(days=1)
    return make_survey(
        TicketFactory(team=team, assignee=agent), solved_at=at - timedelta(hours=1), csat=csat, answered_at=at
    )


def test_a_supervisor_sees_each_agents_answers_csat_and_average(
    client, supervisor, agent, teammate, front_line
):
    for csat in (5, 4, 1):
        _rated(agent, front_line, csat)
    _rated(teammate, front_line, 5)
    client.force_login(supervisor)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-agent="{agent.pk}"' in html and "66.7%" in html and "3.33" in html
    assert f'data-agent="{teammate.pk}"' in html
    assert [row.agent for row in response.context["rows"]] == [agent, teammate]


def test_the_team_filter_keeps_that_teams_surveys(
    client, supervisor, agent, outsider, front_line, other_team
):
    _rated(agent, front_line, 5)
    _rated(outsider, other_team, 2)
    client.force_login(supervisor)

    response = client.get(URL, {"team": other_team.pk, "days": "7"})

    assert [row.agent for row in response.context["rows"]] == [outsider]
    assert response.context["days"] == 7


@pytest.mark.parametrize("who", ["agent", "outsider", "customer_user"])
def test_agents_and_customers_cannot_see_it(client, request, who, front_line, agent):
    _rated(agent, front_line, 5)
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queries_stay_the_same_with_more_agents(client, supervisor, agent, front_line):
    _rated(agent, front_line, 5)
    client.force_login(supervisor)
    client.get(URL)  # warm the session and the caches every page fills once
    with CaptureQueriesContext(connection) as one_agent:
        assert client.get(URL).status_code == 200

    for index in range(4):
        _rated(UserFactory(username=f"more{index}", roles=[roles.AGENT], teams=[front_line]), front_line, 3)
    with CaptureQueriesContext(connection) as five_agents:
        response = client.get(URL)

    assert len(response.context["rows"]) == 5
    assert len(five_agents) == len(one_agent)


def test_the_dashboard_tile_links_to_the_report(client, supervisor):
    client.force_login(supervisor)

    assert URL in client.get(reverse("analytics:dashboard")).content.decode()
