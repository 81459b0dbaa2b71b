"""GET /api/v1/surveys/: staff see the surveys of tickets they may see (filter by ticket and answered),
never the link token; customers and anonymous callers are refused."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from .helpers import make_survey

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/v1/surveys/"


def _as(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def answered(ticket):
    return make_survey(ticket, csat=4, nps=9, comment="很好", answered_at=ticket.created_at)


@pytest.fixture
def unanswered(other_team_ticket):
    return make_survey(other_team_ticket)


def test_staff_list_surveys_with_scores_but_not_the_token(supervisor, answered, unanswered):
    response = _as(supervisor).get(ENDPOINT)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {answered.pk, unanswered.pk}
    assert rows[answered.pk] | {"csat": 4, "nps": 9, "comment": "很好", "answered": True} == rows[answered.pk]
    assert rows[unanswered.pk]["answered"] is False
    assert "token" not in rows[answered.pk] and answered.token not in response.content.decode()


def test_filter_by_ticket_and_answered(supervisor, answered, unanswered, ticket):
    client = _as(supervisor)

    by_ticket = client.get(ENDPOINT, {"ticket": ticket.pk}).json()["results"]
    done = client.get(ENDPOINT, {"answered": "true"}).json()["results"]
    waiting = client.get(ENDPOINT, {"answered": "false"}).json()["results"]

    assert [row["id"] for row in by_ticket] == [answered.pk]
    assert [row["id"] for row in done] == [answered.pk]
    assert [row["id"] for row in waiting] == [unanswered.pk]


def test_an_agent_sees_only_surveys_of_tickets_she_may_see(agent, outsider, answered, unanswered):
    mine = _as(agent).get(ENDPOINT).json()["results"]
    theirs = _as(outsider).get(ENDPOINT).json()["results"]

    assert [row["id"] for row in mine] == [answered.pk]
    assert [row["id"] for row in theirs] == [unanswered.pk]
    assert _as(outsider).get(f"{ENDPOINT}{answered.pk}/").status_code == 404


def test_customers_and_anonymous_callers_are_refused(customer_user, answered):
    assert _as(customer_user).get(ENDPOINT).status_code == 403
    assert _as(None).get(ENDPOINT).status_code == 401
    assert _as(customer_user).get(f"{ENDPOINT}{answered.pk}/").status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(supervisor, ticket, django_assert_max_num_queries):
    for day in range(5):
        make_survey(
            ticket, solved_at=ticket.created_at + timedelta(days=day), csat=5, answered_at=ticket.created_at
        )
    client = _as(supervisor)
    client.get(ENDPOINT)

    with django_assert_max_num_queries(4):
        response = client.get(ENDPOINT)

    assert len(response.json()["results"]) == 5
